package dev.inboxguard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The attacks a review of the guard found, each once through {@code inboxguard check} (inputs in
 * src/test/resources/review). Each was delivered, or cost seconds of CPU, before its fix. The timeouts below are
 * not speed claims: they are generous bounds that a regression to quadratic or unbounded work would exceed.
 */
class HostileInputRegressionTest {
    @TempDir
    Path dir;

    private String file(String name) throws Exception {
        Path target = dir.resolve(name);
        try (InputStream in = HostileInputRegressionTest.class.getResourceAsStream("/review/" + name)) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target.toString();
    }

    private static JsonNode check(String... args) throws Exception {
        List<String> all = new ArrayList<>(List.of("check", "--now", "2026-11-21T00:00:00Z"));
        all.addAll(List.of(args));
        CheckCommandTest.Run r = CheckCommandTest.run(all.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        return r.json();
    }

    private static Set<String> codes(JsonNode v) {
        Set<String> out = new TreeSet<>();
        v.get("findings").forEach(f -> out.add(f.get("code").asText()));
        return out;
    }

    @Test
    void aClaimedDelegationDoesNotMakeAnOutsiderTheOrganizer() throws Exception {
        String[] mail = {"--transport", "imip", "--recipient", "victim@bank.example", "--sender",
                "attacker@evil.example", "--from", "attacker@evil.example", "--authenticated", "evil.example"};
        JsonNode forged = check(concat(mail, file("deleg.ics")));
        assertNotEquals("deliver", forged.get("action").asText(), forged.toString());
        assertTrue(codes(forged).contains("sender.not-organizer"), forged.toString());
        JsonNode update = check(concat(mail, "--stored", file("stored.ics"), file("upd.ics")));
        assertNotEquals("deliver", update.get("action").asText(), update.toString());
    }

    @Test
    void anEnvelopeSenderCountsOnlyWithItsOwnSpfPass() throws Exception {
        JsonNode v = check("--trust-authserv-id", "mx.corp.example", "--stored", file("stored9.ics"),
                file("spoof.eml"));
        assertNotEquals("deliver", v.get("action").asText(), v.toString());
        assertTrue(codes(v).contains("sender.unauthenticated") || codes(v).contains("sender.not-organizer"),
                v.toString());
    }

    @Test
    void recurrenceCannotHideInASecondMasterOrInAnOverride() throws Exception {
        JsonNode dup = check(file("dup.ics"));
        assertEquals("reject", dup.get("action").asText(), dup.toString());
        assertTrue(codes(dup).contains("malformed"));
        JsonNode override = check(file("ovr.ics"));
        assertEquals("reject", override.get("action").asText(), override.toString());
        assertTrue(codes(override).contains("recurrence.unbounded"), override.toString());
    }

    @Test
    void anExdateInAnotherZoneExcludesNothing() throws Exception {
        // 3,000 EXDATEs: over the limit on their own
        JsonNode flood = check(file("exdate2.ics"));
        assertEquals("reject", flood.get("action").asText(), flood.toString());
        // 900 instances a second apart in New York, "excluded" by UTC EXDATEs with the same digits: every instance
        // is still there for a client, so the series is still too dense
        StringBuilder exdates = new StringBuilder("EXDATE:");
        java.time.LocalDateTime t = java.time.LocalDateTime.of(2026, 12, 1, 9, 0);
        for (int i = 0; i < 900; i++) {
            exdates.append(i == 0 ? "" : ",").append(t.plusSeconds(i).format(
                    java.time.format.DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss"))).append('Z');
        }
        Path ics = dir.resolve("exdate-zone.ics");
        Files.write(ics, dev.inboxguard.Samples.event("REQUEST", "UID:ex", "DTSTAMP:20261101T100000Z",
                "DTSTART;TZID=America/New_York:20261201T090000", "DURATION:PT10M", "RRULE:FREQ=SECONDLY;COUNT=900",
                "SUMMARY:x", "ORGANIZER:mailto:alice@example.com", "ATTENDEE:mailto:bob@example.com",
                exdates.toString()));
        JsonNode v = check(ics.toString());
        assertEquals("reject", v.get("action").asText(), v.toString());
        assertTrue(codes(v).contains("recurrence.too-dense"), v.toString());
    }

    @Test
    void everyUidOfAPublishIsHeldAgainstItsStoredCopy() throws Exception {
        JsonNode v = check("--recipient", "victim@bank.example", "--stored", file("stored.ics"), file("pub.ics"));
        assertTrue(codes(v).contains("organizer.changed"), v.toString());
        assertEquals("reject", v.get("action").asText());
    }

    @Test
    void controlCharactersCannotSmuggleAttendeesPastTheLimit() throws Exception {
        JsonNode v = check(file("att.ics"));
        assertEquals("reject", v.get("action").asText(), v.toString());
        assertTrue(v.get("findings").get(0).get("message").asText().contains("control character"), v.toString());
        JsonNode lf = check(file("lf.ics"));
        assertTrue(!codes(lf).contains("malformed"), "LF line ends with folded lines are read: " + lf);
    }

    @Test
    void manyTimezoneRulesStayWithinTheBudget() throws Exception {
        JsonNode v = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> check(file("tz100b.ics")));
        assertTrue(v.has("action"));
    }

    @Test
    void linksHideNeitherInLowerCaseNamesNorBehindTabs() throws Exception {
        JsonNode alt = check("--recipient", "bob@example.com", "--sender", "alice@example.com", file("alt.ics"));
        assertEquals("flag", alt.get("action").asText(), alt.toString());
        JsonNode js = check("--recipient", "bob@example.com", "--sender", "alice@example.com", file("js.ics"));
        long scripts = 0;
        for (JsonNode f : js.get("findings")) {
            scripts += f.get("message").asText().contains("javascript: scheme") ? 1 : 0;
        }
        assertEquals(2, scripts, js.toString());
    }

    @Test
    void authenticationResultsAreReadInLinearTimeAndOnlyFromTheTop() throws Exception {
        String spaces = " ".repeat(60_000);
        StringBuilder mail = new StringBuilder("Received: from mx by mx.corp.example\r\n");
        for (int i = 0; i < 4; i++) {
            mail.append("Authentication-Results: mx.corp.example; dkim").append(spaces).append("x\r\n");
        }
        mail.append("Received: from attacker by relay.example\r\n")
                .append("Authentication-Results: mx.corp.example; dkim=pass header.d=example.com\r\n")
                .append("From: alice@example.com\r\nTo: bob@example.com\r\n"
                        + "Content-Type: text/calendar; method=REQUEST\r\n\r\n")
                .append(new String(dev.inboxguard.Samples.request(), StandardCharsets.UTF_8));
        Path eml = dir.resolve("ar.eml");
        Files.writeString(eml, mail);
        JsonNode v = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> check("--trust-authserv-id",
                "mx.corp.example", "--known", "alice@example.com", eml.toString()));
        assertTrue(codes(v).contains("sender.unauthenticated"), "a result below the second Received line is "
                + "the sender's own: " + v);
    }

    @Test
    void configurationMistakesFoundWhileBuildingTheChecksExitTwo() throws Exception {
        for (String yaml : List.of("senders:\n  policy: sometimes\n", "content:\n  blocklistFile: /nonexistent\n",
                "identity:\n  users: [[notanaddress]]\n")) {
            Path config = dir.resolve("bad" + yaml.hashCode() + ".yaml");
            Files.writeString(config, yaml);
            CheckCommandTest.Run r = CheckCommandTest.run("check", "--config", config.toString(), file("dup.ics"));
            assertEquals(2, r.status(), yaml + r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
        }
    }

    @Test
    void htmlEntitiesDecodeInLinearTime() throws Exception {
        Path ics = dir.resolve("amp.ics");
        Files.write(ics, dev.inboxguard.Samples.event("REQUEST", "UID:amp", "DTSTAMP:20261101T100000Z",
                "DTSTART:20261201T100000Z", "SUMMARY:x", "ORGANIZER:mailto:alice@example.com",
                "ATTENDEE:mailto:bob@example.com", "X-ALT-DESC;FMTTYPE=text/html:" + "&".repeat(250_000)));
        JsonNode v = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> check("--recipient", "bob@example.com",
                ics.toString()));
        assertTrue(v.has("action"));
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
