package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.util.GreenMail;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.server.InboxGuardServer;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import jakarta.mail.internet.MimeMessage;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bounces (RFC 3464) for mail the relay accepted: a delivery status notification that comes back through LMTP to
 * the organizer, from the null sender, puts the failure into the organizer's copy (RFC 6638 §3.2.9): 3.7 for an
 * address that does not exist (5.1.x), 5.1 for anything else. Only the user the message came from can be told, and
 * a delay changes nothing.
 */
class DeliveryStatusTest {
    @TempDir
    Path data;

    @Test
    void aBounceForAnInvitationShowsInTheOrganizersCopy() throws Exception {
        GreenMail relay = ImipGatewayTest.startRelay(0);
        Path yaml = data.resolve("guard.yaml");
        Files.writeString(yaml, """
                mail:
                  hostname: guard.example.com
                  lmtp: {bind: 127.0.0.1, port: 0}
                  relay: {host: 127.0.0.1, port: %d, tls: none, username: relayuser, password: secret,
                          timeoutSeconds: 5, retrySeconds: [1]}
                """.formatted(relay.getSmtp().getPort()));
        GuardConfig config = ConfigFile.load(yaml);
        try (Database store = TestPostgres.open(data.resolve("db"));
             InboxGuardServer server = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0), config,
                     SchedulingTest.accounts(), store, Clock.systemUTC())) {
            DavClient dav = new DavClient(server.httpPort());
            int lmtp = server.lmtpPort().orElseThrow();
            String path = "/dav/calendars/alice/calendar/offsite.ics";
            String event = SchedulingTest.event("offsite-1", "alice", null, "bob", "carol")
                    .replace("mailto:bob@example.com", "mailto:nobody@remote.example")
                    .replace("mailto:carol@example.com", "mailto:full@remote.example");
            assertEquals(201, dav.put("alice", path, event).statusCode());
            assertTrue(relay.waitForIncomingEmail(10_000, 2), "the relay did not get both invitations");
            String toNobody = messageIdTo(relay, "nobody@remote.example");
            String toFull = messageIdTo(relay, "full@remote.example");

            // someone else cannot mark alice's mail: the notification must come to the address it was sent from
            assertAccepted(MailDialogue.deliver(lmtp, true, "", List.of("bob@example.com"),
                    report(toNobody, "nobody@remote.example", "failed", "5.1.1", "bob@example.com")));
            // a delay is only a delay
            assertAccepted(MailDialogue.deliver(lmtp, true, "", List.of("alice@example.com"),
                    report(toNobody, "nobody@remote.example", "delayed", "4.4.1", "alice@example.com")));
            Thread.sleep(300);
            String copy = dav.get("alice", path);
            assertTrue(SchedulingTest.line(copy, "ATTENDEE", "nobody@").contains("SCHEDULE-STATUS=1.1"), copy);

            assertAccepted(MailDialogue.deliver(lmtp, true, "", List.of("alice@example.com"),
                    report(toNobody, "nobody@remote.example", "failed", "5.1.1", "alice@example.com")));
            assertAccepted(MailDialogue.deliver(lmtp, true, "", List.of("alice@example.com"),
                    report(toFull, "full@remote.example", "failed", "5.2.2", "alice@example.com")));
            copy = dav.get("alice", path);
            assertTrue(SchedulingTest.line(copy, "ATTENDEE", "nobody@").contains("SCHEDULE-STATUS=3.7"), copy);
            assertTrue(SchedulingTest.line(copy, "ATTENDEE", "full@").contains("SCHEDULE-STATUS=5.1"), copy);

            JsonNode sent = new ObjectMapper().readTree(dav.send("alice", "GET", "/guard/api/sent", null, null)
                    .body()).get("sent");
            int bounced = 0;
            for (JsonNode s : sent) {
                if (s.get("outcome").asText().equals("mail bounced")) {
                    bounced++;
                    assertTrue(s.get("requestStatus").asText().matches("(3\\.7|5\\.1);.*bounced: 5\\.[12]\\.[12].*"),
                            s.toString());
                }
            }
            assertEquals(2, bounced, sent.toString());

            // the same notification again, as an MTA retrying would send it, changes nothing more
            assertAccepted(MailDialogue.deliver(lmtp, true, "", List.of("alice@example.com"),
                    report(toNobody, "nobody@remote.example", "failed", "5.1.1", "alice@example.com")
                            .replace("Arrival-Date", "X-Resent: yes\r\nArrival-Date")));
            JsonNode audit = new ObjectMapper().readTree(dav.send("alice", "GET", "/guard/api/audit", null, null)
                    .body()).get("audit");
            int rows = 0;
            for (JsonNode a : audit) {
                rows += a.get("event").asText().equals("mail-bounced") ? 1 : 0;
            }
            assertEquals(2, rows, audit.toString());
        } finally {
            relay.stop();
        }
    }

    private static void assertAccepted(List<String> replies) {
        assertEquals(1, replies.size(), replies.toString());
        assertTrue(replies.get(0).startsWith("250 2.0.0"), replies.toString());
    }

    private static String messageIdTo(GreenMail relay, String to) throws Exception {
        for (MimeMessage m : relay.getReceivedMessages()) {
            if (m.getAllRecipients()[0].toString().equals(to)) {
                return m.getHeader("Message-ID")[0];
            }
        }
        throw new AssertionError("nothing was sent to " + to);
    }

    /** A delivery status notification in the shape MTAs send (RFC 3464 §2), with the original header returned. */
    static String report(String messageId, String recipient, String action, String status, String to) {
        return "From: MAILER-DAEMON@relay.example.org\r\nTo: " + to + "\r\n"
                + "Subject: Undelivered Mail Returned to Sender\r\nDate: Wed, 02 Dec 2026 10:00:00 +0000\r\n"
                + "Message-ID: <report-" + Math.abs(messageId.hashCode()) + action + "@relay.example.org>\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: multipart/report; report-type=delivery-status; boundary=\"=_b1\"\r\n\r\n"
                + "--=_b1\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n"
                + "Your message could not be delivered to one or more recipients.\r\n\r\n"
                + "--=_b1\r\nContent-Type: message/delivery-status\r\n\r\n"
                + "Reporting-MTA: dns; relay.example.org\r\nArrival-Date: Wed, 02 Dec 2026 09:59:58 +0000\r\n\r\n"
                + "Final-Recipient: rfc822; " + recipient + "\r\nOriginal-Recipient: rfc822;" + recipient + "\r\n"
                + "Action: " + action + "\r\nStatus: " + status + "\r\n"
                + "Diagnostic-Code: smtp; 550 " + status + " <" + recipient + ">: not here\r\n\r\n"
                + "--=_b1\r\nContent-Type: text/rfc822-headers\r\n\r\n"
                + "From: alice@example.com\r\nTo: " + recipient + "\r\nSubject: Invitation: Team sync\r\n"
                + "Message-ID: " + messageId + "\r\n\r\n"
                + "--=_b1--\r\n";
    }
}
