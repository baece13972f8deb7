package dev.inboxguard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.inboxguard.config.ConfigException;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.imip.MailRelay;
import dev.inboxguard.server.Accounts;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code inboxguard config}: commands about the configuration file. */
@Command(name = "config", mixinStandardHelpOptions = true, subcommands = ConfigCommand.Check.class,
        description = "Commands about the configuration file.")
final class ConfigCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: check");
    }

    /**
     * {@code inboxguard config check FILE}: everything {@code serve} would check at start, short of opening the
     * database and the ports, then the effective configuration with its secrets masked.
     */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = {"Checks a configuration file as serve would at start (settings, policy rules, users, "
                    + "check modules, and the password, token and certificate files it names), without opening "
                    + "the database or any port, and prints the effective configuration: the defaults with the "
                    + "file laid over them, secrets masked.",
                    "Exit status: 0 valid, 2 invalid (one line on standard error)."})
    static final class Check implements Callable<Integer> {
        private static final Set<String> SECRETS = Set.of("password", "token");
        private static final String MASK = "(hidden)";

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "the configuration (YAML)")
        Path file;

        @Override
        public Integer call() {
            GuardConfig config = ConfigSource.read(file);
            try {
                Accounts.of(config.users(), Clock.systemUTC());
                CheckCommand.injector(config);
                GuardConfig.Storage storage = config.storage();
                ConfigFile.secret("storage.passwordFile", storage.password(), storage.passwordFile());
                if (config.metrics().access().equals("token")) {
                    config.metrics().bearerToken();
                }
                if (config.mail().relay().configured()) {
                    new MailRelay(config.mail().relay()); // reads its password file and trusted certificates
                }
            } catch (ConfigException | IllegalArgumentException | UsageException e) {
                throw new ConfigException(file + ": " + e.getMessage());
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("# " + file + " is valid. The effective configuration, secrets masked:");
            out.print(effective(config));
            out.flush();
            return 0;
        }

        /** @return the configuration as YAML, with passwords, tokens and credentials in URLs masked */
        static String effective(GuardConfig config) {
            ObjectMapper yaml = new ObjectMapper(YAMLFactory.builder()
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .build());
            JsonNode tree = yaml.valueToTree(config);
            mask(tree);
            if (tree.path("storage") instanceof ObjectNode s && s.hasNonNull("url")) {
                s.put("url", GuardConfig.Storage.withoutSecrets(s.get("url").asText()));
            }
            try {
                return yaml.writeValueAsString(tree);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("the configuration cannot be written as YAML", e);
            }
        }

        private static void mask(JsonNode node) {
            if (node instanceof ObjectNode o) {
                Iterator<Map.Entry<String, JsonNode>> fields = o.fields();
                while (fields.hasNext()) {
                    Map.Entry<String, JsonNode> f = fields.next();
                    if (SECRETS.contains(f.getKey()) && f.getValue().isTextual() && !f.getValue().asText().isEmpty()) {
                        f.setValue(o.textNode(MASK));
                    } else {
                        mask(f.getValue());
                    }
                }
            } else if (node instanceof ArrayNode a) {
                a.forEach(Check::mask);
            }
        }
    }
}
