package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.server.InboxGuardServer;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the server keeps, through a running server and its LMTP listener: a flood's refusals are one audit row with
 * a count, a held item nobody decides on expires after {@code retention.heldDays} without anyone being told, and
 * audit rows go after {@code retention.auditDays}, and the tombstones behind sync tokens after
 * {@code retention.tombstoneDays}. The server's clock is moved; the hourly sweep follows it.
 */
class RetentionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;


    @Test
    void floodsAreCountedOnOneRowAndUndecidedItemsExpire() throws Exception {
        Path yaml = data.resolve("guard.yaml");
        Files.writeString(yaml, """
                senders: {policy: known}
                mail:
                  lmtp: {bind: 127.0.0.1, port: 0}
                retention: {heldDays: 30, auditDays: 90}
                """);
        GuardConfig config = ConfigFile.load(yaml);
        MovableClock clock = new MovableClock();
        try (Database store = TestPostgres.open(data.resolve("db"));
             InboxGuardServer server = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0), config,
                     SchedulingTest.accounts(), store, clock)) {
            DavClient dav = new DavClient(server.httpPort());
            int lmtp = server.lmtpPort().orElseThrow();

            // a stranger's invitation waits for bob (senders: known)
            List<String> r = MailDialogue.deliver(lmtp, true, "olga@example.net", List.of("bob@example.com"),
                    ImipGatewayTest.email("olga@example.net", "bob@example.com", "REQUEST", "o1@example.net",
                            ImipGatewayTest.remoteRequest("offsite-9@example.net", "bob@example.com", "Offsite")));
            assertTrue(r.get(0).startsWith("250"), r.toString());
            assertEquals(1, api(dav, "bob", "held").size());

            // 10 pass the pair's burst; the next 20 are refused, and so are 20 retries of them
            List<String> answers = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                answers.addAll(MailDialogue.deliver(lmtp, true, "spam@example.org", List.of("carol@example.com"),
                        ImipGatewayTest.spam(i)));
            }
            for (int i = 10; i < 30; i++) {
                answers.addAll(MailDialogue.deliver(lmtp, true, "spam@example.org", List.of("carol@example.com"),
                        ImipGatewayTest.spam(i)));
            }
            assertEquals(40, answers.stream().filter(a -> a.startsWith("451 4.7.1")).count(), answers.toString());
            List<JsonNode> limited = rows(api(dav, "carol", "audit"), a -> a.get("action").asText().equals("reject"));
            assertEquals(1, limited.size(), limited.toString());
            assertEquals(40, limited.get(0).get("repeats").asInt(), limited.toString());
            assertTrue(limited.get(0).get("findings").toString().contains("rate.limited"), limited.toString());

            clock.advance(Duration.ofDays(31));
            List<JsonNode> expired = List.of();
            for (int i = 0; i < 100 && expired.isEmpty(); i++) {
                Thread.sleep(200);
                expired = rows(api(dav, "bob", "audit"), a -> a.get("event").asText().equals("expired"));
            }
            assertEquals(1, expired.size(), api(dav, "bob", "audit").toString());
            assertEquals("retention", expired.get(0).get("actor").asText());
            assertEquals(0, api(dav, "bob", "held").size());
            // bob's item was held first, so the sweep expires it first; carol's ten held floods follow in the same
            // sweep. The clock moves on only once their expiry rows are written, or they would bear the later date.
            List<JsonNode> carolExpired = List.of();
            for (int i = 0; i < 100 && carolExpired.size() < 10; i++) {
                carolExpired = rows(api(dav, "carol", "audit"), a -> a.get("event").asText().equals("expired"));
                if (carolExpired.size() < 10) {
                    Thread.sleep(200);
                }
            }
            assertEquals(10, carolExpired.size(), carolExpired.toString());
            assertEquals(0, api(dav, "carol", "held").size());
            // nothing was sent to olga: no relay is set, and the outbound record stays empty
            assertEquals(0, rows(api(dav, "bob", "audit"), a -> a.get("event").asText().startsWith("mail-")).size());

            clock.advance(Duration.ofDays(91));
            JsonNode left = api(dav, "carol", "audit");
            for (int i = 0; i < 100 && !left.isEmpty(); i++) {
                Thread.sleep(200);
                left = api(dav, "carol", "audit");
            }
            assertEquals(0, left.size(), left.toString());
        }
    }

    @Test
    void aSyncTokenOlderThanTheTombstonesItNeedsIsRefusedSoTheClientListsAgain() throws Exception {
        Path yaml = data.resolve("guard.yaml");
        Files.writeString(yaml, "retention: {tombstoneDays: 30}\n");
        MovableClock clock = new MovableClock();
        try (Database store = TestPostgres.open(data.resolve("db"));
             InboxGuardServer server = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0),
                     ConfigFile.load(yaml), SchedulingTest.accounts(), store, clock)) {
            DavClient dav = new DavClient(server.httpPort());
            String cal = "/dav/calendars/bob/calendar/";
            assertEquals(201, dav.put("bob", cal + "a.ics", event("keep-1")).statusCode());
            assertEquals(201, dav.put("bob", cal + "b.ics", event("gone-1")).statusCode());
            String before = token(sync(dav, ""));
            assertEquals(204, dav.send("bob", "DELETE", cal + "b.ics", null, null).statusCode());
            HttpResponse<String> deletion = sync(dav, before);
            assertEquals(207, deletion.statusCode(), deletion.body());
            assertTrue(deletion.body().contains("b.ics") && deletion.body().contains("404"), deletion.body());
            String after = token(deletion);

            // a month on, the hourly sweep forgets the tombstone: the token that needs it is refused (RFC 6578
            // §3.2), the one taken after it still works, and a first sync lists what is there
            clock.advance(Duration.ofDays(31));
            HttpResponse<String> refused = sync(dav, before);
            for (int i = 0; i < 100 && refused.statusCode() != 403; i++) {
                Thread.sleep(200);
                refused = sync(dav, before);
            }
            assertEquals(403, refused.statusCode(), refused.body());
            assertTrue(refused.body().contains("valid-sync-token"), refused.body());
            HttpResponse<String> current = sync(dav, after);
            assertEquals(207, current.statusCode(), current.body());
            assertEquals(after, token(current));
            HttpResponse<String> again = sync(dav, "");
            assertEquals(207, again.statusCode(), again.body());
            assertTrue(again.body().contains("a.ics") && !again.body().contains("b.ics"), again.body());
        }
    }

    @Test
    void inboxItemsAreRemovedAfterInboxDaysAndTheirInvitationsStayInTheCalendar() throws Exception {
        Path yaml = data.resolve("guard.yaml");
        Files.writeString(yaml, "retention: {inboxDays: 20}\n");
        MovableClock clock = new MovableClock();
        try (Database store = TestPostgres.open(data.resolve("db"));
             InboxGuardServer server = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0),
                     ConfigFile.load(yaml), SchedulingTest.accounts(), store, clock)) {
            DavClient dav = new DavClient(server.httpPort());
            assertEquals(201, dav.put("alice", "/dav/calendars/alice/calendar/old.ics", invitation("old-1"))
                    .statusCode());
            assertTrue(inbox(dav).contains("old-1"), inbox(dav));

            // three weeks on, a new invitation comes; the sweep removes the old one from the inbox only
            clock.advance(Duration.ofDays(21));
            assertEquals(201, dav.put("alice", "/dav/calendars/alice/calendar/new.ics", invitation("new-1"))
                    .statusCode());
            String left = inbox(dav);
            for (int i = 0; i < 100 && left.contains("old-1"); i++) {
                Thread.sleep(200);
                left = inbox(dav);
            }
            assertFalse(left.contains("old-1"), left);
            assertTrue(left.contains("new-1"), left);
            String calendar = dav.send("bob", "REPORT", "/dav/calendars/bob/calendar/", "<C:calendar-query "
                    + "xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:prop><C:calendar-data/></D:prop>"
                    + "<C:filter><C:comp-filter name=\"VCALENDAR\"/></C:filter></C:calendar-query>", "application/xml",
                    java.util.Map.of("Depth", "1")).body();
            assertTrue(calendar.contains("UID:old-1") && calendar.contains("UID:new-1"), calendar);
        }
    }

    /** @return bob's scheduling inbox, each item with its data */
    private static String inbox(DavClient dav) throws Exception {
        return dav.send("bob", "REPORT", "/dav/calendars/bob/inbox/", "<C:calendar-query xmlns:D=\"DAV:\" "
                + "xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:prop><C:calendar-data/></D:prop><C:filter>"
                + "<C:comp-filter name=\"VCALENDAR\"/></C:filter></C:calendar-query>", "application/xml",
                java.util.Map.of("Depth", "1")).body();
    }

    private static String invitation(String uid) {
        return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid
                + "\r\nDTSTAMP:20261201T090000Z\r\nDTSTART:20270110T100000Z\r\nDTEND:20270110T110000Z\r\n"
                + "SUMMARY:Planning\r\nORGANIZER:mailto:alice@example.com\r\n"
                + "ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com\r\n"
                + "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    }

    private static HttpResponse<String> sync(DavClient dav, String token) throws Exception {
        return dav.send("bob", "REPORT", "/dav/calendars/bob/calendar/", "<D:sync-collection xmlns:D=\"DAV:\">"
                + "<D:sync-token>" + token + "</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/>"
                + "</D:prop></D:sync-collection>", "application/xml");
    }

    private static String token(HttpResponse<String> r) {
        String body = r.body();
        int start = body.indexOf("sync-token>") + "sync-token>".length();
        return body.substring(start, body.indexOf('<', start));
    }

    private static String event(String uid) {
        return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid
                + "\r\nDTSTAMP:20261201T090000Z\r\nDTSTART:20261210T100000Z\r\nDTEND:20261210T110000Z\r\n"
                + "SUMMARY:Kept a while\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    }

    private static JsonNode api(DavClient dav, String user, String what) throws Exception {
        return JSON.readTree(dav.send(user, "GET", "/guard/api/" + what, null, null).body()).get(what);
    }

    private static List<JsonNode> rows(JsonNode array, Predicate<JsonNode> which) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(a -> {
            if (which.test(a)) {
                out.add(a);
            }
        });
        return out;
    }
}
