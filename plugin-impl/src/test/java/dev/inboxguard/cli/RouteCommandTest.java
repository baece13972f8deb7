package dev.inboxguard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.inboxguard.Samples;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RouteCommandTest {
    @TempDir
    Path dir;

    private String reply() throws Exception {
        Path target = dir.resolve("reply-to-boss.ics");
        try (InputStream in = RouteCommandTest.class.getResourceAsStream("/identity/reply-to-boss.ics")) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target.toString();
    }

    private String config(String yaml) throws Exception {
        Path p = dir.resolve("c" + yaml.hashCode() + ".yaml");
        Files.writeString(p, yaml);
        return p.toString();
    }

    private List<String> deliverTo(CheckCommandTest.Run r) throws Exception {
        assertEquals(0, r.status(), r.err());
        JsonNode v = r.json();
        assertTrue(v.get("reason").asText().length() > 10, v.toString());
        return new com.fasterxml.jackson.databind.ObjectMapper().convertValue(v.get("deliverTo"),
                new com.fasterxml.jackson.core.type.TypeReference<List<String>>() { });
    }

    private static final String TRUST = "identity:\n  proxies:\n    - {delegate: mailto:assistant@example.com, "
            + "actsFor: [mailto:boss@example.com]}\n";

    @Test
    void routesUnderEachPolicySetting() throws Exception {
        assertEquals(List.of("mailto:boss@example.com"), deliverTo(CheckCommandTest.run("route", reply())));
        assertEquals(List.of("mailto:boss@example.com"), deliverTo(CheckCommandTest.run("route", "--config",
                config("replies:\n  sentBy: both\n"), reply())), "an assistant nobody trusts gets no replies");
        assertEquals(List.of("mailto:assistant@example.com"), deliverTo(CheckCommandTest.run("route", "--config",
                config(TRUST + "replies:\n  sentBy: sent-by\n"), reply())));
        assertEquals(List.of("mailto:boss@example.com", "mailto:assistant@example.com"),
                deliverTo(CheckCommandTest.run("route", "--config", config(TRUST + "replies:\n  sentBy: both\n"),
                        reply())));
        assertEquals(List.of("mailto:assistant@example.com"), deliverTo(CheckCommandTest.run("route", "--config",
                config(TRUST + "replies:\n  domains: {example.com: sent-by}\n"), reply())));
        assertEquals(List.of("mailto:boss@example.com", "mailto:assistant@example.com"),
                deliverTo(CheckCommandTest.run("route", "--config",
                        config(TRUST + "replies:\n  domains: {example.com: sent-by}\n  users: {mailto:boss@example.com: both}\n"),
                        reply())));
    }

    @Test
    void onlyARepliesCanBeRouted() throws Exception {
        Path request = dir.resolve("request.ics");
        Files.write(request, Samples.request());
        CheckCommandTest.Run r = CheckCommandTest.run("route", request.toString());
        assertEquals(2, r.status());
        assertTrue(r.err().contains("route takes an iTIP REPLY"), r.err());
        Path garbage = dir.resolve("garbage.ics");
        Files.writeString(garbage, "garbage");
        assertEquals(2, CheckCommandTest.run("route", garbage.toString()).status());
        assertEquals(2, CheckCommandTest.run("route", dir.resolve("missing.ics").toString()).status());
    }
}
