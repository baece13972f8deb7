package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.mime.DkimVerificationTest;
import dev.inboxguard.server.InboxGuardServer;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MX recipe of docs/imip.md with Debian's real Postfix and OpenDKIM in front of InboxGuard's LMTP listener:
 * Postfix takes mail by SMTP on loopback, OpenDKIM verifies signatures (keys from a file, no DNS) and stamps
 * {@code Authentication-Results: mx.example.org} above Postfix's own {@code Received:}, header_checks drops inbound
 * headers that carry that authserv-id, reject_unverified_recipient asks the guard about recipients, and carol's and
 * dave's mail takes the pipe(8) recipe through {@code inboxguard ingest}. The scripts are in
 * {@code src/test/resources/postfix}. {@code .ci/run} installs the packages; without them (and without root) the
 * test is skipped locally, and fails under CI.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PostfixOpenDkimTest {
    private static final String UID = "postfix-planning@example.com";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Path JAR = Path.of(System.getProperty("inboxguard.jar",
            "../plugin-impl/target/inboxguard.jar"));

    @TempDir
    static Path data;
    static Path base;
    static Database store;
    static InboxGuardServer server;
    static DavClient dav;
    static DkimVerificationTest.TestKey erinKey;
    static int smtp;
    static int lmtp;
    static int stamp;

    static boolean available() throws Exception {
        boolean installed = Files.isExecutable(Path.of("/usr/sbin/postfix"))
                && Files.isExecutable(Path.of("/usr/sbin/opendkim"));
        Process id = new ProcessBuilder("id", "-u").start();
        boolean root = new String(id.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip().equals("0");
        return installed && root;
    }

    @BeforeAll
    static void start() throws Exception {
        boolean ready = available();
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(ready, "CI installs postfix and opendkim and runs as root (.ci/run)");
        }
        Assumptions.assumeTrue(ready, "postfix and opendkim are not installed, or this is not root");
        assertTrue(Files.isRegularFile(JAR), "build plugin-impl first");
        Path yaml = data.resolve("guard.yaml");
        Files.writeString(yaml, """
                imip:
                  trustedAuthservIds: [mx.example.org]
                  dkim: "off"
                mail:
                  hostname: guard.example.com
                  lmtp: {bind: 127.0.0.1, port: 0}
                # a strict operator: every unauthenticated message waits, RSVPs included (the default flags an
                # RSVP-only reply), and so does a stranger's invitation, so each trust decision shows as a hold
                senders: {policy: known}
                policy:
                  rules:
                    - {code: sender.unauthenticated, action: hold, approver: recipient}
                """);
        GuardConfig config = ConfigFile.load(yaml);
        store = TestPostgres.open(data);
        server = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0), config, SchedulingTest.accounts(),
                store, Clock.systemUTC());
        dav = new DavClient(server.httpPort());
        lmtp = server.lmtpPort().orElseThrow();
        erinKey = DkimVerificationTest.key("example.net");

        // Postfix's users (postfix, opendkim, nobody) must reach the directory; JUnit's @TempDir is private
        base = Files.createTempDirectory(Path.of("/tmp"), "inboxguard-mx-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String script : List.of("start.sh", "stop.sh")) {
            Files.copy(Path.of("src/test/resources/postfix", script), base.resolve(script));
        }
        Path jar = Files.copy(JAR, base.resolve("inboxguard.jar"), StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(jar, PosixFilePermissions.fromString("rw-r--r--"));
        Path launcher = Files.copy(JAR.resolveSibling("inboxguard"), base.resolve("inboxguard"),
                StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        // the docs' pipe(8) recipe: one recipient per invocation, the exit status in sysexits.h terms
        // (it keeps a copy of what Postfix handed over, so the test can see which headers survived)
        Path piped = Files.createDirectories(base.resolve("piped"));
        Files.setPosixFilePermissions(piped, PosixFilePermissions.fromString("rwxrwxrwx"));
        // (the copy appears whole or not at all: written beside, then renamed)
        Files.writeString(base.resolve("pipe.sh"), "#!/bin/sh\ncopy=" + piped + "/\"$2\".eml\n"
                + "cat > \"$copy.part\" && mv \"$copy.part\" \"$copy\" || exit 75\n"
                + "JAVA_HOME='" + System.getProperty("java.home") + "' INBOXGUARD_HEAP=128m exec '" + launcher
                + "' ingest --lmtp 127.0.0.1:" + lmtp + " --sender \"$1\" --recipient \"$2\" < \"$copy\"\n");
        smtp = TestPorts.unused();
        int milter = TestPorts.unused();
        int sink = TestPorts.unused();
        Process p = new ProcessBuilder("sh", base.resolve("start.sh").toString(), base.resolve("mx").toString(),
                String.valueOf(smtp), String.valueOf(milter), String.valueOf(lmtp), String.valueOf(sink))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "the MX started: " + out);
        Files.copy(base.resolve("pipe.sh"), base.resolve("mx/pipe.sh"), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(base.resolve("mx/opendkim/test-keys"), erinKey.name() + " " + erinKey.record() + "\n");

        assertEquals(201, dav.send("alice", "MKCALENDAR", "/dav/calendars/alice/work/", null, null).statusCode());
        assertEquals(201, dav.put("alice", "/dav/calendars/alice/work/planning.ics", event()).statusCode());
    }

    @AfterAll
    static void stop() throws Exception {
        if (base != null) {
            Process p = new ProcessBuilder("sh", base.resolve("stop.sh").toString(), base.resolve("mx").toString())
                    .redirectErrorStream(true).start();
            p.waitFor(30, TimeUnit.SECONDS);
            try (java.util.stream.Stream<Path> files = Files.walk(base)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(f);
                }
            }
        }
        if (server != null) {
            server.close();
            store.close();
        }
    }

    static String event() {
        return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:" + UID + "\r\n"
                + "DTSTAMP:20261120T090000Z\r\nDTSTART:20261210T100000Z\r\nDTEND:20261210T110000Z\r\n"
                + "SUMMARY:Planning\r\nSEQUENCE:0\r\nORGANIZER;CN=Alice:mailto:alice@example.com\r\n"
                + "ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com\r\n"
                + "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:erin@example.net\r\n"
                + "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.com\r\n"
                + "END:VEVENT\r\nEND:VCALENDAR\r\n";
    }

    /** erin's REPLY as an e-mail; each call a new Message-ID and DTSTAMP, so no two are the same message. */
    static String reply(String partstat, String extraHeaders, String to) {
        int n = ++stamp;
        String ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//remote//EN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
                + "UID:" + UID + "\r\nDTSTAMP:" + STAMP.format(Instant.now().plus(n, ChronoUnit.SECONDS)) + "\r\n"
                + "DTSTART:20261210T100000Z\r\nSEQUENCE:0\r\nORGANIZER:mailto:alice@example.com\r\n"
                + "ATTENDEE;PARTSTAT=" + partstat + ":mailto:erin@example.net\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        return extraHeaders + "From: Erin <erin@example.net>\r\nTo: " + to + "\r\nSubject: " + partstat + "\r\n"
                + "Date: Wed, 02 Dec 2026 06:00:00 +0000\r\nMessage-ID: <reply-" + n + "-" + System.nanoTime()
                + "@example.net>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/calendar; charset=UTF-8; method=REPLY\r\n\r\n" + ics;
    }

    private static String erinIn(String user) throws Exception {
        return SchedulingTest.line(dav.get(user, "/dav/calendars/" + user + "/work/planning.ics"), "ATTENDEE",
                "erin@example.net");
    }

    private static JsonNode held(String user) throws Exception {
        return dav.api(user, "/guard/api/held").get("held");
    }

    private static List<String> pipedSent() {
        try {
            return log().lines().filter(l -> l.contains("relay=inboxguard") && l.contains("status=sent")).toList();
        } catch (Exception e) {
            throw new IllegalStateException("the Postfix log could not be read", e);
        }
    }

    private static void waitFor(String what, BooleanSupplier condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(100);
        }
        String log = log();
        throw new AssertionError("timed out waiting for " + what + "; Postfix's log:\n"
                + log.substring(Math.max(0, log.length() - 6000)));
    }

    /** Postfix's log line for the delivery to mallory, leaving out address-verification probes. */
    private static Optional<String> malloryDelivery() {
        return log().lines().filter(l -> l.contains("to=<mallory@example.com>"))
                .filter(l -> !l.contains("status=deliverable") && !l.contains("status=undeliverable"))
                .filter(l -> l.contains("status=")).reduce((a, b) -> b);
    }

    private static String log() {
        try {
            return Files.readString(base.resolve("mx/log/postfix.log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** What the pipe last handed to {@code inboxguard ingest} for this recipient, headers only. */
    private static String pipedHeaders(String recipient) throws IOException {
        String mail = Files.readString(base.resolve("piped/" + recipient + ".eml"));
        return mail.substring(0, mail.indexOf("\n\n") < 0 ? mail.length() : mail.indexOf("\n\n"));
    }

    private static List<String> submit(String from, List<String> to, String message) throws IOException {
        return MailDialogue.deliver(smtp, false, from, to, message);
    }

    private static BooleanSupplier heldCount(String user, int n) {
        return () -> {
            try {
                return held(user).size() == n;
            } catch (Exception e) {
                return false;
            }
        };
    }

    @Test
    @Order(1)
    void aDkimSignedReplyIsAuthenticatedByOpenDkimAndUpdatesTheEvent() throws Exception {
        List<String> r = submit("erin@example.net", List.of("alice@example.com"),
                erinKey.sign(reply("ACCEPTED", "", "alice@example.com")));
        assertTrue(r.get(0).startsWith("250"), r.toString());
        waitFor("erin's acceptance in alice's event", () -> {
            try {
                return erinIn("alice").contains("PARTSTAT=ACCEPTED");
            } catch (Exception e) {
                return false;
            }
        });
        assertEquals(0, held("alice").size());
    }

    @Test
    @Order(2)
    void aTamperedReplyIsNotAuthenticatedAndWaitsForAlice() throws Exception {
        String tampered = erinKey.sign(reply("DECLINED", "", "alice@example.com"))
                .replace("PARTSTAT=DECLINED", "PARTSTAT=TENTATIVE");
        assertTrue(submit("erin@example.net", List.of("alice@example.com"), tampered).get(0).startsWith("250"));
        waitFor("the tampered reply held for alice", heldCount("alice", 1));
        assertTrue(held("alice").get(0).get("findings").toString().contains("sender.unauthenticated"));
        assertTrue(erinIn("alice").contains("PARTSTAT=ACCEPTED"), "unchanged");
    }

    @Test
    @Order(3)
    void aForgedSpfOnlyAuthenticationResultsIsNotBelieved() throws Exception {
        // the attack: the sender writes our MX's authserv-id and an SPF pass into its own headers. It goes
        // to alice (LMTP, who holds the event) and to carol (the pipe, which keeps a copy of what it was given)
        String forged = "Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=erin@example.net\r\n";
        List<String> to = List.of("alice@example.com", "carol@example.com");
        assertTrue(submit("erin@example.net", to, reply("DECLINED", forged, "alice@example.com")).get(0)
                .startsWith("250"));
        waitFor("the forged reply held for alice", heldCount("alice", 2));
        waitFor("the forged reply through the pipe", () -> Files.exists(base.resolve("piped/carol@example.com.eml")));
        assertFalse(pipedHeaders("carol@example.com").contains("spf=pass"), "header_checks dropped it");

        // the pipeline: the same MX without header_checks. OpenDKIM keeps an SPF-only header, so the
        // forged one reaches the guard, below the MX's Received, and the guard must ignore it by itself
        Path conf = base.resolve("mx/postfix-conf");
        run("postconf", "-c", conf.toString(), "-e", "header_checks =");
        reload(conf);
        Files.delete(base.resolve("piped/carol@example.com.eml"));
        assertTrue(submit("erin@example.net", to, reply("DECLINED", forged, "alice@example.com")).get(0)
                .startsWith("250"));
        waitFor("the second forged reply held for alice", heldCount("alice", 3));
        waitFor("the second forged reply through the pipe",
                () -> Files.exists(base.resolve("piped/carol@example.com.eml")));
        String headers = pipedHeaders("carol@example.com");
        assertTrue(headers.contains("spf=pass"), "this time the forged header came through:\n" + headers);
        assertTrue(headers.indexOf("spf=pass") > headers.indexOf("Received:"), "below the MX's Received:\n"
                + headers);
        assertTrue(headers.indexOf("dkim=none") < headers.indexOf("Received:"), "OpenDKIM's own header on top:\n"
                + headers);
        for (JsonNode item : held("alice")) {
            assertTrue(item.get("findings").toString().contains("sender.unauthenticated"), item.toString());
        }
        assertTrue(erinIn("alice").contains("PARTSTAT=ACCEPTED"), "no forged DECLINE reached the event");
        run("postconf", "-c", conf.toString(), "-e", "header_checks = regexp:" + conf.resolve("header_checks"));
        reload(conf);
    }

    @Test
    @Order(4)
    void oneMessageForSeveralRecipientsGetsAnAnswerForEach() throws Exception {
        // alice holds the event, mallory does not: the guard delivers to alice and refuses mallory (event.unknown), and
        // an unknown user is refused by Postfix itself, asking the guard first (reject_unverified_recipient)
        List<String> r = submit("erin@example.net", List.of("alice@example.com", "mallory@example.com",
                "nobody@example.com"), erinKey.sign(reply("TENTATIVE", "", "alice@example.com, mallory@example.com")));
        assertEquals(2, r.size(), r.toString());
        assertTrue(r.get(0).startsWith("550") && r.get(0).contains("nobody@example.com"), r.toString());
        assertTrue(r.get(1).startsWith("250"), r.toString());
        waitFor("erin's tentative answer in alice's event", () -> {
            try {
                return erinIn("alice").contains("PARTSTAT=TENTATIVE");
            } catch (Exception e) {
                return false;
            }
        });
        // reject_unverified_recipient's probe also logs a line for mallory (status=deliverable), so wait for the
        // line of the delivery itself, whatever its outcome, and only then judge it
        waitFor("Postfix's per-recipient outcome for mallory", () -> malloryDelivery().isPresent());
        String mallory = malloryDelivery().orElseThrow();
        assertTrue(mallory.contains("status=bounced") && mallory.contains("550 5.7.1"), mallory);
    }

    @Test
    @Order(5)
    void theDocsPipeRecipeDeliversOncePerRecipient() throws Exception {
        assertEquals(201, dav.send("carol", "MKCALENDAR", "/dav/calendars/carol/work/", null, null).statusCode());
        String ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//remote//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
                + "UID:pipe-" + System.nanoTime() + "@example.net\r\nDTSTAMP:" + STAMP.format(Instant.now())
                + "\r\nDTSTART:20261214T090000Z\r\nDTEND:20261214T100000Z\r\nSUMMARY:Offsite\r\nSEQUENCE:0\r\n"
                + "ORGANIZER;CN=Erin:mailto:erin@example.net\r\n"
                + "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:carol@example.com\r\n"
                + "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:dave@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        String mail = "From: Erin <erin@example.net>\r\nTo: carol@example.com, dave@example.com\r\n"
                + "Subject: Offsite\r\nDate: Wed, 02 Dec 2026 06:00:00 +0000\r\nMessage-ID: <pipe-"
                + System.nanoTime() + "@example.net>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/calendar; charset=UTF-8; method=REQUEST\r\n\r\n" + ics;
        List<String> r = submit("erin@example.net", List.of("carol@example.com", "dave@example.com"),
                erinKey.sign(mail));
        assertTrue(r.get(0).startsWith("250"), r.toString());
        // erin is a stranger to both, so each holds it; what matters is that each got it, once
        waitFor("the invitation with carol and with dave", () -> heldCount("carol", 1).getAsBoolean()
                && heldCount("dave", 1).getAsBoolean());
        // Postfix logs a delivery once the pipe command has exited, which may be after the server has the item
        waitFor("Postfix's two pipe deliveries in its log", () -> pipedSent().size() >= 2);
        List<String> piped = pipedSent();
        assertEquals(2, piped.size(), String.join("\n", piped));
        assertTrue(piped.stream().anyMatch(l -> l.contains("to=<carol@example.com>")));
        assertTrue(piped.stream().anyMatch(l -> l.contains("to=<dave@example.com>")));
        for (String user : List.of("carol", "dave")) {
            String findings = held(user).get(0).get("findings").toString();
            assertFalse(findings.contains("sender.unauthenticated"), "OpenDKIM's pass came through the pipe: "
                    + findings);
        }
    }

    /** Reloads Postfix and waits until its master has logged the reload, so new mail meets the new settings. */
    private static void reload(Path conf) throws Exception {
        long before = log().lines().filter(l -> l.contains("reload -- version")).count();
        run("postfix", "-c", conf.toString(), "reload");
        waitFor("Postfix's reload", () -> log().lines().filter(l -> l.contains("reload -- version")).count()
                > before);
        // the cleanup daemons that read header_checks are restarted as they finish; one idle second is plenty
        Thread.sleep(1000);
    }

    private static void run(String... command) throws Exception {
        List<String> c = new ArrayList<>(List.of(command));
        c.set(0, "/usr/sbin/" + command[0]);
        Process p = new ProcessBuilder(c).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, String.join(" ", command) + ": " + out);
    }
}
