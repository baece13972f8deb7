package dev.inboxguard.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inboxguard.cli.InboxGuardCommand;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The real-world corpus under the default policy, through {@code inboxguard check} (the command's own code path):
 * every legitimate message is delivered or flagged, every hostile one held or refused, and every suspicious-content
 * one at least flagged. {@code corpus/manifest.json} names each message's source and the recipient's situation
 * (the event they hold, the senders they know); the border MTA is {@code mx.corp.example}, whose
 * Authentication-Results the guard trusts.
 */
class RealWorldCorpusTest {
    private static final Set<String> PASS = Set.of("deliver", "flag");
    private static final Set<String> STOP = Set.of("hold", "reject");
    private static final Set<String> WARN = Set.of("flag", "hold", "reject");
    private static final String NOW = "2026-12-01T09:00:00Z";
    private static JsonNode manifest;
    private static Path root;

    @BeforeAll
    static void load() throws Exception {
        root = Path.of(RealWorldCorpusTest.class.getResource("/corpus/manifest.json").toURI()).getParent();
        try (InputStream in = RealWorldCorpusTest.class.getResourceAsStream("/corpus/manifest.json")) {
            manifest = new ObjectMapper().readTree(in);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyMessageEndsAsItsClassRequires() {
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode e : manifest) {
            tests.add(DynamicTest.dynamicTest(e.get("file").asText(), () -> {
                JsonNode verdict = check(e);
                String action = verdict.get("action").asText();
                assertTrue(allowed(e).contains(action), e.get("file").asText() + " (" + e.get("source").asText()
                        + ") must end in " + allowed(e) + ", got " + verdict);
            }));
        }
        return tests.stream();
    }

    /** The rates docs/benchmarks.md publishes, and the rule that none of them may be other than zero. */
    @Test
    void falsePositiveAndMissRatesAreZero() throws Exception {
        Map<String, int[]> byClass = new LinkedHashMap<>(); // class -> [count, deliver, flag, hold, reject]
        for (JsonNode e : manifest) {
            String action = check(e).get("action").asText();
            int[] row = byClass.computeIfAbsent(e.get("expect").asText(), k -> new int[5]);
            row[0]++;
            row[List.of("deliver", "flag", "hold", "reject").indexOf(action) + 1]++;
        }
        StringBuilder table = new StringBuilder("class       messages deliver flag hold reject\n");
        byClass.forEach((k, r) -> table.append(String.format("%-11s %8d %7d %4d %4d %6d%n", k, r[0], r[1], r[2], r[3],
                r[4])));
        System.out.print(table);
        int[] pass = byClass.get("pass");
        int[] stop = byClass.get("stop");
        int[] warn = byClass.get("warn");
        assertTrue(pass[0] >= 20 && stop[0] >= 10 && warn[0] >= 5, table.toString());
        assertEquals(0, pass[3] + pass[4], "legitimate messages held or refused:\n" + table);
        assertEquals(0, stop[1] + stop[2], "hostile messages delivered:\n" + table);
        assertEquals(0, warn[1], "suspicious messages delivered without a flag:\n" + table);
    }

    @Test
    void aReplyWithoutOrganizerIsToleratedOnlyBesideTheEventItAnswers() throws Exception {
        JsonNode entry = null;
        for (JsonNode e : manifest) {
            if (e.get("file").asText().equals("legitimate/outlook-reply-without-organizer.eml")) {
                entry = e;
            }
        }
        JsonNode alone = ((com.fasterxml.jackson.databind.node.ObjectNode) entry.deepCopy())
                .set("stored", new ObjectMapper().createArrayNode());
        JsonNode verdict = check(alone);
        assertEquals("reject", verdict.get("action").asText(), verdict.toString());
        assertEquals("malformed", verdict.get("findings").get(0).get("code").asText(), verdict.toString());
        assertEquals("deliver", check(entry).get("action").asText());
    }

    private static Set<String> allowed(JsonNode e) {
        return switch (e.get("expect").asText()) {
            case "pass" -> PASS;
            case "stop" -> STOP;
            case "warn" -> WARN;
            default -> throw new IllegalArgumentException("unknown class in the manifest: " + e.get("expect"));
        };
    }

    private static JsonNode check(JsonNode e) throws Exception {
        List<String> args = new ArrayList<>(List.of("check", "--recipient", e.get("recipient").asText(),
                "--trust-authserv-id", "mx.corp.example", "--now", NOW));
        for (JsonNode s : e.get("stored")) {
            args.add("--stored");
            args.add(file(s.asText()));
        }
        for (JsonNode k : e.get("known")) {
            args.add("--known");
            args.add(k.asText());
        }
        args.add(file(e.get("file").asText()));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = InboxGuardCommand.execute(args.toArray(String[]::new), new PrintWriter(out, true),
                new PrintWriter(err, true));
        assertEquals(0, status, err.toString());
        return new ObjectMapper().readTree(out.toString());
    }

    private static String file(String relative) throws URISyntaxException {
        return root.resolve(relative).toString();
    }
}
