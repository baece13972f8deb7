package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.mime.DkimVerificationTest;
import dev.inboxguard.server.InboxGuardServer;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import dev.inboxguard.storage.QueuedMail;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The iMIP gateway end to end on real sockets: alice's invitation leaves through the outbound queue to a real SMTP
 * relay (GreenMail), the remote attendee's DKIM-signed reply comes back through LMTP and updates her event, and
 * forged, tampered, oversized, duplicated and flooding mail gets the answer an MTA can act on.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImipGatewayTest {
    private static final String UID = "planning-1@example.com";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    @TempDir
    static Path data;
    static GreenMail relay;
    static int relayPort;
    static DkimVerificationTest.TestKey remoteKey;
    static GuardConfig config;
    static Database store;
    static InboxGuardServer server;
    static DavClient dav;
    static int lmtp;


    @BeforeAll
    static void start() throws Exception {
        // a port of its own, not port 0: the relay starts again on it in one test, after the guard has queued
        relay = startRelay(TestPorts.unused());
        relayPort = relay.getSmtp().getPort();
        remoteKey = DkimVerificationTest.key("example.net");
        config = guardConfig(data, remoteKey, relayPort, "smtp: {bind: 127.0.0.1, port: 0}");
        store = TestPostgres.open(data);
        startGuard();
        for (String user : List.of("alice", "bob", "carol")) {
            assertEquals(201, dav.send(user, "MKCALENDAR", "/dav/calendars/" + user + "/work/", null, null)
                    .statusCode());
        }
    }

    /**
     * The gateway's configuration for these tests: remote DKIM keys from the table, LMTP on a free port, the
     * relay with quick retries; {@code extraMail} adds to the mail section.
     */
    static GuardConfig guardConfig(Path dir, DkimVerificationTest.TestKey key, int relayPort, String extraMail)
            throws Exception {
        Path yaml = dir.resolve("guard.yaml");
        Files.writeString(yaml, """
                imip:
                  dkim: keys
                  dkimKeys: {"%s": "%s"}
                senders: {policy: known}   # Google's "only known senders": a stranger's invitation waits
                mail:
                  hostname: guard.example.com
                  lmtp: {bind: 127.0.0.1, port: 0}
                  %s
                  relay: {host: 127.0.0.1, port: %d, tls: none, username: relayuser, password: secret,
                          timeoutSeconds: 5, retrySeconds: [1]}
                """.formatted(key.name(), key.record(), extraMail, relayPort));
        return ConfigFile.load(yaml);
    }

    /** The i-th message of a flood of invitations from spam@example.org to carol. */
    static String spam(int i) {
        String ics = event("flood-" + i + "@example.org", "Buy now", "carol@example.com")
                .replace("ORGANIZER;CN=Alice:mailto:alice@example.com", "ORGANIZER:mailto:spam@example.org")
                .replace("ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com\r\n", "")
                .replace("BEGIN:VEVENT", "METHOD:REQUEST\r\nBEGIN:VEVENT");
        return email("spam@example.org", "carol@example.com", "REQUEST", "f" + i + "@example.org", ics);
    }

    /** An invitation from the remote organizer olga@example.net to one attendee. */
    static String remoteRequest(String uid, String attendee, String summary) {
        return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//remote//EN\r\nMETHOD:REQUEST\r\n"
                + "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:" + STAMP.format(Instant.now()) + "\r\n"
                + "DTSTART:20261210T090000Z\r\nDTEND:20261210T170000Z\r\nSUMMARY:" + summary + "\r\nSEQUENCE:0\r\n"
                + "ORGANIZER;CN=Olga:mailto:olga@example.net\r\n"
                + "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:" + attendee + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    }

    static GreenMail startRelay(int port) {
        GreenMail g = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP))
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("relayuser", "secret"));
        g.start();
        return g;
    }

    static void startGuard() throws Exception {
        server = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0), config, SchedulingTest.accounts(), store,
                Clock.systemUTC());
        dav = new DavClient(server.httpPort());
        lmtp = server.lmtpPort().orElseThrow();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        store.close();
        relay.stop();
    }

    static String event(String uid, String summary, String... attendees) {
        StringBuilder b = new StringBuilder("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
                + "UID:" + uid + "\r\nDTSTAMP:20261120T090000Z\r\nDTSTART:20261201T100000Z\r\n"
                + "DTEND:20261201T110000Z\r\nSUMMARY:" + summary + "\r\nSEQUENCE:0\r\n"
                + "ORGANIZER;CN=Alice:mailto:alice@example.com\r\n"
                + "ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com\r\n");
        for (String a : attendees) {
            b.append("ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:").append(a).append("\r\n");
        }
        return b.append("END:VEVENT\r\nEND:VCALENDAR\r\n").toString();
    }

    /** An iMIP e-mail with a single text/calendar part (RFC 6047 §2.4), CRLF line ends. */
    static String email(String from, String to, String method, String messageId, String ics) {
        return "From: " + from + "\r\nTo: " + to + "\r\nSubject: " + method + " about a meeting\r\n"
                + "Date: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <" + messageId + ">\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/calendar; charset=UTF-8; method=" + method + "\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\n" + ics;
    }

    static String reply(String partstat) {
        return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//remote//EN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
                + "UID:" + UID + "\r\nDTSTAMP:" + STAMP.format(Instant.now().plus(1, ChronoUnit.MINUTES)) + "\r\n"
                + "DTSTART:20261201T100000Z\r\nSEQUENCE:0\r\nORGANIZER:mailto:alice@example.com\r\n"
                + "ATTENDEE;PARTSTAT=" + partstat + ":mailto:remote@example.net\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    }


    static MimeMessage receivedBy(String address, int expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            List<MimeMessage> mine = new ArrayList<>();
            for (MimeMessage m : relay.getReceivedMessages()) {
                if (m.getAllRecipients() != null && m.getAllRecipients()[0].toString().equals(address)) {
                    mine.add(m);
                }
            }
            if (mine.size() >= expected) {
                return mine.get(expected - 1);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the relay got no message " + expected + " for " + address);
    }

    @Test
    @Order(1)
    void aliceInvitesARemoteAttendeeAndTheRelayGetsAValidImipRequest() throws Exception {
        assertEquals(201, dav.put("alice", "/dav/calendars/alice/work/planning.ics",
                event(UID, "Planning", "remote@example.net", "bob@example.com")).statusCode());
        MimeMessage m = receivedBy("remote@example.net", 1);
        assertEquals("alice@example.com", ((jakarta.mail.internet.InternetAddress) m.getFrom()[0]).getAddress());
        assertEquals("Alice", ((jakarta.mail.internet.InternetAddress) m.getFrom()[0]).getPersonal());
        assertEquals("Invitation: Planning", m.getSubject());
        assertTrue(m.getMessageID().endsWith("@guard.example.com>"), m.getMessageID());
        // the relay was greeted with mail.hostname, not with Angus Mail's guess ("localhost" on many hosts)
        assertTrue(String.join("\n", m.getHeader("Received")).contains("(HELO guard.example.com)"),
                String.join("\n", m.getHeader("Received")));
        assertTrue(m.getContentType().startsWith("multipart/alternative"), m.getContentType());
        MimeMultipart parts = (MimeMultipart) m.getContent();
        assertEquals(2, parts.getCount());
        assertTrue(parts.getBodyPart(0).getContentType().startsWith("text/plain"));
        // the text part is written for people: the time in words, the organizer's name, what the buttons do
        String text = (String) parts.getBodyPart(0).getContent();
        assertTrue(text.contains("Alice (alice@example.com) invites you to \u201cPlanning\u201d."), text);
        assertTrue(text.contains("When:      Tuesday 1 December 2026, 10:00\u201311:00 (UTC)"), text);
        assertTrue(text.contains("Organizer: Alice <alice@example.com>"), text);
        assertTrue(text.contains("Accept, Maybe and Decline there send your answer to alice@example.com"), text);
        assertFalse(text.contains("20261201T100000Z"), text);
        String type = parts.getBodyPart(1).getContentType().toLowerCase(java.util.Locale.ROOT);
        assertTrue(type.startsWith("text/calendar") && type.contains("method=request")
                && type.contains("charset=utf-8"), type);
        String ics = new String(parts.getBodyPart(1).getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .replace("\r\n ", "");
        assertTrue(ics.contains("METHOD:REQUEST"), ics);
        assertTrue(ics.contains("UID:" + UID), ics);
        assertTrue(SchedulingTest.line(ics, "ATTENDEE", "remote@example.net").contains("RSVP=TRUE"), ics);

        String mine = dav.get("alice", "/dav/calendars/alice/work/planning.ics");
        assertTrue(SchedulingTest.line(mine, "ATTENDEE", "remote@example.net").contains("SCHEDULE-STATUS=1.1"), mine);
        assertTrue(SchedulingTest.line(mine, "ATTENDEE", "bob@example.com").contains("SCHEDULE-STATUS=1.2"), mine);
        // the relay has the message a moment before the queue records that it took it
        JsonNode audit = null;
        boolean sent = false;
        for (int i = 0; i < 50 && !sent; i++) {
            Thread.sleep(i == 0 ? 0 : 100);
            audit = dav.api("alice", "/guard/api/audit").get("audit");
            for (JsonNode e : audit) {
                sent |= e.get("event").asText().equals("mail-sent") && e.get("recipient").asText()
                        .equals("mailto:remote@example.net");
            }
        }
        assertTrue(sent, String.valueOf(audit));
    }

    @Test
    @Order(2)
    void aTamperedReplyIsHeldAndADkimSignedReplyThroughLmtpUpdatesAlicesEvent() throws Exception {
        String signedDecline = remoteKey.sign(email("Remote <remote@example.net>", "alice@example.com", "REPLY",
                "r1@example.net", reply("DECLINED")));
        String tampered = signedDecline.replace("PARTSTAT=DECLINED", "PARTSTAT=ACCEPTED");
        List<String> r = MailDialogue.deliver(lmtp, true, "remote@example.net", List.of("alice@example.com"),
                tampered);
        assertEquals(1, r.size());
        assertTrue(r.get(0).startsWith("250 2.0.0"), r.toString()); // held for alice, not lost
        JsonNode held = dav.api("alice", "/guard/api/held").get("held");
        assertEquals(1, held.size(), held.toString());
        assertTrue(held.get(0).get("findings").toString().contains("sender.unauthenticated"), held.toString());
        assertEquals("imip", held.get(0).get("transport").asText());
        assertTrue(SchedulingTest.line(dav.get("alice", "/dav/calendars/alice/work/planning.ics"), "ATTENDEE",
                "remote@example.net").contains("PARTSTAT=NEEDS-ACTION"));

        String signed = remoteKey.sign(email("Remote <remote@example.net>", "alice@example.com", "REPLY",
                "r2@example.net", reply("ACCEPTED")));
        r = MailDialogue.deliver(lmtp, true, "remote@example.net", List.of("alice@example.com"), signed);
        assertTrue(r.get(0).startsWith("250 2.0.0"), r.toString());
        String mine = dav.get("alice", "/dav/calendars/alice/work/planning.ics");
        assertTrue(SchedulingTest.line(mine, "ATTENDEE", "remote@example.net").contains("PARTSTAT=ACCEPTED"), mine);
        assertEquals(1, dav.api("alice", "/guard/api/held").get("held").size(), "the signed reply was not held");

        // the MTA lost our 250 and sends the same message again: the same answer, and no second delivery
        int before = dav.api("alice", "/guard/api/inbox").get("inbox").size();
        r = MailDialogue.deliver(lmtp, true, "remote@example.net", List.of("alice@example.com"), signed);
        assertTrue(r.get(0).startsWith("250 2.0.0"), r.toString());
        assertEquals(before, dav.api("alice", "/guard/api/inbox").get("inbox").size());
    }

    @Test
    @Order(3)
    void aForgedCancelByMailIsRefusedWith550() throws Exception {
        String cancel = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nMETHOD:CANCEL\r\nBEGIN:VEVENT\r\n"
                + "UID:" + UID + "\r\nDTSTAMP:" + STAMP.format(Instant.now()) + "\r\nSEQUENCE:1\r\n"
                + "ORGANIZER:mailto:alice@example.com\r\nATTENDEE:mailto:bob@example.com\r\nSTATUS:CANCELLED\r\n"
                + "END:VEVENT\r\nEND:VCALENDAR\r\n";
        List<String> r = MailDialogue.deliver(lmtp, true, "mallory@evil.example", List.of("bob@example.com"),
                email("mallory@evil.example", "bob@example.com", "CANCEL", "c1@evil.example", cancel));
        assertTrue(r.get(0).startsWith("550 5.7.1"), r.toString());
        assertTrue(r.get(0).contains("3.8"), r.toString());
        String bobs = dav.send("bob", "PROPFIND", "/dav/calendars/bob/calendar/", null, null).body();
        assertFalse(bobs.contains("CANCELLED"));
        for (JsonNode item : dav.api("bob", "/guard/api/inbox").get("inbox")) {
            assertFalse(item.get("method").asText().equals("CANCEL"), item.toString());
        }
    }

    @Test
    @Order(4)
    void theListenersAnswerEachEnvelopeMistakeWithItsOwnCode() throws Exception {
        String ok = email("x@example.org", "carol@example.com", "REQUEST", "m@example.org", "");
        // unknown recipient, at RCPT time
        assertTrue(MailDialogue.deliver(lmtp, true, "x@example.org", List.of("nobody@example.com"), ok).get(0)
                .startsWith("550 5.1.1"));
        // no calendar part: this endpoint takes scheduling mail only
        String plain = "From: x@example.org\r\nTo: carol@example.com\r\nSubject: hi\r\nMessage-ID: <p@example.org>\r\n"
                + "Content-Type: text/plain\r\n\r\nJust a note.\r\n";
        assertTrue(MailDialogue.deliver(lmtp, true, "x@example.org", List.of("carol@example.com"), plain).get(0)
                .startsWith("550 5.6.0"));
        // unless the operator's MTA copies all mail here: then it is accepted and dropped
        GuardConfig.Mail m = config.mail();
        dev.inboxguard.imip.ImipGateway accepting = new dev.inboxguard.imip.ImipGateway(config.withMail(
                new GuardConfig.Mail(m.hostname(), m.lmtp(), m.smtp(), m.maxConnections(), m.idleTimeoutSeconds(),
                        "accept", m.relay())), server.caldav().scheduling().inbox(), SchedulingTest.accounts(), store.mail(),
                Clock.systemUTC());
        CalendarUserAddress carol = CalendarUserAddress.of("mailto:carol@example.com");
        // (another message: the receipt of the one above would give back its 550)
        byte[] another = plain.replace("<p@", "<p2@").getBytes(StandardCharsets.UTF_8);
        assertEquals(250, accepting.receive(another, Optional.of(CalendarUserAddress
                .of("mailto:x@example.org")), accepting.recipient(carol).orElseThrow(), carol, true).code());
        try (MailDialogue d = new MailDialogue(lmtp)) {
            assertTrue(d.greeting.startsWith("220 guard.example.com LMTP"), d.greeting);
            assertTrue(d.send("EHLO x").startsWith("500 5.5.1"), "LMTP wants LHLO");
            String lhlo = d.send("LHLO x");
            assertTrue(lhlo.contains("250-PIPELINING") && lhlo.contains("250 SIZE "), lhlo);
            assertTrue(d.send("RCPT TO:<carol@example.com>").startsWith("503"));
            assertTrue(d.send("MAIL FROM:<x@example.org> SIZE=999999999").startsWith("552 5.3.4"));
            assertTrue(d.send("MAIL FROM:<x@example.org> SMTPUTF8").startsWith("555"));
            assertTrue(d.send("MAIL FROM:x@example.org").startsWith("501"));
            assertTrue(d.send("X".repeat(5000)).startsWith("500 5.5.2"));
            assertTrue(d.send("MAIL FROM:<>").startsWith("250"), "the null sender is allowed");
            assertTrue(d.send("RCPT TO:<carol@example.com>").startsWith("250"));
            assertTrue(d.send("RSET").startsWith("250"));
            assertTrue(d.send("DATA").startsWith("503"));
            assertTrue(d.send("QUIT").startsWith("221"));
        }
        // SMTP: one recipient per transaction, so that each gets its own answer
        try (MailDialogue d = new MailDialogue(server.smtpPort().orElseThrow())) {
            assertTrue(d.greeting.startsWith("220 guard.example.com ESMTP"), d.greeting);
            assertTrue(d.send("LHLO x").startsWith("500"));
            assertTrue(d.send("EHLO x").contains("250 SIZE"));
            assertTrue(d.send("MAIL FROM:<remote@example.net>").startsWith("250"));
            assertTrue(d.send("RCPT TO:<bob@example.com>").startsWith("250"));
            assertTrue(d.send("RCPT TO:<carol@example.com>").startsWith("452 4.5.3"));
            String cancel = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nMETHOD:CANCEL\r\nBEGIN:VEVENT\r\n"
                    + "UID:" + UID + "\r\nDTSTAMP:" + STAMP.format(Instant.now()) + "\r\nSEQUENCE:1\r\n"
                    + "ORGANIZER:mailto:alice@example.com\r\nATTENDEE:mailto:bob@example.com\r\nEND:VEVENT\r\n"
                    + "END:VCALENDAR\r\n";
            List<String> r = d.data(email("remote@example.net", "bob@example.com", "CANCEL", "s1@example.net",
                    cancel), 1);
            assertTrue(r.get(0).startsWith("550 5.7.1"), r.toString());
        }
    }

    @Test
    @Order(5)
    void aFloodFromOneSenderIsToldToComeBackLater() throws Exception {
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            answers.addAll(MailDialogue.deliver(lmtp, true, "spam@example.org", List.of("carol@example.com"),
                    spam(i)));
        }
        assertEquals(10, answers.stream().filter(a -> a.startsWith("250")).count(), answers.toString());
        assertEquals(2, answers.stream().filter(a -> a.startsWith("451 4.7.1")).count(), answers.toString());
    }

    @Test
    @Order(6)
    void aCrlfInTheSummaryOrAnAddressChangesNoHeader() throws Exception {
        String ics = event("lunch-1@example.com", "Lunch\\nBcc: victim@evil.example\\nX-Evil: 1",
                "guest@example.net", "evil@example.net%0D%0ABcc:victim@evil.example");
        assertEquals(201, dav.put("alice", "/dav/calendars/alice/work/lunch.ics", ics).statusCode());
        MimeMessage m = receivedBy("guest@example.net", 1);
        assertNull(m.getHeader("Bcc"));
        assertNull(m.getHeader("X-Evil"));
        assertEquals("Invitation: Lunch Bcc: victim@evil.example X-Evil: 1", m.getSubject());
        Thread.sleep(500);
        for (MimeMessage any : relay.getReceivedMessages()) {
            assertFalse(any.getAllRecipients()[0].toString().contains("victim"), "mail went to the injected address");
        }
        // one invitation, to the one valid address; other mail (a notice of something held in an earlier test, sent
        // by a timer) may arrive meanwhile and is not counted
        long lunch = 0;
        for (MimeMessage any : relay.getReceivedMessages()) {
            if (any.getSubject() != null && any.getSubject().startsWith("Invitation: Lunch")) {
                lunch++;
            }
        }
        assertEquals(1, lunch);
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        m.writeTo(raw);
        String headers = raw.toString(StandardCharsets.ISO_8859_1).split("\r\n\r\n", 2)[0];
        assertFalse(headers.contains("\r\nBcc:") || headers.contains("\r\nX-Evil:"), headers);
        String mine = dav.get("alice", "/dav/calendars/alice/work/lunch.ics");
        assertTrue(SchedulingTest.line(mine, "ATTENDEE", "evil@example.net").contains("SCHEDULE-STATUS=3.7"), mine);
    }

    @Test
    @Order(7)
    void mailQueuedWhileTheRelayIsDownSurvivesARestartAndIsSentWhenItReturns() throws Exception {
        relay.stop();
        assertEquals(201, dav.put("alice", "/dav/calendars/alice/work/review.ics",
                event("review-1@example.com", "Review", "late@example.net")).statusCode());
        // the invitation is queued and has failed at least once
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Optional<QueuedMail> queued = Optional.empty();
        while (System.nanoTime() < deadline) {
            queued = store.mail().queue(Optional.of(QueuedMail.QUEUED), 10).stream()
                    .filter(q -> q.envelopeTo().equals("late@example.net") && !q.lastError().isEmpty()).findFirst();
            if (queued.isPresent()) {
                break;
            }
            Thread.sleep(100);
        }
        assertTrue(queued.isPresent(), "queued with an error");
        server.close();
        startGuard();
        relay = startRelay(relayPort);
        MimeMessage m = receivedBy("late@example.net", 1);
        assertEquals("Invitation: Review", m.getSubject());
        // the queue records "sent" just after the relay's answer, so the relay may have the message a moment before
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        boolean stillQueued = true;
        while (stillQueued && System.nanoTime() < deadline) {
            stillQueued = store.mail().queue(Optional.of(QueuedMail.QUEUED), 10).stream()
                    .anyMatch(q -> q.envelopeTo().equals("late@example.net"));
            if (stillQueued) {
                Thread.sleep(50);
            }
        }
        assertFalse(stillQueued, "the queue records it as sent");
    }

    @Test
    @Order(8)
    void dataEndsOnlyAtCrlfDotCrlfAndAnOversizedMessageIsReadToItsEnd() throws Exception {
        try (MailDialogue d = new MailDialogue(lmtp)) {
            d.send("LHLO x");
            assertTrue(d.send("MAIL FROM:<x@example.org>").startsWith("250"));
            assertTrue(d.send("RCPT TO:<carol@example.com>").startsWith("250"));
            assertTrue(d.send("DATA").startsWith("354"));
            // a dot after a bare LF is data, not the end (the SMTP smuggling confusion): the smuggled commands
            // stay data, so the reply after the message is NOOP's and not MAIL's
            d.raw("From: x@example.org\r\nSubject: s\r\n\r\nline\n.\nRSET\r\nline\n.\r\n"
                    + "MAIL FROM:<evil@example.org>\r\n.\r\n");
            String r = d.reply();
            assertTrue(r.startsWith("550 5.6.0"), r); // one message, with no calendar part
            assertEquals("250 2.0.0 OK", d.send("NOOP"), "still in step");

            assertTrue(d.send("MAIL FROM:<x@example.org>").startsWith("250"));
            assertTrue(d.send("RCPT TO:<carol@example.com>").startsWith("250"));
            assertTrue(d.send("DATA").startsWith("354"));
            String line = "X".repeat(998) + "\r\n";
            StringBuilder big = new StringBuilder("Subject: big\r\n\r\n");
            while (big.length() <= config.limits().maxMessageBytes()) {
                big.append(line);
            }
            d.raw(big + ".\r\n");
            r = d.reply();
            assertTrue(r.startsWith("552 5.3.4"), r);
            assertEquals("250 2.0.0 OK", d.send("NOOP"), "still in step after the oversized message");
        }
    }

    @Test
    @Order(8)
    void anMtaReusingOneConnectionIsNotCutOffForTheUnknownRecipientsOfEarlierMessages() throws Exception {
        try (MailDialogue d = new MailDialogue(lmtp)) {
            d.send("LHLO x");
            // RFC 2033 §4.2: no recipient accepted, so LMTP's DATA fails with 503 (SMTP's may say 554)
            assertTrue(d.send("MAIL FROM:<x@example.org>").startsWith("250"));
            assertTrue(d.send("RCPT TO:<nobody@example.com>").startsWith("550 5.1.1"));
            String none = d.send("DATA");
            assertTrue(none.startsWith("503 5.5.1"), none);
            assertTrue(d.send("RSET").startsWith("250"));
            // Postfix keeps an LMTP connection for the next messages; each brings an unknown recipient along. The
            // errors count only until mail is delivered, so the twelfth message is taken as the first was.
            for (int i = 0; i < 12; i++) {
                String sender = "reuse" + i + "@example.org";
                String ics = event("reuse-" + i + "@example.org", "Sync", "carol@example.com")
                        .replace("ORGANIZER;CN=Alice:mailto:alice@example.com", "ORGANIZER:mailto:" + sender)
                        .replace("ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com\r\n", "")
                        .replace("BEGIN:VEVENT", "METHOD:REQUEST\r\nBEGIN:VEVENT");
                assertTrue(d.send("MAIL FROM:<" + sender + ">").startsWith("250"));
                String unknown = d.send("RCPT TO:<nobody" + i + "@example.com>");
                assertTrue(unknown.startsWith("550 5.1.1"), i + ": " + unknown);
                assertTrue(d.send("RCPT TO:<carol@example.com>").startsWith("250"), "message " + i);
                List<String> r = d.data(email(sender, "carol@example.com", "REQUEST", "reuse" + i + "@example.org",
                        ics), 1);
                assertTrue(r.get(0).startsWith("250"), i + ": " + r);
            }
        }
    }

    @Test
    @Order(9)
    void theRelayIsNeverUsedInClearWhenStarttlsIsRequiredNorWithAWrongPassword() throws Exception {
        GuardConfig.Relay starttls = new GuardConfig.Relay("127.0.0.1", relayPort, "starttls", "", "", "", 5,
                null, 0);
        jakarta.mail.MessagingException e = org.junit.jupiter.api.Assertions.assertThrows(
                jakarta.mail.MessagingException.class, () -> new dev.inboxguard.imip.MailRelay(starttls).connect());
        assertTrue(String.valueOf(e.getMessage()).contains("STARTTLS"), e.getMessage());
        GuardConfig.Relay wrong = new GuardConfig.Relay("127.0.0.1", relayPort, "none", "relayuser", "guess", "", 5,
                null, 0);
        e = org.junit.jupiter.api.Assertions.assertThrows(jakarta.mail.MessagingException.class,
                () -> new dev.inboxguard.imip.MailRelay(wrong).connect());
        assertTrue(dev.inboxguard.imip.MailRelay.describe(e).startsWith("authentication refused"),
                dev.inboxguard.imip.MailRelay.describe(e));
    }

    @Test
    @Order(10)
    void ingestHandsAPipedMessageToTheRunningServer() throws Exception {
        String signed = remoteKey.sign(email("Remote <remote@example.net>", "alice@example.com", "REPLY",
                "r3@example.net", reply("TENTATIVE")));
        // a pipe from Postfix delivers LF line ends; the DKIM signature was made over CRLF and must still pass
        Ingest ok = ingest(signed.replace("\r\n", "\n"), "--lmtp", "127.0.0.1:" + lmtp, "--sender",
                "remote@example.net", "--recipient", "alice@example.com");
        assertEquals(0, ok.status(), ok.output());
        assertTrue(ok.output().contains("alice@example.com: 250 2.0.0"), ok.output());
        String mine = dav.get("alice", "/dav/calendars/alice/work/planning.ics");
        assertTrue(SchedulingTest.line(mine, "ATTENDEE", "remote@example.net").contains("PARTSTAT=TENTATIVE"), mine);

        Ingest unknown = ingest(signed, "--lmtp", "127.0.0.1:" + lmtp, "--sender", "remote@example.net",
                "--recipient", "nobody@example.com");
        assertEquals(67, unknown.status(), unknown.output());

        int closed = TestPorts.unused();
        Ingest down = ingest(signed, "--lmtp", "127.0.0.1:" + closed, "--recipient", "alice@example.com");
        assertEquals(75, down.status(), down.output());
        assertTrue(down.output().contains("is `inboxguard serve` running?"), down.output());

        Ingest usage = ingest(signed, "--lmtp", "nonsense", "--recipient", "alice@example.com");
        assertEquals(75, usage.status(), "a misconfigured pipe defers, so the MTA keeps the message: "
                + usage.output());
    }

    @Test
    @Order(11)
    void bobApprovesARemoteInvitationAndHisAcceptanceGoesBackByMail() throws Exception {
        String uid = "offsite-1@example.net";
        String request = remoteRequest(uid, "bob@example.com", "Offsite");
        List<String> r = MailDialogue.deliver(lmtp, true, "olga@example.net", List.of("bob@example.com"),
                remoteKey.sign(email("Olga <olga@example.net>", "bob@example.com", "REQUEST", "o1@example.net",
                        request)));
        assertTrue(r.get(0).startsWith("250 2.0.0"), r.toString());
        JsonNode held = dav.api("bob", "/guard/api/held").get("held");
        assertEquals(1, held.size(), "a first invitation from an unknown sender waits for bob: " + held);
        assertTrue(held.get(0).get("findings").toString().contains("sender.unknown"), held.toString());
        assertFalse(held.get(0).get("findings").toString().contains("sender.unauthenticated"), held.toString());
        assertEquals(200, dav.send("bob", "POST", "/guard/api/held/" + held.get(0).get("id").asText() + "/approve",
                null, null).statusCode());

        String path = dav.pathOf("bob", "/dav/calendars/bob/calendar/", uid);
        String copy = dav.get("bob", path);
        String mine = SchedulingTest.line(copy, "ATTENDEE", "bob@example.com");
        assertTrue(mine.contains("PARTSTAT=NEEDS-ACTION"), copy);
        assertEquals(204, dav.put("bob", path, copy.replace(mine, mine.replace("NEEDS-ACTION", "ACCEPTED")))
                .statusCode());
        MimeMessage m = receivedBy("olga@example.net", 1);
        assertEquals("Accepted: Offsite", m.getSubject());
        assertEquals("bob@example.com", ((jakarta.mail.internet.InternetAddress) m.getFrom()[0]).getAddress());
        MimeMultipart parts = (MimeMultipart) m.getContent();
        assertTrue(parts.getBodyPart(1).getContentType().toLowerCase(java.util.Locale.ROOT).contains("method=reply"));
        String ics = new String(parts.getBodyPart(1).getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                .replace("\r\n ", "");
        assertTrue(ics.contains("METHOD:REPLY") && SchedulingTest.line(ics, "ATTENDEE", "bob@example.com")
                .contains("PARTSTAT=ACCEPTED"), ics);
        assertTrue(SchedulingTest.line(dav.get("bob", path), "ORGANIZER", "olga@").contains("SCHEDULE-STATUS=1.1"));
    }

    @Test
    void someoneTheUserInvitedIsKnownToThemAfterwards() throws Exception {
        // alice invites zed; under "known senders only", zed's own invitation then reaches her, yan's waits
        assertEquals(201, dav.put("alice", "/dav/calendars/alice/work/kickoff.ics",
                event("kickoff-1@example.com", "Kickoff", "zed@example.net")).statusCode());
        for (String who : List.of("zed", "yan")) {
            String uid = "review-" + who + "@example.net";
            String ics = remoteRequest(uid, "alice@example.com", "Review with " + who)
                    .replace("ORGANIZER;CN=Olga:mailto:olga@example.net", "ORGANIZER:mailto:" + who + "@example.net");
            List<String> r = MailDialogue.deliver(lmtp, true, who + "@example.net", List.of("alice@example.com"),
                    remoteKey.sign(email(who + " <" + who + "@example.net>", "alice@example.com", "REQUEST",
                            who + "1@example.net", ics)));
            assertTrue(r.get(0).startsWith("250 2.0.0"), r.toString());
        }
        String held = dav.api("alice", "/guard/api/held").toString();
        assertFalse(held.contains("review-zed@example.net"), "zed, whom alice invited, is known: " + held);
        assertTrue(held.contains("review-yan@example.net"), "yan is a stranger: " + held);
        assertTrue(dav.api("alice", "/guard/api/inbox").toString().contains("review-zed@example.net"));
    }

    @Test
    void aMessageForThreeRecipientsHasItsDkimSignatureCheckedOnce() throws Exception {
        // reading the MIME and checking DKIM (which may mean DNS waits) depend on the message, not the recipient
        String ics = remoteRequest("offsite@example.net", "bob@example.com", "Offsite")
                .replace("END:VEVENT", "ATTENDEE;RSVP=TRUE:mailto:carol@example.com\r\n"
                        + "ATTENDEE;RSVP=TRUE:mailto:dave@example.com\r\nEND:VEVENT");
        String signed = remoteKey.sign(email("Olga <olga@example.net>", "bob@example.com", "REQUEST",
                "offsite1@example.net", ics));
        String before = metrics();
        List<String> r = MailDialogue.deliver(lmtp, true, "olga@example.net",
                List.of("bob@example.com", "carol@example.com", "dave@example.com"), signed);
        assertEquals(3, r.size(), r.toString());
        for (String reply : r) {
            assertTrue(reply.startsWith("250 2.0.0"), r.toString());
        }
        String after = metrics();
        assertEquals(1.0, sample(after, "inboxguard_mail_dkim_total", "result=\"pass\"")
                - sample(before, "inboxguard_mail_dkim_total", "result=\"pass\""), after);
        assertEquals(3.0, sample(after, "inboxguard_mail_replies_total",
                "code=\"250\",listener=\"lmtp\"") - sample(before,
                "inboxguard_mail_replies_total", "code=\"250\",listener=\"lmtp\""), after);
        for (String user : List.of("bob", "carol", "dave")) {
            // held for a user who does not know olga, delivered to one who approved her before
            assertTrue((dav.api(user, "/guard/api/held").toString() + dav.api(user, "/guard/api/inbox"))
                    .contains("offsite@example.net"), "handled for " + user);
        }
    }

    /** A counter's value on the metrics page, 0 before its first count. */
    private static double sample(String text, String name, String labels) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^" + java.util.regex.Pattern.quote(name
                + "{" + labels) + ",?\\} ([0-9.eE+-]+)$").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static String metrics() throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                .newBuilder(java.net.URI.create("http://127.0.0.1:" + server.httpPort() + "/metrics")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.body();
    }

    private record Ingest(int status, String output) {
    }

    private static Ingest ingest(String message, String... options) throws Exception {
        Path jar = Path.of(System.getProperty("inboxguard.jar", "../plugin-impl/target/inboxguard.jar"));
        List<String> command = new ArrayList<>(JarCommandLine.of(jar, "128m", "ingest"));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(message.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Ingest(p.exitValue(), out);
    }
}
