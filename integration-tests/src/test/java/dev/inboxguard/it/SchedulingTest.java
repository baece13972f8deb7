package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.scheduling.RecordingOutbound;
import dev.inboxguard.server.Account;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.server.CaldavServer;
import dev.inboxguard.server.PasswordHash;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.Expectation;
import dev.inboxguard.storage.TestPostgres;
import dev.inboxguard.storage.TimeSpan;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 6638 scheduling end to end over real HTTP: implicit scheduling between local users, every delivery screened
 * by the guard, the quarantine and its API.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SchedulingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String UID = "team-sync-1@example.com";

    @TempDir
    static Path data;
    static Database store;
    static CaldavServer server;
    static RecordingOutbound outbound = new RecordingOutbound();
    static DavClient dav;

    static Accounts accounts() {
        return new Accounts(List.of("alice", "bob", "carol", "dave", "mallory").stream()
                .map(n -> new Account(n, PasswordHash.of(n), n, List.of(CalendarUserAddress.of("mailto:" + n
                        + "@example.com"))))
                .toList(), Clock.systemUTC());
    }

    @BeforeAll
    static void start() throws Exception {
        store = TestPostgres.open(data);
        server = new CaldavServer(new InetSocketAddress("127.0.0.1", 0), accounts(), ConfigFile.defaults(), store,
                outbound, Clock.systemUTC()).start();
        dav = new DavClient(server.port());
        for (String user : List.of("alice", "bob", "carol", "dave", "mallory")) {
            assertEquals(201, send(user, "MKCALENDAR", "/dav/calendars/" + user + "/work/", null, null).statusCode());
        }
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        store.close();
    }

    static HttpResponse<String> send(String user, String method, String path, String body, String type)
            throws IOException, InterruptedException {
        return dav.send(user, method, path, body, type);
    }

    static HttpResponse<String> put(String user, String path, String ics) throws Exception {
        return dav.put(user, path, ics);
    }

    static String get(String user, String path) throws Exception {
        return dav.get(user, path);
    }

    static JsonNode api(String user, String method, String path) throws Exception {
        HttpResponse<String> r = send(user, method, path, null, null);
        return ((com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(r.body())).put("status", r.statusCode());
    }

    static String event(String uid, String organizer, String rrule, String... attendees) {
        StringBuilder b = new StringBuilder("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
                + "UID:" + uid + "\r\nDTSTAMP:20261120T090000Z\r\nDTSTART:20261201T100000Z\r\n"
                + "DTEND:20261201T110000Z\r\nSUMMARY:Team sync\r\nSEQUENCE:0\r\n"
                + "ORGANIZER:mailto:" + organizer + "@example.com\r\n");
        if (rrule != null) {
            b.append("RRULE:").append(rrule).append("\r\n");
        }
        for (String a : attendees) {
            b.append("ATTENDEE;").append(a.contains("=") ? a.substring(a.indexOf(';') + 1) + ":mailto:"
                    + a.substring(0, a.indexOf(';')) : "PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:" + a)
                    .append("@example.com\r\n");
        }
        return b.append("END:VEVENT\r\nEND:VCALENDAR\r\n").toString();
    }

    static String line(String ics, String prefix, String contains) {
        for (String l : ics.split("\r?\n")) {
            if (l.startsWith(prefix) && l.contains(contains)) {
                return l;
            }
        }
        return "";
    }

    @Test
    @Order(1)
    void aliceInvitesBobAndCarolAndBothInboxesGetTheRequest() throws Exception {
        HttpResponse<String> r = put("alice", "/dav/calendars/alice/work/sync.ics", event(UID, "alice", null,
                "alice;PARTSTAT=ACCEPTED", "bob", "carol"));
        assertEquals(201, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("ETag").isEmpty(), "the stored copy changed, so no ETag (RFC 6638 §8.3)");
        for (String who : List.of("bob", "carol")) {
            JsonNode inbox = api(who, "GET", "/guard/api/inbox").get("inbox");
            assertEquals(1, inbox.size(), who + ": " + inbox);
            assertEquals("REQUEST", inbox.get(0).get("method").asText());
            assertEquals(UID, inbox.get(0).get("uid").asText());
            String propfind = send(who, "PROPFIND", "/dav/calendars/" + who + "/inbox/", null, null).body();
            assertTrue(propfind.contains(inbox.get(0).get("name").asText()), propfind);
            String copy = get(who, dav.pathOf(who, "/dav/calendars/" + who + "/calendar/", UID));
            assertTrue(copy.contains("SUMMARY:Team sync"), copy);
        }
        String organizerCopy = get("alice", "/dav/calendars/alice/work/sync.ics");
        assertTrue(line(organizerCopy, "ATTENDEE", "bob@").contains("SCHEDULE-STATUS=1.2"), organizerCopy);
        assertTrue(line(organizerCopy, "ATTENDEE", "carol@").contains("SCHEDULE-STATUS=1.2"), organizerCopy);
        String principal = send("bob", "PROPFIND", "/dav/principals/bob/", "<?xml version=\"1.0\"?>"
                + "<D:propfind xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:prop>"
                + "<C:schedule-inbox-URL/><C:schedule-outbox-URL/></D:prop></D:propfind>", "application/xml").body();
        assertTrue(principal.contains("schedule-inbox-URL") && principal.contains("/dav/calendars/bob/inbox/"),
                principal);
        String dav = send("bob", "OPTIONS", "/dav/calendars/bob/", null, null).headers().firstValue("DAV")
                .orElse("");
        assertTrue(dav.contains("calendar-auto-schedule"), dav);
    }

    @Test
    @Order(2)
    void bobAcceptsAndAlicesCopyShowsAccepted() throws Exception {
        String path = dav.pathOf("bob", "/dav/calendars/bob/calendar/", UID);
        String copy = get("bob", path);
        String mine = line(copy, "ATTENDEE", "bob@");
        assertTrue(mine.contains("PARTSTAT=NEEDS-ACTION"), copy);
        HttpResponse<String> r = put("bob", path, copy.replace(mine, mine.replace("NEEDS-ACTION", "ACCEPTED")));
        assertEquals(204, r.statusCode(), r.body());
        String organizerCopy = get("alice", "/dav/calendars/alice/work/sync.ics");
        assertTrue(line(organizerCopy, "ATTENDEE", "bob@").contains("PARTSTAT=ACCEPTED"), organizerCopy);
        assertTrue(line(get("bob", path), "ORGANIZER", "alice@").contains("SCHEDULE-STATUS=1.2"));
        JsonNode aliceInbox = api("alice", "GET", "/guard/api/inbox").get("inbox");
        assertEquals("REPLY", aliceInbox.get(0).get("method").asText());
    }

    @Test
    @Order(3)
    void anUninvitedReplyIsHeldForTheOrganizerWhoApprovesIt() throws Exception {
        // RFC 6638 §3.2.4.2: a copy of alice's event naming mallory, who is not invited, is refused at the door
        HttpResponse<String> r = put("mallory", "/dav/calendars/mallory/work/crash.ics", event(UID, "alice", null,
                "mallory;PARTSTAT=ACCEPTED"));
        assertEquals(403, r.statusCode(), r.body());
        assertTrue(r.body().contains("allowed-attendee-scheduling-object-change"), r.body());
        assertTrue(api("mallory", "GET", "/guard/api/audit").get("audit").toString().contains("put-refused"));
        // an explicit REPLY through her outbox (RFC 6638 §5) still reaches the guard, which holds it for alice
        String reply = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//crasher//EN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
                + "UID:" + UID + "\r\nDTSTAMP:20261121T090000Z\r\nSEQUENCE:0\r\n"
                + "ORGANIZER:mailto:alice@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:mallory@example.com\r\n"
                + "END:VEVENT\r\nEND:VCALENDAR\r\n";
        HttpResponse<String> posted = send("mallory", "POST", "/dav/calendars/mallory/outbox/", reply,
                "text/calendar");
        assertEquals(200, posted.statusCode(), posted.body());
        assertFalse(get("alice", "/dav/calendars/alice/work/sync.ics").contains("mallory"));
        JsonNode held = api("alice", "GET", "/guard/api/held").get("held");
        assertEquals(1, held.size(), held.toString());
        JsonNode item = held.get(0);
        assertEquals("REPLY", item.get("method").asText());
        assertEquals("mailto:mallory@example.com", item.get("sender").asText());
        assertEquals("organizer", item.get("approver").asText());
        assertEquals("party-crash", item.get("findings").get(0).get("code").asText());
        String id = item.get("id").asText();
        // only the organizer decides: to anyone else the item does not exist
        assertEquals(0, api("mallory", "GET", "/guard/api/held").get("held").size());
        assertEquals(404, api("mallory", "POST", "/guard/api/held/" + id + "/approve").get("status").asInt());
        assertEquals(404, api("bob", "POST", "/guard/api/held/" + id + "/deny").get("status").asInt());
        JsonNode approved = api("alice", "POST", "/guard/api/held/" + id + "/approve");
        assertEquals(200, approved.get("status").asInt(), approved.toString());
        assertEquals(409, api("alice", "POST", "/guard/api/held/" + id + "/approve").get("status").asInt());
        String organizerCopy = get("alice", "/dav/calendars/alice/work/sync.ics");
        assertTrue(line(organizerCopy, "ATTENDEE", "mallory@").contains("PARTSTAT=ACCEPTED"), organizerCopy);
        assertEquals(0, api("alice", "GET", "/guard/api/held").get("held").size());
        JsonNode audit = api("alice", "GET", "/guard/api/audit").get("audit");
        assertTrue(audit.toString().contains("\"event\":\"approved\""), audit.toString());
        assertEquals(403, api("alice", "GET", "/guard/api/audit?scope=all").get("status").asInt());
    }

    @Test
    @Order(4)
    void aForgedCancelIsRejected() throws Exception {
        String cancel = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//forger//EN\r\nMETHOD:CANCEL\r\nBEGIN:VEVENT\r\n"
                + "UID:" + UID + "\r\nDTSTAMP:20261121T090000Z\r\nSEQUENCE:1\r\nSTATUS:CANCELLED\r\n"
                + "ORGANIZER:mailto:alice@example.com\r\nATTENDEE:mailto:bob@example.com\r\n"
                + "END:VEVENT\r\nEND:VCALENDAR\r\n";
        HttpResponse<String> r = send("mallory", "POST", "/dav/calendars/mallory/outbox/", cancel, "text/calendar");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("<C:request-status>3.8;No authority</C:request-status>"), r.body());
        String bobsCopy = get("bob", dav.pathOf("bob", "/dav/calendars/bob/calendar/", UID));
        assertFalse(bobsCopy.contains("STATUS:CANCELLED"), bobsCopy);
        assertEquals(1, api("bob", "GET", "/guard/api/inbox").get("inbox").size());
    }

    @Test
    @Order(5)
    void aFloodOfInvitationsIsRateLimited() throws Exception {
        int limited = 0;
        // a signed-in local user has rates.local: 50 at once to one recipient (200 in all), not a stranger's 10
        for (int i = 0; i < 55; i++) {
            String path = "/dav/calendars/dave/work/flood-" + i + ".ics";
            assertEquals(201, put("dave", path, event("flood-" + i, "dave", null, "carol")).statusCode());
            if (line(get("dave", path), "ATTENDEE", "carol@").contains("SCHEDULE-STATUS=5.1")) {
                limited++;
            }
        }
        assertEquals(5, limited, "the local pair's burst is 50");
        long delivered = JSON.readTree(send("carol", "GET", "/guard/api/inbox", null, null).body()).get("inbox")
                .findValuesAsText("uid").stream().filter(u -> u.startsWith("flood-")).count();
        assertEquals(50, delivered);
    }

    @Test
    @Order(6)
    void anAbusiveRecurrenceIsRejectedWithScheduleStatus() throws Exception {
        String path = "/dav/calendars/alice/work/every-minute.ics";
        assertEquals(201, put("alice", path, event("every-minute", "alice", "FREQ=MINUTELY", "bob")).statusCode());
        String status = line(get("alice", path), "ATTENDEE", "bob@");
        assertTrue(status.matches(".*SCHEDULE-STATUS=[35]\\.[0-9]+.*"), status);
        assertFalse(api("bob", "GET", "/guard/api/inbox").toString().contains("every-minute"));
        JsonNode audit = api("bob", "GET", "/guard/api/audit").get("audit");
        assertTrue(audit.toString().contains("recurrence.unbounded"), audit.toString());
    }

    @Test
    @Order(7)
    void freeBusyComesFromTheAttendeesCalendar() throws Exception {
        String query = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:REQUEST\r\nBEGIN:VFREEBUSY\r\n"
                + "UID:fb-1\r\nDTSTAMP:20261121T090000Z\r\nDTSTART:20261201T000000Z\r\nDTEND:20261202T000000Z\r\n"
                + "ORGANIZER:mailto:alice@example.com\r\nATTENDEE:mailto:bob@example.com\r\n"
                + "ATTENDEE:mailto:someone@elsewhere.example\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n";
        HttpResponse<String> r = send("alice", "POST", "/dav/calendars/alice/outbox/", query, "text/calendar");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("FREEBUSY;FBTYPE=BUSY:20261201T100000Z/20261201T110000Z"), r.body());
        assertTrue(r.body().contains("3.7;Invalid calendar user"), r.body());
        HttpResponse<String> forged = send("mallory", "POST", "/dav/calendars/mallory/outbox/", query,
                "text/calendar");
        assertEquals(403, forged.statusCode());
        // bob named a hundred times is answered once (and his calendars read once), as is the stranger
        String crowd = query.replace("ATTENDEE:mailto:bob@example.com\r\n",
                "ATTENDEE:mailto:bob@example.com\r\nATTENDEE:MAILTO:Bob@example.com\r\n".repeat(49))
                .replace("ATTENDEE:mailto:someone@elsewhere.example\r\n",
                        "ATTENDEE:mailto:someone@elsewhere.example\r\n".repeat(2));
        HttpResponse<String> once = send("alice", "POST", "/dav/calendars/alice/outbox/", crowd, "text/calendar");
        assertEquals(200, once.statusCode(), once.body());
        assertEquals(2, once.body().split("<C:response>", -1).length - 1, once.body());
    }

    @Test
    @Order(7)
    void freeBusyFindsAnEventWhoseStoredSpanWasWorkedOutWithOlderZoneRules() throws Exception {
        // 10:00 in Istanbul is 07:00Z; the span stored beside it says 08:00Z, as rules that still had winter time
        // in Turkey (ical4j's, or a JDK's before a change) would have said. The span only narrows the search
        String path = "/dav/calendars/dave/work/istanbul.ics";
        String ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VTIMEZONE\r\n"
                + "TZID:Europe/Istanbul\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0300\r\n"
                + "DTSTART:19700101T000000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:fb-istanbul\r\n"
                + "DTSTAMP:20261121T090000Z\r\nDTSTART;TZID=Europe/Istanbul:20270115T100000\r\n"
                + "DTEND;TZID=Europe/Istanbul:20270115T110000\r\nSUMMARY:Tea\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        assertEquals(201, put("dave", path, ics).statusCode());
        long hour = 3_600_000L;
        long start = java.time.Instant.parse("2027-01-15T07:00:00Z").toEpochMilli();
        store.calendars().put("dave", "work", "istanbul.ics", "fb-istanbul", ics.getBytes(
                java.nio.charset.StandardCharsets.UTF_8), new TimeSpan("VEVENT", start + hour, start + 2 * hour),
                Expectation.NONE, false);
        String query = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:REQUEST\r\nBEGIN:VFREEBUSY\r\n"
                + "UID:fb-2\r\nDTSTAMP:20261121T090000Z\r\nDTSTART:20270115T063000Z\r\nDTEND:20270115T073000Z\r\n"
                + "ORGANIZER:mailto:alice@example.com\r\nATTENDEE:mailto:dave@example.com\r\nEND:VFREEBUSY\r\n"
                + "END:VCALENDAR\r\n";
        HttpResponse<String> r = send("alice", "POST", "/dav/calendars/alice/outbox/", query, "text/calendar");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("FBTYPE=BUSY:20270115T070000Z/"), r.body());
    }

    @Test
    @Order(8)
    void removingAnAttendeeSendsThemACancelAndRemoteAttendeesGoOutbound() throws Exception {
        String path = "/dav/calendars/alice/work/sync.ics";
        String copy = get("alice", path);
        String carol = line(copy, "ATTENDEE", "carol@");
        String updated = copy.replace(carol + "\r\n", "").replace(carol + "\n", "")
                .replace("END:VEVENT", "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:guest@remote.example\r\nEND:VEVENT");
        assertEquals(204, put("alice", path, updated).statusCode());
        String carols = get("carol", dav.pathOf("carol", "/dav/calendars/carol/calendar/", UID));
        assertTrue(carols.contains("STATUS:CANCELLED"), carols);
        assertTrue(outbound.sent().stream().anyMatch(m -> m.to().uri().equals("mailto:guest@remote.example")
                && m.method().equals("REQUEST")), outbound.sent().toString());
        assertTrue(line(get("alice", path), "ATTENDEE", "guest@").contains("SCHEDULE-STATUS=1.1"));
    }
}
