package dev.inboxguard.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFileTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Path p = dir.resolve("inboxguard.yaml");
        Files.writeString(p, yaml);
        return p;
    }

    @Test
    void theDefaultsBuiltInJavaAreTheDefaultsTheYamlFileExplains() throws Exception {
        GuardConfig fromYaml = ConfigFile.defaultsFromYaml();
        GuardConfig inJava = ConfigFile.defaults();
        // part by part first, so that a difference is named by its section
        for (var part : GuardConfig.class.getRecordComponents()) {
            try {
                assertEquals(part.getAccessor().invoke(fromYaml), part.getAccessor().invoke(inJava), part.getName());
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
        }
        assertEquals(fromYaml, inJava);
        // a file that sets a default to itself is laid over the YAML defaults, and gives the same again
        assertEquals(inJava, ConfigFile.load(write("limits:\n  maxBytes: 1048576\n")));
    }

    @Test
    void theDefaultsAreComplete() {
        GuardConfig c = ConfigFile.defaults();
        assertEquals(1_048_576, c.limits().maxBytes());
        assertEquals(1000, c.limits().maxAttendees());
        assertTrue(c.structure().tolerate().contains("VALARM"));
        assertEquals(List.of(), c.imip().trustedAuthservIds());
        assertEquals("malformed", c.policy().rules().get(0).code());
    }

    @Test
    void anOperatorFileOverridesSomeLimitsAndPutsItsRulesFirst() throws Exception {
        GuardConfig c = ConfigFile.load(write("""
                limits:
                  maxAttendees: 200
                imip:
                  trustedAuthservIds: [mx.example.org]
                policy:
                  rules:
                    - {code: sender.unknown, action: flag}
                """));
        assertEquals(200, c.limits().maxAttendees());
        assertEquals(1_048_576, c.limits().maxBytes(), "untouched limits keep their default");
        assertEquals(List.of("mx.example.org"), c.imip().trustedAuthservIds());
        assertEquals("sender.unknown", c.policy().rules().get(0).code());
        assertEquals("flag", c.policy().rules().get(0).action());
        assertEquals(ConfigFile.defaults().policy().rules().size() + 1, c.policy().rules().size());
    }

    @Test
    void aTrustedAuthservIdMustBeAHostNameAndHopsAreBounded() throws Exception {
        ConfigException bad = assertThrows(ConfigException.class, () -> ConfigFile.load(write("""
                imip:
                  trustedAuthservIds: ["mx.example.org; spf=pass"]
                """)));
        assertTrue(bad.getMessage().contains("host name"), bad.getMessage());
        assertThrows(ConfigException.class, () -> ConfigFile.load(write("""
                imip:
                  trustedReceivedHops: -1
                """)));
        GuardConfig filtered = ConfigFile.load(write("""
                imip:
                  trustedAuthservIds: [MX.example.org]
                  trustedReceivedHops: 1
                """));
        assertEquals(1, filtered.imip().headerTrust().receivedHops());
        assertEquals(java.util.Set.of("mx.example.org"), filtered.imip().headerTrust().authservIds());
        assertEquals(0, ConfigFile.defaults().imip().trustedReceivedHops());
    }

    @Test
    void anEmptyFileMeansTheDefaults() throws Exception {
        assertEquals(ConfigFile.defaults(), ConfigFile.load(write("")));
    }

    @Test
    void storageIsEmbeddedByDefaultAndPostgresqlByUrl() throws Exception {
        GuardConfig.Storage embedded = ConfigFile.defaults().storage();
        // the embedded database compresses its pages unless told not to; PostgreSQL has no such setting
        assertTrue(!embedded.shared() && embedded.maxConnections() == 16 && embedded.migrate().equals("auto")
                && embedded.compress());
        assertTrue(ConfigFile.load(write("storage:\n  compress: true\n")).storage().compress());
        assertFalse(ConfigFile.load(write("storage:\n  compress: false\n")).storage().compress());
        GuardConfig.Storage pg = ConfigFile.load(write("storage:\n  url: jdbc:postgresql://db:5432/ig\n"
                + "  migrate: VALIDATE\n")).storage();
        assertTrue(pg.shared());
        assertFalse(pg.compress());
        assertFalse(ConfigFile.load(write("storage:\n  url: jdbc:postgresql://db/ig\n  compress: false\n"))
                .storage().compress());
        assertEquals("validate", pg.migrate());
        for (String bad : List.of("url: jdbc:mysql://db/ig", "maxConnections: 1", "migrate: sometimes",
                "url: \"jdbc:postgresql://ig:hunter2@db/ig\"", "url: jdbc:postgresql://db/ig\n  compress: true")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> ConfigFile.load(write("storage:\n  " + bad + "\n")));
            assertTrue(e.getMessage().contains("storage."), e.getMessage());
        }
        GuardConfig.Storage inline = ConfigFile.load(write(
                "storage:\n  url: \"jdbc:postgresql://db/ig?password=hunter2\"\n  password: hunter2\n")).storage();
        assertTrue(!inline.toString().contains("hunter2"), inline.toString());
        Path secret = dir.resolve("db-password");
        Files.writeString(secret, "s3cret\nignored\n");
        assertEquals("s3cret", ConfigFile.secret("storage.passwordFile", "inline", secret.toString()));
        assertEquals("inline", ConfigFile.secret("storage.passwordFile", "inline", ""));
        assertThrows(ConfigException.class, () -> ConfigFile.secret("storage.passwordFile", "", dir.resolve("none")
                .toString()));
    }

    @Test
    void bindingOnlyTheSectionsAFileSetsGivesWhatBindingEverySectionGives() throws Exception {
        List<String> files = new java.util.ArrayList<>(List.of(
                Files.readString(Path.of("../docs/deploy/inboxguard.yaml")),
                Files.readString(Path.of("src/test/resources/identity/identity.yaml"))));
        // each section of the defaults alone, and some with values changed
        String defaults;
        try (java.io.InputStream in = ConfigFile.class.getResourceAsStream("default-config.yaml")) {
            defaults = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
        for (String section : defaults.split("\n(?=[a-z])")) {
            if (!section.startsWith("#")) {
                files.add(section + "\n");
            }
        }
        assertTrue(files.size() > 20, "sections: " + files.size());
        files.add("limits:\n  maxBytes: 2000000\n");
        files.add("policy:\n  rules:\n    - code: CONTENT_RISKY_LINK\n      action: reject\n");
        files.add("users:\n  - name: ann\n    password: pw\n    addresses: [\"mailto:ann@example.com\"]\n"
                + "caldav:\n  directory: hidden\n");
        // a file that sets nothing
        files.add("{}\n");
        for (String yaml : files) {
            Path file = write(yaml);
            java.util.Optional<GuardConfig> quick = ConfigFile.loadBindingWhatItSets(file);
            assertTrue(quick.isPresent(), yaml);
            assertEquals(ConfigFile.loadBindingEverySection(file), quick.get(), yaml);
            assertEquals(quick.get(), ConfigFile.load(file), yaml);
        }
        // a mistake is named in the same words either way
        for (String bad : List.of("retention:\n", "limits:\n  maxAtendees: 5\n", "nosuch: 1\n",
                "caldav:\n  defaultCalendar: {name: a}\n  defaultTaskList: {name: a}\n")) {
            Path file = write(bad);
            String slow = assertThrows(ConfigException.class, () -> ConfigFile.loadBindingEverySection(file))
                    .getMessage();
            assertEquals(slow, assertThrows(ConfigException.class, () -> ConfigFile.load(file)).getMessage(), bad);
        }
    }

    @Test
    void theDefaultsCutIntoSectionsParseAsTheWholeFileDoes() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper yaml = new com.fasterxml.jackson.databind.ObjectMapper(
                new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
        com.fasterxml.jackson.databind.JsonNode whole = yaml.readTree(ConfigFile.DefaultSections.TEXT);
        java.util.Set<String> names = new java.util.HashSet<>();
        whole.fieldNames().forEachRemaining(names::add);
        assertEquals(names, ConfigFile.DefaultSections.cut(ConfigFile.DefaultSections.TEXT).keySet());
        for (String name : names) {
            com.fasterxml.jackson.databind.node.ObjectNode one =
                    ConfigFile.DefaultSections.parse(java.util.Set.of(name)).orElseThrow();
            assertEquals(1, one.size(), name);
            assertEquals(whole.get(name), one.get(name), name);
        }
        assertEquals(whole, ConfigFile.DefaultSections.parse(names).orElseThrow());
        assertTrue(ConfigFile.DefaultSections.parse(java.util.Set.of("limits", "nosuch")).isEmpty());
        // what cannot be cut at its top-level keys is not cut at all
        for (String uncut : List.of("---\nlimits:\n  maxBytes: 1\n", "limits:\n  a: 1\nlimits:\n  b: 2\n",
                "limits:\n  a: 1\n\"quoted\": 2\n", "limits:\n  a: 1\n[1, 2]\n")) {
            assertEquals(Map.of(), ConfigFile.DefaultSections.cut(uncut), uncut);
        }
        assertEquals(Map.of("a", "a: 1\n  # inside\n\n# between\n", "b", "b: [x]\n"),
                ConfigFile.DefaultSections.cut("# top\na: 1\n  # inside\n\n# between\nb: [x]"));
    }

    @Test
    void mistakesAreOneLineErrorsThatSayWhere() throws Exception {
        ConfigException typo = assertThrows(ConfigException.class,
                () -> ConfigFile.load(write("limits:\n  maxAtendees: 5\n")));
        assertTrue(typo.getMessage().contains("unknown setting 'maxAtendees'"), typo.getMessage());
        assertTrue(typo.getMessage().contains("limits"), typo.getMessage());
        ConfigException negative = assertThrows(ConfigException.class,
                () -> ConfigFile.load(write("limits:\n  maxBytes: -1\n")));
        assertTrue(negative.getMessage().contains("maxBytes must be positive"), negative.getMessage());
        ConfigException notYaml = assertThrows(ConfigException.class,
                () -> ConfigFile.load(write("limits: [unclosed\n")));
        assertTrue(notYaml.getMessage().contains("not valid YAML"), notYaml.getMessage());
        assertThrows(ConfigException.class, () -> ConfigFile.load(write("- just\n- a list\n")));
        assertThrows(ConfigException.class, () -> ConfigFile.load(dir.resolve("missing.yaml")));
        for (ConfigException e : List.of(typo, negative, notYaml)) {
            assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        }
    }

    @Test
    void aliasBombsAndHugeFilesAreRefused() throws Exception {
        StringBuilder bomb = new StringBuilder("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
        char prev = 'a';
        for (char c = 'b'; c <= 'k'; c++) {
            bomb.append(c).append(": &").append(c).append(" [");
            for (int i = 0; i < 10; i++) {
                bomb.append(i == 0 ? "" : ",").append('*').append(prev);
            }
            bomb.append("]\n");
            prev = c;
        }
        assertThrows(ConfigException.class, () -> ConfigFile.load(write(bomb.toString())));
        Path huge = dir.resolve("huge.yaml");
        Files.writeString(huge, "# " + "x".repeat(2 * 1024 * 1024));
        assertThrows(ConfigException.class, () -> ConfigFile.load(huge));
    }
}
