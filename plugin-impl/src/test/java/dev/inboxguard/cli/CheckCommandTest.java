package dev.inboxguard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inboxguard.Samples;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckCommandTest {
    @TempDir
    Path dir;

    record Run(int status, String out, String err) {
        JsonNode json() throws Exception {
            return new ObjectMapper().readTree(out);
        }
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = InboxGuardCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(status, out.toString(), err.toString());
    }

    private Path file(String name, byte[] content) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    @Test
    void aValidRequestIsDelivered() throws Exception {
        Run r = run("check", file("request.ics", Samples.request()).toString(), "--recipient", "bob@example.com");
        assertEquals(0, r.status(), r.err());
        JsonNode v = r.json();
        assertEquals("deliver", v.get("action").asText());
        assertEquals("2.0;Success", v.get("requestStatus").asText());
        assertEquals("REQUEST", v.get("method").asText());
        assertEquals("meeting-1@example.com", v.get("uid").asText());
        assertEquals(0, v.get("findings").size());
        assertFalse(v.has("approver"));
    }

    @Test
    void garbageIsRejectedAsMalformedWithExitZero() throws Exception {
        Run r = run("check", file("garbage.ics", new byte[] {0, 1, 2, (byte) 0xff, 'x'}).toString());
        assertEquals(0, r.status());
        JsonNode v = r.json();
        assertEquals("reject", v.get("action").asText());
        assertEquals("malformed", v.get("findings").get(0).get("code").asText());
        assertEquals("", r.err());
    }

    @Test
    void aBrokenReplyNamesTheRuleAndTheSection() throws Exception {
        byte[] twoAttendees = Samples.event("REPLY", "UID:u", "DTSTAMP:20261120T100000Z",
                "ORGANIZER:mailto:alice@example.com", "ATTENDEE:mailto:bob@example.com",
                "ATTENDEE:mailto:mallory@example.net");
        JsonNode v = run("check", file("reply.ics", twoAttendees).toString()).json();
        assertEquals("reject", v.get("action").asText());
        assertEquals("3.13;Unsupported component or property found", v.get("requestStatus").asText());
        JsonNode f = v.get("findings").get(0);
        assertEquals("ATTENDEE", f.get("property").asText());
        assertTrue(f.get("message").asText().contains("RFC 5546 §3.2.3"), f.toString());
    }

    @Test
    void anEmailIsReadWithItsCalendarPart() throws Exception {
        String mail = "Return-Path: <alice@example.com>\r\n"
                + "Authentication-Results: mx.example.org; dkim=pass header.d=example.com\r\n"
                + "From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: Invitation\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/calendar; method=REQUEST; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString(Samples.request()) + "\r\n";
        Run r = run("check", file("invite.eml", mail.getBytes(StandardCharsets.UTF_8)).toString(),
                "--trust-authserv-id", "mx.example.org", "--known", "alice@example.com");
        assertEquals(0, r.status(), r.err());
        assertEquals("deliver", r.json().get("action").asText());
        String mismatch = mail.replace("method=REQUEST", "method=CANCEL");
        JsonNode v = run("check", file("mismatch.eml", mismatch.getBytes(StandardCharsets.UTF_8)).toString())
                .json();
        assertEquals("reject", v.get("action").asText());
        assertTrue(v.get("findings").get(0).get("message").asText().contains("method=CANCEL"));
    }

    @Test
    void anEmailWithoutCalendarIsRejected() throws Exception {
        byte[] mail = "From: a@example.com\r\nTo: b@example.com\r\n\r\nhello\r\n".getBytes(StandardCharsets.UTF_8);
        JsonNode v = run("check", file("plain.eml", mail).toString()).json();
        assertEquals("reject", v.get("action").asText());
        assertEquals("malformed", v.get("findings").get(0).get("code").asText());
    }

    @Test
    void oversizedInputIsRejectedWithLimitsSize() throws Exception {
        Path config = file("small.yaml", "limits:\n  maxBytes: 1000\n".getBytes(StandardCharsets.UTF_8));
        byte[] big = Samples.event("REQUEST", "UID:u", "DESCRIPTION:" + "x".repeat(2000));
        JsonNode v = run("check", "--config", config.toString(), file("big.ics", big).toString()).json();
        assertEquals("reject", v.get("action").asText());
        assertEquals("limits.size", v.get("findings").get(0).get("code").asText());
        assertEquals("3.10;Request entity too large", v.get("requestStatus").asText());
    }

    @Test
    void thePolicyComesFromTheConfig() throws Exception {
        Path config = file("p.yaml", "policy:\n  rules:\n    - {code: malformed, action: hold}\n"
                .getBytes(StandardCharsets.UTF_8));
        JsonNode v = run("check", "--config", config.toString(), file("g.ics", "nonsense".getBytes(
                StandardCharsets.UTF_8)).toString()).json();
        assertEquals("hold", v.get("action").asText());
        assertEquals("recipient", v.get("approver").asText());
    }

    @Test
    void usageErrorsExitTwoWithOneLine() throws Exception {
        List<Run> runs = new ArrayList<>();
        runs.add(run("check"));
        runs.add(run("check", dir.resolve("missing.ics").toString()));
        runs.add(run("check", "--bogus", "x.ics"));
        runs.add(run("check", "--transport", "fax", file("a.ics", Samples.request()).toString()));
        runs.add(run("check", "--now", "yesterday", file("b.ics", Samples.request()).toString()));
        runs.add(run("check", "--recipient", "not an address", file("c.ics", Samples.request()).toString()));
        runs.add(run("check", "--config", file("bad.yaml", "limits: {maxBytes: x}".getBytes(
                StandardCharsets.UTF_8)).toString(), file("d.ics", Samples.request()).toString()));
        runs.add(run("frobnicate"));
        runs.add(run());
        runs.add(run("check", "--trust-authserv-id", "mx.example.org; spf=pass", file("e.ics", Samples.request())
                .toString()));
        for (Run r : runs) {
            assertEquals(2, r.status(), r.err());
            assertEquals("", r.out());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().startsWith("inboxguard: "), r.err());
        }
    }

    @Test
    void storedCopiesAndTheClockAreAccepted() throws Exception {
        Run r = run("check", file("reply.ics", Samples.reply()).toString(),
                "--stored", file("stored.ics", Samples.request()).toString(),
                "--known", "carol@example.com", "--now", "2026-11-21T10:00:00Z",
                "--transport", "imip", "--sender", "bob@example.com", "--from", "bob@example.com",
                "--authenticated", "example.com");
        assertEquals(0, r.status(), r.err());
        assertEquals("deliver", r.json().get("action").asText());
        Run broken = run("check", file("r2.ics", Samples.reply()).toString(),
                "--stored", file("junk.ics", "junk".getBytes(StandardCharsets.UTF_8)).toString());
        assertEquals(2, broken.status());
    }

    @Test
    void checkShowsWhatAMonitoredRuleWouldHaveDone() throws Exception {
        // an operator tries "hold every stranger" before enforcing it: the verdict stays the default's
        Path config = file("monitor.yaml", """
                policy:
                  rules:
                    - {code: sender.unknown, action: hold, monitor: true}
                """.getBytes(StandardCharsets.UTF_8));
        Run r = run("check", "--config", config.toString(), "--transport", "imip", "--sender", "olga@example.net",
                "--from", "olga@example.net", "--authenticated", "example.net", "--recipient", "bob@example.com",
                file("stranger.ics", new String(Samples.request(), StandardCharsets.UTF_8)
                        .replace("alice@example.com", "olga@example.net").getBytes(StandardCharsets.UTF_8)).toString());
        assertEquals(0, r.status(), r.err());
        JsonNode v = r.json();
        assertEquals("flag", v.get("action").asText(), v.toString());
        assertEquals("hold", v.get("monitor").get("action").asText(), v.toString());
        assertEquals("recipient", v.get("monitor").get("approver").asText(), v.toString());
        // without the monitored rule there is nothing to report
        Run plain = run("check", "--transport", "imip", "--sender", "olga@example.net", "--from", "olga@example.net",
                "--authenticated", "example.net", "--recipient", "bob@example.com",
                dir.resolve("stranger.ics").toString());
        assertFalse(plain.json().has("monitor"), plain.out());
    }
}
