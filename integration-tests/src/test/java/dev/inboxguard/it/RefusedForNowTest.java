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
 * temporary error; counted at every attempt, an honest organizer would use up the pair's allowance while the DNS was
 * down, and the attempt that finally passes would be refused as a flood.
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
                """);
        GuardConfig config = ConfigFile.load(yaml);
        try (Database store = TestPostgres.open(data.resolve("db"));
             InboxGuardServer server = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0), config,
                     SchedulingTest.accounts(), store, Clock.systemUTC())) {
            int lmtp = server.lmtpPort().orElseThrow();
            // the border MTA's verdict on each attempt: the key's lookup timed out three times, then it answered
            for (String dkim : List.of("temperror", "temperror", "temperror", "pass")) {
                List<String> reply = MailDialogue.deliver(lmtp, true, "olga@example.net", List.of("bob@example.com"),
                        "Authentication-Results: mx.example.com; dkim=" + dkim + " header.d=example.net\r\n"
                                + ImipGatewayTest.email("olga@example.net", "bob@example.com", "REQUEST",
                                        "come-back@example.net", invitation()));
                if (dkim.equals("pass")) {
                    assertTrue(reply.get(0).startsWith("250 "), "delivered, not refused as a flood: " + reply);
                } else {
                    assertTrue(reply.get(0).startsWith("451 4.3.0"), reply.toString());
                }
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
