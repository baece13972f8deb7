package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.server.InboxGuardServer;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A message the guard could not judge just now (an authentication lookup that timed out, RFC 8601 temperror) is
 * answered 451, and the MTA tries it again. Each attempt passes the rate check before the sender check finds the
 * temporary error. Counted at every attempt against the recipient's allowance, which every sender shares, the
 * retries would use it up while the DNS was down, and other senders' mail, then this one's, would be refused as a
 * flood. The sender's own (here unauthenticated) allowance still counts them, so a sender whose lookups never answer
 * is still shed.
 */
class RefusedForNowTest {
    @TempDir
    Path data;

    @Test
    void attemptsAskedToComeBackAreNotCountedAgainstTheRateLimits() throws Exception {
        Path yaml = Files.writeString(data.resolve("guard.yaml"), """
                imip:
                  trustedAuthservIds: [mx.example.com]
                mail:
                  lmtp: {bind: 127.0.0.1, port: 0}
                rates:
                  perPair: {burst: 2, perHour: 1}
                  perRecipient: {burst: 2, perHour: 1}
                """);
        GuardConfig config = ConfigFile.load(yaml);
        try (Database store = TestPostgres.open(data.resolve("db"));
             InboxGuardServer server = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0), config,
                     SchedulingTest.accounts(), store, Clock.systemUTC())) {
            int lmtp = server.lmtpPort().orElseThrow();
            // the border MTA's verdict on each attempt: the key's lookup timed out three times, then it answered.
            // The first two are asked to come back; the third is over the unauthenticated sender's own pair limit;
            // the fourth, authenticated, still finds the recipient's allowance whole
            List<String> dkim = List.of("temperror", "temperror", "temperror", "pass");
            List<String> expected = List.of("451 4.3.0", "451 4.3.0", "451 4.7.1", "250 ");
            for (int i = 0; i < dkim.size(); i++) {
                List<String> reply = MailDialogue.deliver(lmtp, true, "olga@example.net", List.of("bob@example.com"),
                        "Authentication-Results: mx.example.com; dkim=" + dkim.get(i) + " header.d=example.net\r\n"
                                + ImipGatewayTest.email("olga@example.net", "bob@example.com", "REQUEST",
                                        "come-back@example.net", invitation()));
                assertTrue(reply.get(0).startsWith(expected.get(i)), "attempt " + (i + 1) + ": " + reply);
            }
            assertEquals(1, store.scheduling().inbox("bob").size(),
                    store.scheduling().auditTrail(Optional.of("bob"), 0, 10).toString());
        }
    }

    private static String invitation() {
        return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//remote//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
                + "UID:come-back@example.net\r\nDTSTAMP:20261120T090000Z\r\nDTSTART:20261201T100000Z\r\n"
                + "DTEND:20261201T110000Z\r\nSUMMARY:Planning\r\nSEQUENCE:0\r\n"
                + "ORGANIZER:mailto:olga@example.net\r\n"
                + "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    }
}
