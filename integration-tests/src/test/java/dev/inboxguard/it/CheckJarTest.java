package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the built {@code inboxguard.jar} as its own process, with the heap capped at 256 MB, the way scripts and
 * operators call it.
 */
class CheckJarTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path jar;

    @TempDir
    static Path dir;

    @BeforeAll
    static void findJar() {
        jar = Path.of(System.getProperty("inboxguard.jar", "../plugin-impl/target/inboxguard.jar"));
        assertTrue(Files.isRegularFile(jar), "build plugin-impl first: " + jar.toAbsolutePath());
    }

    record Result(int status, String out, String err, long millis) {
        JsonNode json() throws IOException {
            return JSON.readTree(out);
        }

        String firstCode() throws IOException {
            return json().get("findings").get(0).get("code").asText();
        }
    }

    /** Runs the jar; feeds {@code stdin} from the file if given. */
    static Result run(Path stdin, String... args) throws Exception {
        List<String> command = JarCommandLine.of(jar, "256m", args);
        ProcessBuilder pb = new ProcessBuilder(command);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))
                : ProcessBuilder.Redirect.from(stdin.toFile()));
        long start = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("inboxguard did not finish: " + command);
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        return new Result(p.exitValue(), Files.readString(out), Files.readString(err), millis);
    }

    static Path sample(String name) throws IOException {
        Path target = dir.resolve(name);
        try (InputStream in = CheckJarTest.class.getResourceAsStream("/samples/" + name)) {
            Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return target;
    }

    @Test
    void realWorldMessagesAreDelivered() throws Exception {
        Result request = run(null, "check", "--known", "alice@example.com", sample("outlook-request.ics").toString());
        assertEquals(0, request.status(), request.err());
        assertEquals("deliver", request.json().get("action").asText(), request.out());
        // a reply is judged against the organizer's copy
        Result reply = run(null, "check", "--stored", sample("roadmap-stored.ics").toString(),
                sample("reply-accepted.ics").toString());
        assertEquals("deliver", reply.json().get("action").asText(), reply.out());
        Result unknown = run(null, "check", sample("reply-accepted.ics").toString());
        assertEquals("event.unknown", unknown.firstCode(), unknown.out());
    }

    @Test
    void aForgedCancelByMailIsRejectedAndRoutesFollowThePolicy() throws Exception {
        Result cancel = run(null, "check", "--recipient", "bob@example.org", "--stored",
                sample("roadmap-stored.ics").toString(), "--transport", "imip", "--sender", "mallory@example.net",
                "--from", "mallory@example.net", "--authenticated", "example.net", sample("cancel-forged.ics").toString());
        assertEquals("reject", cancel.json().get("action").asText(), cancel.out());
        assertEquals("sender.not-organizer", cancel.firstCode());
        Result route = run(null, "route", sample("reply-accepted.ics").toString());
        assertEquals(0, route.status(), route.err());
        assertEquals("mailto:alice@example.com", route.json().get("deliverTo").get(0).asText());
    }

    @Test
    void anInvitationEmailIsReadWithItsTrustedAuthenticationResults() throws Exception {
        Result r = run(null, "check", "--trust-authserv-id", "mx.example.org", "--known", "alice@example.com",
                sample("invitation.eml").toString());
        assertEquals(0, r.status(), r.err());
        JsonNode v = r.json();
        assertEquals("deliver", v.get("action").asText(), r.out());
        assertEquals("REQUEST", v.get("method").asText());
    }

    @Test
    void brokenMessagesAreRejectedWithTheirRule() throws Exception {
        Result twoAttendees = run(null, "check", sample("reply-two-attendees.ics").toString());
        assertEquals("reject", twoAttendees.json().get("action").asText());
        assertEquals("malformed", twoAttendees.firstCode());
        Result noOrganizer = run(null, "check", sample("cancel-without-organizer.ics").toString());
        assertEquals("3.11;Required component or property missing",
                noOrganizer.json().get("requestStatus").asText());
        Result garbage = run(null, "check", sample("not-a-calendar.ics").toString());
        assertEquals(0, garbage.status());
        assertEquals("malformed", garbage.firstCode());
        assertEquals("", garbage.err(), "no stack trace, no log noise");
    }

    @Test
    void recurrenceAbuseIsCaughtWithABoundedHeap() throws Exception {
        Result flood = run(null, "check", "--now", "2026-11-21T00:00:00Z", sample("every-minute-forever.ics").toString());
        assertEquals("reject", flood.json().get("action").asText(), flood.out());
        assertEquals("3.6;Invalid rule", flood.json().get("requestStatus").asText());
        assertTrue(flood.out().contains("a new 5-minute event every minute, forever"), flood.out());
        // shared/HAZARDS.md: this message exhausts a 1 GiB heap inside ical4j's CalendarBuilder.build
        Result bomb = run(null, "check", "--now", "2026-11-21T00:00:00Z", sample("vtimezone-bomb.ics").toString());
        assertEquals("reject", bomb.json().get("action").asText(), bomb.out());
        assertEquals("timezone.abusive", bomb.firstCode());
        Result sleeper = run(null, "check", "--now", "2026-11-21T00:00:00Z", sample("sleeper.ics").toString());
        assertEquals("hold", sleeper.json().get("action").asText(), sleeper.out());
        assertEquals("recipient", sleeper.json().get("approver").asText());
        assertEquals("recurrence.far-future", sleeper.firstCode());
    }

    @Test
    void phishingLinksAreFlaggedAndAlarmsReported() throws Exception {
        Result r = run(null, "check", "--recipient", "bob@example.com", "--sender", "alice@example.com",
                sample("phishing.ics").toString());
        assertEquals(0, r.status(), r.err());
        JsonNode v = r.json();
        assertEquals("flag", v.get("action").asText(), r.out());
        List<String> messages = new ArrayList<>();
        v.get("findings").forEach(f -> messages.add(f.get("code").asText() + ": " + f.get("message").asText()));
        assertEquals(3, messages.size(), messages.toString());
        assertTrue(messages.stream().anyMatch(m -> m.contains("bare IP address")), messages.toString());
        assertTrue(messages.stream().anyMatch(m -> m.contains("shows teams.microsoft.com but leads to evil.example")),
                messages.toString());
        assertTrue(messages.stream().anyMatch(m -> m.startsWith("content.alarm-removed")), messages.toString());
    }

    @Test
    void standardInputWorks() throws Exception {
        Result r = run(sample("outlook-request.ics"), "check", "--known", "alice@example.com", "-");
        assertEquals(0, r.status(), r.err());
        assertEquals("deliver", r.json().get("action").asText());
    }

    @Test
    void usageErrorsExitTwoWithOneLine() throws Exception {
        for (String[] args : List.of(new String[] {"check"}, new String[] {"check", "/nonexistent/x.ics"},
                new String[] {"check", "--frobnicate", "x"}, new String[] {"serve-nothing"})) {
            Result r = run(null, args);
            assertEquals(2, r.status(), String.join(" ", args));
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertEquals("", r.out());
        }
    }

    @Test
    void hugeInputsGetLimitsSizeWithA256MegabyteHeap() throws Exception {
        Path longLine = dir.resolve("long-line.ics");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(longLine))) {
            out.write(("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
                    + "UID:1\r\nDESCRIPTION:").getBytes(StandardCharsets.UTF_8));
            byte[] chunk = "x".repeat(1 << 16).getBytes(StandardCharsets.UTF_8);
            for (int i = 0; i < 80; i++) {
                out.write(chunk); // 5 MiB on one line
            }
            out.write("\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".getBytes(StandardCharsets.UTF_8));
        }
        Path attendees = dir.resolve("attendees.ics");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(attendees))) {
            out.write(("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:1\r\n"
                    + "DTSTAMP:20261120T100000Z\r\nDTSTART:20261123T100000Z\r\nORGANIZER:mailto:a@x.example\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < 20_000; i++) {
                out.write(("ATTENDEE:mailto:u" + i + "@x.example\r\n").getBytes(StandardCharsets.UTF_8));
            }
            out.write("END:VEVENT\r\nEND:VCALENDAR\r\n".getBytes(StandardCharsets.UTF_8));
        }
        Path fifty = dir.resolve("fifty.ics");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(fifty))) {
            byte[] line = "X-FILLER:0123456789012345678901234567890123456789012345678901234567890123\r\n"
                    .getBytes(StandardCharsets.UTF_8);
            out.write("BEGIN:VCALENDAR\r\n".getBytes(StandardCharsets.UTF_8));
            for (long written = 0; written < 50L * 1024 * 1024; written += line.length) {
                out.write(line);
            }
        }
        Path fiftyMail = dir.resolve("fifty.eml");
        Files.copy(fifty, fiftyMail);
        List<String> timings = new ArrayList<>();
        for (Path p : List.of(longLine, attendees, fifty, fiftyMail)) {
            Result r = run(null, "check", p.toString());
            assertEquals(0, r.status(), r.err());
            assertEquals("reject", r.json().get("action").asText(), p + ": " + r.out());
            assertEquals("limits.size", r.firstCode(), p + ": " + r.out());
            timings.add(p.getFileName() + "=" + r.millis() + "ms");
        }
        Result piped = run(fifty, "check", "-");
        assertEquals("limits.size", piped.firstCode());
        timings.add("fifty via stdin=" + piped.millis() + "ms");
        // wall time of the whole process, JVM start included; recorded for the issue note, not asserted
        System.out.println("[limits.size timings, whole process] " + String.join(", ", timings));
    }

    @Test
    void anOperatorCheckLoadsFromItsOwnJarOrFolder() throws Exception {
        Path classes = Path.of(NoWeekendMeetingsModuleLocation.folder());
        Path config = dir.resolve("with-plugin.yaml");
        Files.writeString(config, "checks:\n  modules: [dev.example.NoWeekendMeetingsModule]\n  jars: ["
                + JSON.writeValueAsString(classes.toString()) + "]\n");
        String ics = Files.readString(sample("outlook-request.ics")).replace("SUMMARY;LANGUAGE=en-US:Roadmap review",
                "SUMMARY:Roadmap review on Saturday");
        Path weekend = dir.resolve("weekend.ics");
        Files.writeString(weekend, ics);
        Result r = run(null, "check", "--config", config.toString(), "--known", "alice@example.com",
                weekend.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals("flag", r.json().get("action").asText(), r.out());
        assertTrue(r.out().contains("\"code\" : \"x-example.weekend\""), r.out());
    }

    /** Where the test classes (and so the example module) live. */
    static final class NoWeekendMeetingsModuleLocation {
        static String folder() throws Exception {
            return Path.of(dev.example.NoWeekendMeetingsModule.class.getProtectionDomain().getCodeSource()
                    .getLocation().toURI()).toString();
        }
    }
}
