package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.server.InboxGuardServer;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 6638 §3.2.9 with a relay that never takes the message: once the queue gives up, the organizer's own copy
 * says 5.1 (could not be delivered) on that attendee, where it said 1.1 (sent), and GET /guard/api/sent says
 * "mail failed". The relay is a port where nothing listens; the server's clock is moved past the give-up time.
 */
class RelayGiveUpTest {
    @TempDir
    Path data;


    @Test
    void anInvitationTheRelayNeverTookShowsAsUndeliveredInTheOrganizersCopy() throws Exception {
        int closed = TestPorts.unused(); // nothing listens there: connections are refused
        Path yaml = data.resolve("guard.yaml");
        Files.writeString(yaml, """
                mail:
                  hostname: guard.example.com
                  lmtp: {bind: 127.0.0.1, port: 0}
                  relay: {host: 127.0.0.1, port: %d, tls: none, timeoutSeconds: 2, retrySeconds: [1], giveUpHours: 1}
                """.formatted(closed));
        GuardConfig config = ConfigFile.load(yaml);
        MovableClock clock = new MovableClock();
        try (Database store = TestPostgres.open(data.resolve("db"));
             InboxGuardServer server = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0), config,
                     SchedulingTest.accounts(), store, clock)) {
            DavClient dav = new DavClient(server.httpPort());
            String path = "/dav/calendars/alice/calendar/away.ics";
            dav.put("alice", path, SchedulingTest.event("away-1", "alice", null, "bob")
                    .replace("mailto:bob@example.com", "mailto:guest@remote.example"));
            assertTrue(SchedulingTest.line(dav.get("alice", path), "ATTENDEE", "guest@").contains("SCHEDULE-STATUS=1.1"),
                    dav.get("alice", path));
            clock.advance(Duration.ofHours(2));
            String copy = "";
            for (int i = 0; i < 100 && !copy.contains("SCHEDULE-STATUS=5.1"); i++) {
                Thread.sleep(200);
                copy = SchedulingTest.line(dav.get("alice", path), "ATTENDEE", "guest@");
            }
            assertTrue(copy.contains("SCHEDULE-STATUS=5.1"), copy);
            String sent = new ObjectMapper().readTree(dav.send("alice", "GET", "/guard/api/sent", null, null).body())
                    .toString();
            assertTrue(sent.contains("mail failed"), sent);
        }
    }
}
