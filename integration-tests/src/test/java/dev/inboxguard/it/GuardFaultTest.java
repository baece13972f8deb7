package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A check that fails is the guard's fault, not the message's: with a buggy third-party check installed, the same
 * invitation gets SCHEDULE-STATUS 5.1 over CalDAV and {@code 451 4.3.0} over LMTP (so the sender retries), nothing
 * is delivered or held, the audit says {@code guard.overloaded}, and no internal text reaches the sender.
 */
class GuardFaultTest {
    @TempDir
    static Path data;
    static Database store;
    static InboxGuardServer server;
    static DavClient dav;

    @BeforeAll
    static void start() throws Exception {
        Path yaml = data.resolve("guard.yaml");
        Files.writeString(yaml, """
                checks:
                  modules: [dev.example.BuggyCheckModule]
                senders:
                  policy: everyone
                mail:
                  lmtp: {bind: 127.0.0.1, port: 0}
                """);
        GuardConfig config = ConfigFile.load(yaml);
        store = TestPostgres.open(data);
        server = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0), config, SchedulingTest.accounts(),
                store, Clock.systemUTC());
        dav = new DavClient(server.httpPort());
        assertEquals(201, dav.send("alice", "MKCALENDAR", "/dav/calendars/alice/work/", null, null).statusCode());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        store.close();
    }

    @Test
    void aFailingCheckIsATemporaryFailureOnBothPaths() throws Exception {
        // CalDAV: alice invites bob to the budget meeting, and to a planning meeting the buggy check passes
        assertEquals(201, dav.put("alice", "/dav/calendars/alice/work/budget.ics",
                ImipGatewayTest.event("budget-1@example.com", "Budget review", "bob@example.com")).statusCode());
        String budget = dav.get("alice", "/dav/calendars/alice/work/budget.ics");
        assertTrue(SchedulingTest.line(budget, "ATTENDEE", "bob@example.com").contains("SCHEDULE-STATUS=5.1"),
                budget);
        assertEquals(201, dav.put("alice", "/dav/calendars/alice/work/plan.ics",
                ImipGatewayTest.event("plan-1@example.com", "Planning", "bob@example.com")).statusCode());
        assertTrue(SchedulingTest.line(dav.get("alice", "/dav/calendars/alice/work/plan.ics"), "ATTENDEE",
                "bob@example.com").contains("SCHEDULE-STATUS=1.2"));

        // iMIP: the same kind of message by mail is answered 451, so the MTA keeps it and tries again
        String ics = ImipGatewayTest.remoteRequest("budget-2@example.net", "bob@example.com", "Budget 2027");
        List<String> r = MailDialogue.deliver(server.lmtpPort().orElseThrow(), true, "olga@example.net",
                List.of("bob@example.com"), ImipGatewayTest.email("olga@example.net", "bob@example.com", "REQUEST",
                        "b2@example.net", ics));
        assertEquals(1, r.size());
        assertTrue(r.get(0).startsWith("451 4.3.0"), r.toString());
        assertFalse(r.get(0).contains("secret internal detail"), r.toString());
        // and the retry is judged afresh, not answered from the receipt of the failure
        r = MailDialogue.deliver(server.lmtpPort().orElseThrow(), true, "olga@example.net",
                List.of("bob@example.com"), ImipGatewayTest.email("olga@example.net", "bob@example.com", "REQUEST",
                        "b2@example.net", ics));
        assertTrue(r.get(0).startsWith("451 4.3.0"), r.toString());

        JsonNode inbox = dav.api("bob", "/guard/api/inbox").get("inbox");
        for (JsonNode item : inbox) {
            assertFalse(item.toString().contains("budget-"), "nothing of the budget meetings was delivered: " + item);
        }
        assertEquals(0, dav.api("bob", "/guard/api/held").get("held").size());
        JsonNode audit = dav.api("bob", "/guard/api/audit").get("audit");
        long faults = 0;
        for (JsonNode e : audit) {
            if (e.toString().contains("guard.overloaded")) {
                faults++;
                assertEquals("reject", e.get("action").asText(), e.toString());
                assertFalse(e.toString().contains("secret internal detail"), e.toString());
            }
        }
        assertEquals(3, faults, audit.toString());
    }
}
