package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inboxguard.calendar.ObjectSpan;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.scheduling.RecordingOutbound;
import dev.inboxguard.server.CaldavServer;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.Expectation;
import dev.inboxguard.storage.TestPostgres;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 6638 scenarios between local users over real HTTP, one test per section: Schedule-Tag, the attendee's and
 * organizer's PUT rules, recurring instances, the scheduling parameters and headers. Each test has its own UID.
 */
class SchedulingRfc6638Test {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path data;
    static Database store;
    static CaldavServer server;
    static DavClient dav;

    @BeforeAll
    static void start() throws Exception {
        store = TestPostgres.open(data);
        server = new CaldavServer(new InetSocketAddress("127.0.0.1", 0), SchedulingTest.accounts(),
                ConfigFile.defaults(), store, new RecordingOutbound(), Clock.systemUTC()).start();
        dav = new DavClient(server.port());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        store.close();
    }

    /** The organizer's object is named after its UID by the test; an attendee's copy is named by the server. */
    private static String path(String user, String uid) throws Exception {
        String calendar = "/dav/calendars/" + user + "/calendar/";
        return dav.find(user, calendar, "VEVENT", uid).orElse(calendar + uid + ".ics");
    }

    private static String weekly(String uid, String extra, String... attendees) {
        StringBuilder b = new StringBuilder("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
                + "UID:" + uid + "\r\nDTSTAMP:20261120T090000Z\r\nDTSTART:20261207T100000Z\r\n"
                + "DTEND:20261207T110000Z\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nSUMMARY:Weekly review\r\nSEQUENCE:0\r\n"
                + "ORGANIZER:mailto:alice@example.com\r\n"
                + "ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com\r\n");
        for (String a : attendees) {
            b.append("ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:").append(a).append("@example.com\r\n");
        }
        return b.append(extra).append("END:VEVENT\r\nEND:VCALENDAR\r\n").toString();
    }

    private static HttpResponse<String> put(String user, String uid, String ics, Map<String, String> headers)
            throws Exception {
        return dav.send(user, "PUT", path(user, uid), ics, "text/calendar; charset=utf-8", headers);
    }

    private static String get(String user, String uid) throws Exception {
        return dav.get(user, path(user, uid));
    }

    private static long inboxCount(String user, String uid, String method) throws Exception {
        JsonNode inbox = JSON.readTree(dav.send(user, "GET", "/guard/api/inbox", null, null).body()).get("inbox");
        return StreamSupport.stream(inbox.spliterator(), false)
                .filter(i -> i.get("uid").asText().equals(uid) && i.get("method").asText().equals(method)).count();
    }

    /** bob answers in his own copy: his PARTSTAT changes, nothing else. */
    private static String answer(String copy, String who, String partstat) {
        StringBuilder out = new StringBuilder();
        for (String line : copy.split("\r?\n")) {
            if (line.startsWith("ATTENDEE") && line.contains(who + "@")) {
                line = line.replaceAll("PARTSTAT=[A-Z-]+", "PARTSTAT=" + partstat);
            }
            out.append(line).append("\r\n");
        }
        return out.toString();
    }

    @Test
    void rfc6638_3_2_10_scheduleTagStaysWhenOnlyAnswersAreMerged() throws Exception {
        String uid = "tag-1";
        HttpResponse<String> created = put("alice", uid, weekly(uid, "", "bob"), Map.of());
        assertEquals(201, created.statusCode(), created.body());
        String tag = created.headers().firstValue("Schedule-Tag").orElseThrow();
        HttpResponse<String> first = dav.send("alice", "GET", path("alice", uid), null, null);
        assertEquals(tag, first.headers().firstValue("Schedule-Tag").orElseThrow());
        String etag = first.headers().firstValue("ETag").orElseThrow();

        // bob accepts: the server merges his answer into alice's copy, which keeps its Schedule-Tag
        assertEquals(204, put("bob", uid, answer(get("bob", uid), "bob", "ACCEPTED"), Map.of()).statusCode());
        HttpResponse<String> merged = dav.send("alice", "GET", path("alice", uid), null, null);
        assertTrue(merged.body().contains("PARTSTAT=ACCEPTED:mailto:bob@example.com")
                || SchedulingTest.line(merged.body(), "ATTENDEE", "bob@").contains("PARTSTAT=ACCEPTED"), merged.body());
        assertNotEquals(etag, merged.headers().firstValue("ETag").orElseThrow());
        assertEquals(tag, merged.headers().firstValue("Schedule-Tag").orElseThrow());

        // §8.3: alice's client, holding the old copy, writes with If-Schedule-Tag-Match; bob's answer survives
        String stale = first.body().replace("SUMMARY:Weekly review", "SUMMARY:Weekly review (room 4)");
        HttpResponse<String> updated = put("alice", uid, stale, Map.of("If-Schedule-Tag-Match", tag));
        assertEquals(204, updated.statusCode(), updated.body());
        String now = get("alice", uid);
        assertTrue(now.contains("room 4"), now);
        assertTrue(SchedulingTest.line(now, "ATTENDEE", "bob@").contains("PARTSTAT=ACCEPTED"), now);
        assertNotEquals(tag, dav.send("alice", "GET", path("alice", uid), null, null).headers()
                .firstValue("Schedule-Tag").orElseThrow(), "alice's own change is one bob must see");
        assertEquals(412, put("alice", uid, stale, Map.of("If-Schedule-Tag-Match", tag)).statusCode());

        String report = dav.send("alice", "PROPFIND", path("alice", uid), "<d:propfind xmlns:d=\"DAV:\" "
                + "xmlns:c=\"urn:ietf:params:xml:ns:caldav\"><d:prop><c:schedule-tag/></d:prop></d:propfind>",
                "application/xml", Map.of("Depth", "0")).body();
        assertTrue(report.matches("(?is).*<c:schedule-tag[^>]*>\"s[0-9a-z-]+\"</c:schedule-tag>.*"), report);
    }

    @Test
    void rfc6638_3_2_2_1_anAttendeeChangesOnlyTheirOwnAnswerAndPersonalData() throws Exception {
        String uid = "attendee-rules-1";
        assertEquals(201, put("alice", uid, weekly(uid, "", "bob"), Map.of()).statusCode());
        String copy = get("bob", uid);
        HttpResponse<String> moved = put("bob", uid, copy.replace("DTSTART:20261207T100000Z",
                "DTSTART:20261207T060000Z"), Map.of());
        assertEquals(403, moved.statusCode(), moved.body());
        assertTrue(moved.body().contains("allowed-attendee-scheduling-object-change"), moved.body());
        HttpResponse<String> organizer = put("bob", uid, copy.replace("ORGANIZER:mailto:alice@example.com",
                "ORGANIZER:mailto:mallory@example.com"), Map.of());
        assertEquals(403, organizer.statusCode(), organizer.body());

        String personal = answer(copy, "bob", "TENTATIVE").replace("END:VEVENT", "BEGIN:VALARM\r\nACTION:DISPLAY\r\n"
                + "DESCRIPTION:Review\r\nTRIGGER:-PT10M\r\nEND:VALARM\r\nCATEGORIES:Work\r\nTRANSP:TRANSPARENT\r\n"
                + "END:VEVENT");
        HttpResponse<String> allowed = put("bob", uid, personal, Map.of());
        assertEquals(204, allowed.statusCode(), allowed.body());
        assertTrue(SchedulingTest.line(get("alice", uid), "ATTENDEE", "bob@").contains("PARTSTAT=TENTATIVE"));

        // §3.2.2.1 the other way: alice's later update keeps bob's alarm, category and transparency
        String aliceCopy = get("alice", uid).replace("SUMMARY:Weekly review", "SUMMARY:Weekly review, new agenda")
                .replace("SEQUENCE:0", "SEQUENCE:1");
        assertEquals(204, put("alice", uid, aliceCopy, Map.of()).statusCode());
        String bobs = get("bob", uid);
        assertTrue(bobs.contains("new agenda"), bobs);
        assertTrue(bobs.contains("TRIGGER:-PT10M") && bobs.contains("CATEGORIES:Work")
                && bobs.contains("TRANSP:TRANSPARENT"), bobs);
    }

    @Test
    void rfc6638_3_2_4_aTamperedCopyDoesNotLockOutTheRealOrganizer() throws Exception {
        String uid = "lockout-1";
        assertEquals(201, put("alice", uid, weekly(uid, "", "carol"), Map.of()).statusCode());
        // a copy tampered with before these rules existed, written straight to the store
        byte[] tampered = get("carol", uid).replace("ORGANIZER:mailto:alice@example.com",
                "ORGANIZER:mailto:mallory@example.com").getBytes(StandardCharsets.UTF_8);
        CalendarRead.Parsed parsed = (CalendarRead.Parsed) new CalendarReader(ConfigFile.defaults().limits())
                .read(tampered);
        String carols = dav.pathOf("carol", "/dav/calendars/carol/calendar/", uid);
        store.calendars().put("carol", "calendar", carols.substring(carols.lastIndexOf('/') + 1), uid, tampered,
                ObjectSpan.of(parsed.calendar(), "VEVENT"), Expectation.NONE);
        String update = get("alice", uid).replace("SUMMARY:Weekly review", "SUMMARY:Moved to Thursday")
                .replace("SEQUENCE:0", "SEQUENCE:1");
        assertEquals(204, put("alice", uid, update, Map.of()).statusCode());
        assertTrue(SchedulingTest.line(get("alice", uid), "ATTENDEE", "carol@").contains("SCHEDULE-STATUS=1.2"),
                get("alice", uid));
        assertTrue(get("carol", uid).contains("Moved to Thursday"));
    }

    @Test
    void rfc5546_3_2_5_anExcludedInstanceIsCancelledForTheAttendee() throws Exception {
        String uid = "exdate-1";
        assertEquals(201, put("alice", uid, weekly(uid, "", "dave"), Map.of()).statusCode());
        String update = get("alice", uid).replace("RRULE:FREQ=WEEKLY;COUNT=4", "RRULE:FREQ=WEEKLY;COUNT=4\r\n"
                + "EXDATE:20261214T100000Z");
        assertEquals(204, put("alice", uid, update, Map.of()).statusCode());
        assertEquals(1, inboxCount("dave", uid, "CANCEL"), "one CANCEL, for the excluded instance");
        String daves = get("dave", uid);
        assertTrue(daves.contains("EXDATE:20261214T100000Z"), daves);
        // the attendee's deleted copy after a decline says nothing more (no second REPLY)
        assertEquals(204, put("dave", uid, answer(daves, "dave", "DECLINED"), Map.of()).statusCode());
        assertEquals(1, inboxCount("alice", uid, "REPLY"));
        assertEquals(204, dav.send("dave", "DELETE", path("dave", uid), null, null).statusCode());
        assertEquals(1, inboxCount("alice", uid, "REPLY"), "declined already: deleting sends nothing");
    }

    @Test
    void rfc5546_3_2_5_anAttendeeDroppedFromOneInstanceGetsThatInstanceCancelled() throws Exception {
        String uid = "one-instance-1";
        assertEquals(201, put("alice", uid, weekly(uid, "", "bob", "carol"), Map.of()).statusCode());
        String override = "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20261121T090000Z\r\n"
                + "RECURRENCE-ID:20261221T100000Z\r\nDTSTART:20261221T100000Z\r\nDTEND:20261221T110000Z\r\n"
                + "SUMMARY:Weekly review\r\nSEQUENCE:1\r\nORGANIZER:mailto:alice@example.com\r\n"
                + "ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com\r\n"
                + "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:bob@example.com\r\nEND:VEVENT\r\n";
        String update = get("alice", uid).replace("END:VCALENDAR", override + "END:VCALENDAR");
        assertEquals(204, put("alice", uid, update, Map.of()).statusCode());
        assertEquals(1, inboxCount("carol", uid, "CANCEL"), "carol is not in the Dec 21 instance");
        assertEquals(0, inboxCount("bob", uid, "CANCEL"));
        // each attendee's copy holds the instances they are in
        String carols = get("carol", uid);
        assertTrue(carols.contains("EXDATE:20261221T100000Z") && !carols.contains("RECURRENCE-ID"), carols);
        assertTrue(get("bob", uid).contains("RECURRENCE-ID:20261221T100000Z"), get("bob", uid));
    }

    @Test
    void rfc5546_2_1_4_aCancelRaisesTheSequence() throws Exception {
        String uid = "cancel-seq-1";
        assertEquals(201, put("alice", uid, weekly(uid, "", "bob"), Map.of()).statusCode());
        assertEquals(204, dav.send("alice", "DELETE", path("alice", uid), null, null).statusCode());
        String bobs = get("bob", uid);
        assertTrue(bobs.contains("STATUS:CANCELLED"), bobs);
        JsonNode inbox = JSON.readTree(dav.send("bob", "GET", "/guard/api/inbox", null, null).body()).get("inbox");
        String name = StreamSupport.stream(inbox.spliterator(), false)
                .filter(i -> i.get("uid").asText().equals(uid) && i.get("method").asText().equals("CANCEL"))
                .findFirst().orElseThrow().get("name").asText();
        String cancel = dav.get("bob", "/dav/calendars/bob/inbox/" + name);
        assertTrue(cancel.contains("SEQUENCE:1"), cancel);
    }

    @Test
    void rfc6638_8_1_scheduleReplyFalseKeepsTheAnswerLocal() throws Exception {
        String uid = "silent-1";
        assertEquals(201, put("alice", uid, weekly(uid, "", "carol"), Map.of()).statusCode());
        assertEquals(204, put("carol", uid, answer(get("carol", uid), "carol", "ACCEPTED"),
                Map.of("Schedule-Reply", "F")).statusCode());
        assertEquals(0, inboxCount("alice", uid, "REPLY"));
        assertFalse(SchedulingTest.line(get("alice", uid), "ATTENDEE", "carol@").contains("ACCEPTED"));
    }

    @Test
    void rfc6638_7_2_scheduleForceSendResendsWhatDidNotChange() throws Exception {
        String uid = "force-1";
        assertEquals(201, put("alice", uid, weekly(uid, "", "dave"), Map.of()).statusCode());
        assertEquals(1, inboxCount("dave", uid, "REQUEST"));
        String again = get("alice", uid).replace("ATTENDEE;", "ATTENDEE;SCHEDULE-FORCE-SEND=REQUEST;");
        assertEquals(204, put("alice", uid, again, Map.of()).statusCode());
        assertEquals(2, inboxCount("dave", uid, "REQUEST"));
        assertFalse(get("alice", uid).contains("SCHEDULE-FORCE-SEND"), "an instruction, not data to keep");
    }

    @Test
    void rfc6638_3_2_4_1_oneSchedulingObjectPerUid() throws Exception {
        String uid = "unique-1";
        assertEquals(201, put("alice", uid, weekly(uid, "", "bob"), Map.of()).statusCode());
        assertEquals(201, dav.send("alice", "MKCALENDAR", "/dav/calendars/alice/other/", null, null).statusCode());
        HttpResponse<String> twice = dav.send("alice", "PUT", "/dav/calendars/alice/other/" + uid + ".ics",
                weekly(uid, "", "bob"), "text/calendar", Map.of());
        assertEquals(403, twice.statusCode(), twice.body());
        assertTrue(twice.body().contains("unique-scheduling-object-resource"), twice.body());
        String mixed = weekly(uid, "", "bob").replace("END:VCALENDAR", "BEGIN:VEVENT\r\nUID:" + uid + "\r\n"
                + "DTSTAMP:20261121T090000Z\r\nRECURRENCE-ID:20261214T100000Z\r\nDTSTART:20261214T100000Z\r\n"
                + "DTEND:20261214T110000Z\r\nORGANIZER:mailto:carol@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR");
        HttpResponse<String> split = put("alice", uid, mixed, Map.of());
        assertEquals(403, split.statusCode(), split.body());
        assertTrue(split.body().contains("same-organizer-in-all-components"), split.body());
    }

    @Test
    void rfc6638_3_2_aPutItsConditionsRefuseSendsNothing() throws Exception {
        // the server schedules before it stores: a write the store would refuse must not reach anyone
        String uid = "refused-1";
        assertEquals(201, put("alice", uid, weekly(uid, "", "bob"), Map.of()).statusCode());
        assertEquals(1, inboxCount("bob", uid, "REQUEST"));
        String moved = weekly(uid, "", "bob", "carol").replace("DTSTART:20261207T100000Z", "DTSTART:20261207T120000Z")
                .replace("DTEND:20261207T110000Z", "DTEND:20261207T130000Z");
        assertEquals(412, put("alice", uid, moved, Map.of("If-Match", "\"not-the-etag\"")).statusCode());
        assertEquals(412, put("alice", uid, moved, Map.of("If-None-Match", "*")).statusCode());
        assertEquals(412, put("alice", uid, moved, Map.of("If-Schedule-Tag-Match", "\"s-old\"")).statusCode());
        // RFC 4791 §5.3.2.1: a plain event holds a UID; an invitation with that UID under another name is refused
        String plain = weekly("plain-1", "", "carol").replaceAll("(?m)^(ORGANIZER|ATTENDEE)[^\r\n]*\r\n", "");
        assertEquals(201, put("alice", "plain-1", plain, Map.of()).statusCode());
        HttpResponse<String> twice = dav.send("alice", "PUT", "/dav/calendars/alice/calendar/elsewhere.ics",
                weekly("plain-1", "", "carol"), "text/calendar", Map.of());
        assertEquals(403, twice.statusCode(), twice.body());
        assertTrue(twice.body().contains("no-uid-conflict") && twice.body().contains("plain-1.ics"), twice.body());
        assertEquals(0, inboxCount("carol", "plain-1", "REQUEST"));
        assertEquals(1, inboxCount("bob", uid, "REQUEST"), "bob heard of none of the refused writes");
        assertEquals(0, inboxCount("carol", uid, "REQUEST"), "nor did carol");
        assertTrue(get("alice", uid).contains("DTSTART:20261207T100000Z"), "alice's copy is as it was");

        // a resource keeps its UID: another event under this name is refused before anyone hears of it
        String other = weekly("refused-2", "", "carol");
        HttpResponse<String> renamed = put("alice", uid, other, Map.of());
        assertEquals(403, renamed.statusCode(), renamed.body());
        assertTrue(renamed.body().contains("no-uid-conflict"), renamed.body());
        assertEquals(0, inboxCount("carol", "refused-2", "REQUEST"));

        // the same change with the right ETag goes through: carol is invited, bob is told of the new time
        String etag = dav.send("alice", "GET", path("alice", uid), null, null).headers().firstValue("ETag")
                .orElseThrow();
        HttpResponse<String> ok = put("alice", uid, moved, Map.of("If-Match", etag));
        assertEquals(204, ok.statusCode(), ok.body());
        assertTrue(ok.headers().firstValue("ETag").isEmpty(), "the stored copy has the statuses (RFC 6638 §8.3)");
        assertEquals(2, inboxCount("bob", uid, "REQUEST"));
        assertEquals(1, inboxCount("carol", uid, "REQUEST"));
        String stored = get("alice", uid);
        assertTrue(stored.contains("DTSTART:20261207T120000Z"), stored);
        assertTrue(SchedulingTest.line(stored, "ATTENDEE", "carol@").contains("SCHEDULE-STATUS=1.2"), stored);
    }

    @Test
    void rfc5545_3_1_aFoldedOrganizerStillSchedules() throws Exception {
        // a fold may fall inside a property's name; the server must still see a scheduling object
        String uid = "folded-1";
        String ics = weekly(uid, "", "dave").replace("ORGANIZER:mailto:alice@example.com",
                "ORGA\r\n NIZER:mailto:alice@example.com");
        HttpResponse<String> r = put("alice", uid, ics, Map.of());
        assertEquals(201, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Schedule-Tag").isPresent(), "a scheduling object has a Schedule-Tag");
        assertEquals(1, inboxCount("dave", uid, "REQUEST"));
    }

    @Test
    void rfc6638_3_2_9_theOrganizerLearnsWhatBecameOfAHeldInvitation() throws Exception {
        for (String decision : new String[] {"approve", "deny"}) {
            String uid = "held-" + decision;
            // recurrence.far-future holds an invitation for its recipient by default
            String far = weekly(uid, "", "bob").replace("20261207T", "20460101T");
            assertEquals(201, put("alice", uid, far, Map.of()).statusCode());
            assertTrue(SchedulingTest.line(get("alice", uid), "ATTENDEE", "bob@").contains("SCHEDULE-STATUS=1.0"),
                    get("alice", uid));
            JsonNode held = JSON.readTree(dav.send("bob", "GET", "/guard/api/held", null, null).body()).get("held");
            String id = StreamSupport.stream(held.spliterator(), false).filter(h -> h.get("uid").asText().equals(uid))
                    .findFirst().orElseThrow().get("id").asText();
            assertEquals(200, dav.send("bob", "POST", "/guard/api/held/" + id + "/" + decision, null, null)
                    .statusCode());
            String expected = decision.equals("approve") ? "SCHEDULE-STATUS=1.2" : "SCHEDULE-STATUS=3.8";
            assertTrue(SchedulingTest.line(get("alice", uid), "ATTENDEE", "bob@").contains(expected),
                    get("alice", uid));
            JsonNode sent = JSON.readTree(dav.send("alice", "GET", "/guard/api/sent", null, null).body()).get("sent");
            JsonNode mine = StreamSupport.stream(sent.spliterator(), false)
                    .filter(x -> x.get("uid").asText().equals(uid)).findFirst().orElseThrow();
            assertEquals(decision.equals("approve") ? "delivered after approval" : "denied",
                    mine.get("outcome").asText(), sent.toString());
            assertEquals("mailto:bob@example.com", mine.get("recipient").asText());
        }
    }

    @Test
    void rfc6638_3_1_anAssignedTaskTravelsLikeAnEvent() throws Exception {
        String uid = "task-1";
        String todo = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VTODO\r\nUID:" + uid + "\r\n"
                + "DTSTAMP:20261120T090000Z\r\nDUE:20261215T170000Z\r\nSUMMARY:Write the report\r\nSEQUENCE:0\r\n"
                + "ORGANIZER:mailto:alice@example.com\r\nATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.com\r\n"
                + "END:VTODO\r\nEND:VCALENDAR\r\n";
        assertEquals(201, dav.send("alice", "PUT", "/dav/calendars/alice/tasks/" + uid + ".ics", todo,
                "text/calendar", Map.of()).statusCode());
        String bobsPath = dav.pathOf("bob", "/dav/calendars/bob/tasks/", "VTODO", uid);
        String bobs = dav.get("bob", bobsPath);
        assertTrue(bobs.contains("SUMMARY:Write the report"), bobs);
        // bob reports progress: his answer and the task's progress are his to set (RFC 5546 §3.4.3)
        String done = answer(bobs, "bob", "COMPLETED").replace("END:VTODO", "PERCENT-COMPLETE:100\r\n"
                + "COMPLETED:20261210T120000Z\r\nSTATUS:COMPLETED\r\nEND:VTODO");
        assertEquals(204, dav.send("bob", "PUT", bobsPath, done, "text/calendar",
                Map.of()).statusCode());
        String alices = dav.get("alice", "/dav/calendars/alice/tasks/" + uid + ".ics");
        assertTrue(SchedulingTest.line(alices, "ATTENDEE", "bob@").contains("PARTSTAT=COMPLETED"), alices);
    }

    @Test
    void rfc6638_3_2_2_anAttendeeAnswersForOneInstance() throws Exception {
        String uid = "one-answer-1";
        assertEquals(201, put("alice", uid, weekly(uid, "", "bob"), Map.of()).statusCode());
        String accepted = answer(get("bob", uid), "bob", "ACCEPTED");
        assertEquals(204, put("bob", uid, accepted, Map.of()).statusCode());
        // bob declines Dec 14 with an override of his own, and removes Dec 21 from his calendar
        String master = accepted.substring(accepted.indexOf("BEGIN:VEVENT"), accepted.indexOf("END:VEVENT") + 10);
        String declined = master.replace("RRULE:FREQ=WEEKLY;COUNT=4\r\n", "RECURRENCE-ID:20261214T100000Z\r\n")
                .replace("DTSTART:20261207T100000Z", "DTSTART:20261214T100000Z")
                .replace("DTEND:20261207T110000Z", "DTEND:20261214T110000Z");
        declined = answer(declined, "bob", "DECLINED").strip();
        String changed = accepted.replace("RRULE:FREQ=WEEKLY;COUNT=4", "RRULE:FREQ=WEEKLY;COUNT=4\r\n"
                + "EXDATE:20261221T100000Z").replace("END:VCALENDAR", declined + "\r\nEND:VCALENDAR");
        HttpResponse<String> r = put("bob", uid, changed, Map.of());
        assertEquals(204, r.statusCode(), r.body());
        String alices = get("alice", uid);
        String[] parts = alices.split("BEGIN:VEVENT");
        String masterCopy = java.util.Arrays.stream(parts).filter(p -> p.contains("RRULE")).findFirst().orElseThrow();
        assertTrue(SchedulingTest.line(masterCopy, "ATTENDEE", "bob@").contains("PARTSTAT=ACCEPTED"), alices);
        for (String day : new String[] {"20261214", "20261221"}) {
            String instance = java.util.Arrays.stream(parts).filter(p -> p.contains("RECURRENCE-ID")
                    && p.contains(day)).findFirst().orElseThrow(() -> new AssertionError(day + "\n" + alices));
            assertTrue(SchedulingTest.line(instance, "ATTENDEE", "bob@").contains("PARTSTAT=DECLINED"), alices);
        }
    }

    @Test
    void rfc6638_3_2_4_aColleagueCannotTakeOverSomeoneElsesMeeting() throws Exception {
        String uid = "hijack-1";
        assertEquals(201, put("alice", uid, weekly(uid, "", "bob", "mallory"), Map.of()).statusCode());
        // mallory quietly drops her copy, then organizes an event of her own under the same UID for bob
        assertEquals(204, dav.send("mallory", "DELETE", path("mallory", uid), null, null,
                Map.of("Schedule-Reply", "F")).statusCode());
        String hers = weekly(uid, "", "bob").replace("mailto:alice@example.com", "mailto:mallory@example.com")
                .replace("SEQUENCE:0", "SEQUENCE:5").replace("SUMMARY:Weekly review", "SUMMARY:Moved to my office");
        assertEquals(201, put("mallory", uid, hers, Map.of()).statusCode());
        String bobs = get("bob", uid);
        assertTrue(bobs.contains("ORGANIZER:mailto:alice@example.com") && !bobs.contains("my office"), bobs);
    }

    @Test
    void rfc6638_3_2_2_1_clientsMayRewriteWhatTheyDidNotChange() throws Exception {
        String uid = "rewrite-1";
        assertEquals(201, put("alice", uid, weekly(uid, "", "carol"), Map.of()).statusCode());
        // the same times in another spelling, DTEND as DURATION, names added, the address in capitals
        String rewritten = answer(get("carol", uid), "carol", "ACCEPTED")
                .replace("DTSTART:20261207T100000Z", "DTSTART;TZID=Europe/Berlin:20261207T110000")
                .replace("DTEND:20261207T110000Z", "DURATION:PT1H")
                .replace("ORGANIZER:mailto:alice@example.com", "ORGANIZER;CN=Alice:MAILTO:alice@example.com")
                .replace("END:VEVENT", "X-APPLE-TRAVEL-ADVISORY-BEHAVIOR:AUTOMATIC\r\nCOLOR:teal\r\nEND:VEVENT");
        HttpResponse<String> r = put("carol", uid, rewritten, Map.of());
        assertEquals(204, r.statusCode(), r.body());
        assertTrue(SchedulingTest.line(get("alice", uid), "ATTENDEE", "carol@").contains("PARTSTAT=ACCEPTED"));
    }
}
