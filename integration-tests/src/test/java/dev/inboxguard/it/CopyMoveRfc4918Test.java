package dev.inboxguard.it;

import static dev.inboxguard.it.RfcServer.C;
import static dev.inboxguard.it.RfcServer.D;
import static dev.inboxguard.it.RfcServer.NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 4918 §9.8 COPY and §9.9 MOVE of calendar object resources between one user's calendars, with the CalDAV
 * preconditions that apply to the destination (RFC 4791 §5.3.2.1) and RFC 6638 §3.2.4.1 for scheduling objects.
 */
class CopyMoveRfc4918Test {
    private static final String USER = "bob";
    private static final String EVENTS = "/dav/calendars/bob/calendar/";
    private static final String TASKS = "/dav/calendars/bob/tasks/";
    private static final String OTHER = "/dav/calendars/bob/second/";

    @TempDir
    static Path data;
    private static RfcServer s;

    @BeforeAll
    static void start() throws Exception {
        s = RfcServer.start(data);
        s.calendar(USER, OTHER, "VEVENT");
    }

    @AfterAll
    static void stop() throws Exception {
        s.close();
    }

    private static HttpResponse<String> transfer(String method, String from, String to, String... headers)
            throws Exception {
        String[] h = new String[headers.length + 2];
        h[0] = "Destination";
        h[1] = "http://127.0.0.1:" + s.server.port() + to;
        System.arraycopy(headers, 0, h, 2, headers.length);
        return s.send(USER, method, from, null, h);
    }

    private static String summaryOf(String path) throws Exception {
        return Ical.parse(s.dav.get(USER, path)).comps("VEVENT").get(0).value("SUMMARY");
    }

    private static int status(String path) throws Exception {
        return s.send(USER, "GET", path, null).statusCode();
    }

    private static void assertRefused(HttpResponse<String> r, int status, String ns, String precondition, String rfc) {
        assertEquals(status, r.statusCode(), rfc + ": " + r.body());
        assertTrue(DavXml.hasPrecondition(r.body(), ns, precondition), rfc + " -- the DAV:error names "
                + precondition + ": " + r.body());
    }

    @Test
    @DisplayName("RFC 4918 §9.8.5 COPY to a new name answers 201, over an existing one 204; the source stays")
    void rfc4918s9_8_copy() throws Exception {
        s.create(USER, EVENTS + "c1.ics", Ical.event("cm-c1", "20270301T100000Z", "20270301T110000Z", "Copy me"));
        HttpResponse<String> created = transfer("COPY", EVENTS + "c1.ics", OTHER + "c1.ics");
        assertEquals(201, created.statusCode(), "RFC 4918 §9.8.5 201 Created: " + created.body());
        assertEquals("Copy me", summaryOf(OTHER + "c1.ics"), "RFC 4918 §9.8 the copy has the content");
        assertEquals("Copy me", summaryOf(EVENTS + "c1.ics"), "RFC 4918 §9.8 the source stays");

        assertEquals(204, s.put(USER, EVENTS + "c1.ics", Ical.event("cm-c1", "20270301T100000Z",
                "20270301T110000Z", "Changed")).statusCode());
        HttpResponse<String> over = transfer("COPY", EVENTS + "c1.ics", OTHER + "c1.ics");
        assertEquals(204, over.statusCode(), "RFC 4918 §9.8.5 204 No Content over an existing resource: "
                + over.body());
        assertEquals("Changed", summaryOf(OTHER + "c1.ics"), "RFC 4918 §9.8.4 the destination was replaced");

        HttpResponse<String> explicit = transfer("COPY", EVENTS + "c1.ics", OTHER + "c1.ics", "Overwrite", "T");
        assertEquals(204, explicit.statusCode(), "RFC 4918 §10.6 Overwrite: T: " + explicit.body());
    }

    @Test
    @DisplayName("RFC 4918 §10.6 Overwrite: F onto an existing object: 412, nothing changes")
    void rfc4918s10_6_overwriteF() throws Exception {
        s.create(USER, EVENTS + "o1.ics", Ical.event("cm-o1", "20270302T100000Z", "20270302T110000Z", "Source"));
        s.create(USER, OTHER + "o1-target.ics", Ical.event("cm-o1", "20270302T100000Z", "20270302T110000Z",
                "Target"));
        for (String method : new String[] {"COPY", "MOVE"}) {
            HttpResponse<String> r = transfer(method, EVENTS + "o1.ics", OTHER + "o1-target.ics", "Overwrite", "F");
            assertEquals(412, r.statusCode(), "RFC 4918 §10.6 " + method + " with Overwrite: F onto an existing "
                    + "resource: 412: " + r.body());
            assertEquals("Target", summaryOf(OTHER + "o1-target.ics"), "RFC 4918 §10.6 the destination is unchanged");
            assertEquals("Source", summaryOf(EVENTS + "o1.ics"), "RFC 4918 §10.6 the source is unchanged");
        }
        s.calendar(USER, "/dav/calendars/bob/third/", "VEVENT");
        HttpResponse<String> fresh = transfer("COPY", EVENTS + "o1.ics", "/dav/calendars/bob/third/o1.ics",
                "Overwrite", "F");
        assertEquals(201, fresh.statusCode(), "RFC 4918 §10.6 Overwrite: F to a free name is fine: " + fresh.body());
    }

    @Test
    @DisplayName("RFC 4918 §9.9 MOVE: 201 to a new name, 204 over an existing one; the source is gone")
    void rfc4918s9_9_move() throws Exception {
        s.create(USER, EVENTS + "m1.ics", Ical.event("cm-m1", "20270303T100000Z", "20270303T110000Z", "Move me"));
        HttpResponse<String> moved = transfer("MOVE", EVENTS + "m1.ics", OTHER + "m1.ics");
        assertEquals(201, moved.statusCode(), "RFC 4918 §9.9.4 201 Created: " + moved.body());
        assertEquals(404, status(EVENTS + "m1.ics"), "RFC 4918 §9.9 the source is gone");
        assertEquals("Move me", summaryOf(OTHER + "m1.ics"), "RFC 4918 §9.9 the destination has it");

        s.create(USER, EVENTS + "m2.ics", Ical.event("cm-m2", "20270304T100000Z", "20270304T110000Z", "Mover"));
        s.create(USER, OTHER + "m2-target.ics", Ical.event("cm-m2", "20270304T100000Z", "20270304T110000Z",
                "Victim"));
        HttpResponse<String> over = transfer("MOVE", EVENTS + "m2.ics", OTHER + "m2-target.ics");
        assertEquals(204, over.statusCode(), "RFC 4918 §9.9.4 204 over an existing resource: " + over.body());
        assertEquals("Mover", summaryOf(OTHER + "m2-target.ics"), "RFC 4918 §9.9.3 the destination was replaced");
        assertEquals(404, status(EVENTS + "m2.ics"), "RFC 4918 §9.9 the source is gone");

        DavXml.Multistatus listing = s.props(USER, OTHER, "1", "<D:getetag/>");
        assertTrue(listing.members(OTHER).containsAll(Set.of("m1.ics", "m2-target.ics")), listing.body);
    }

    @Test
    @DisplayName("RFC 6578 §3.5 a MOVE shows as a removal in the source and an addition in the destination")
    void rfc6578s3_5_moveIsSeenBySync() throws Exception {
        String from = RfcServer.cal(USER, "sync from");
        String to = RfcServer.cal(USER, "sync to");
        s.calendar(USER, from, "VEVENT");
        s.calendar(USER, to, "VEVENT");
        s.create(USER, from + "x.ics", Ical.event("cm-sync", "20270305T100000Z", "20270305T110000Z", "Synced"));
        String tokenFrom = token(from);
        String tokenTo = token(to);
        assertEquals(201, transfer("MOVE", from + "x.ics", to + "x.ics").statusCode());
        DavXml.Multistatus a = sync(from, tokenFrom);
        assertEquals(404, a.require("/dav/calendars/bob/sync from/x.ics").status,
                "RFC 6578 §3.5.2 the moved object is removed from the source: " + a.body);
        DavXml.Multistatus b = sync(to, tokenTo);
        assertEquals(200, b.require("/dav/calendars/bob/sync to/x.ics").status(D, "getetag"),
                "RFC 6578 §3.5.1 the moved object is new in the destination: " + b.body);
    }

    private static String token(String cal) throws Exception {
        return s.props(USER, cal, "0", "<D:sync-token/>").require(DavXml.decodePath(cal)).text(D, "sync-token")
                .strip();
    }

    private static DavXml.Multistatus sync(String cal, String token) throws Exception {
        return DavXml.multistatus("sync-collection", s.report(USER, cal, null, "<D:sync-collection " + NS
                + "><D:sync-token>" + token + "</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/>"
                + "</D:prop></D:sync-collection>"));
    }

    @Test
    @DisplayName("RFC 6638 §3.2.4.1 COPY of a scheduling object is refused (unique-scheduling-object-resource); "
            + "MOVE is allowed")
    void rfc6638s3_2_4_1_schedulingObject() throws Exception {
        String invite = Ical.event("cm-sched", "20270306T100000Z", "20270306T110000Z", "Planning",
                "ORGANIZER;CN=Bob:mailto:bob@example.com",
                "ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED:mailto:bob@example.com",
                "ATTENDEE;CN=Zed;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:zed@elsewhere.test");
        s.create(USER, EVENTS + "sched.ics", invite);
        assertRefused(transfer("COPY", EVENTS + "sched.ics", OTHER + "sched.ics"), 403, C,
                "unique-scheduling-object-resource", "RFC 6638 §3.2.4.1 a second resource with the same "
                        + "scheduling UID");
        assertEquals(404, status(OTHER + "sched.ics"), "RFC 6638 §3.2.4.1 no copy was made");
        assertRefused(s.put(USER, OTHER + "sched-again.ics", invite), 403, C, "unique-scheduling-object-resource",
                "RFC 6638 §3.2.4.1 PUT of the same scheduling UID into another calendar");

        HttpResponse<String> move = transfer("MOVE", EVENTS + "sched.ics", OTHER + "sched.ics");
        assertEquals(201, move.statusCode(), "RFC 6638 §3.2.4.1 MOVE keeps one resource, so it is allowed: "
                + move.body());
        assertEquals(404, status(EVENTS + "sched.ics"), "RFC 4918 §9.9 the source is gone");
        assertEquals("Planning", summaryOf(OTHER + "sched.ics"));
    }

    @Test
    @DisplayName("RFC 4791 §5.3.2.1 COPY of a VTODO into a VEVENT-only calendar: supported-calendar-component")
    void rfc4791s5_3_2_1_componentTypeAtDestination() throws Exception {
        s.create(USER, TASKS + "t1.ics", Ical.wrap("BEGIN:VTODO", "UID:cm-t1", "DTSTAMP:20261121T080000Z",
                "SUMMARY:Chore", "END:VTODO"));
        for (String method : new String[] {"COPY", "MOVE"}) {
            assertRefused(transfer(method, TASKS + "t1.ics", EVENTS + "t1.ics"), 403, C, "supported-calendar-component",
                    "RFC 4791 §5.3.2.1 " + method + " of a VTODO into a VEVENT calendar");
            assertEquals(404, status(EVENTS + "t1.ics"), "nothing arrived");
            assertEquals(200, status(TASKS + "t1.ics"), "the source stays");
        }
    }

    @Test
    @DisplayName("RFC 4791 §5.3.2.1 COPY/MOVE onto a calendar holding the UID under another name: no-uid-conflict")
    void rfc4791s5_3_2_1_noUidConflict() throws Exception {
        s.create(USER, EVENTS + "u1.ics", Ical.event("cm-uid", "20270307T100000Z", "20270307T110000Z", "One"));
        s.create(USER, OTHER + "u1-elsewhere.ics", Ical.event("cm-uid", "20270307T100000Z", "20270307T110000Z",
                "Same UID"));
        for (String method : new String[] {"COPY", "MOVE"}) {
            HttpResponse<String> r = transfer(method, EVENTS + "u1.ics", OTHER + "u1.ics");
            assertRefused(r, 403, C, "no-uid-conflict", "RFC 4791 §5.3.2.1 " + method + " would put the UID twice "
                    + "in one calendar");
            assertEquals(404, status(OTHER + "u1.ics"), "nothing arrived");
        }
        HttpResponse<String> sameName = transfer("COPY", EVENTS + "u1.ics", OTHER + "u1-elsewhere.ics");
        assertEquals(204, sameName.statusCode(), "RFC 4791 §5.3.2.1 replacing the object that has the UID is no "
                + "conflict: " + sameName.body());
    }

    @Test
    @DisplayName("RFC 4791 §5.3.2.1 no-uid-conflict: PUT, COPY or MOVE must not overwrite an object that has another UID")
    void rfc4791s5_3_2_1_noOverwriteWithAnotherUid() throws Exception {
        s.create(USER, OTHER + "keep.ics", Ical.event("cm-keep", "20270310T100000Z", "20270310T110000Z", "Keep"));
        s.create(USER, EVENTS + "intruder.ics", Ical.event("cm-intruder", "20270310T100000Z", "20270310T110000Z",
                "Intruder"));
        assertRefused(s.put(USER, OTHER + "keep.ics", Ical.event("cm-intruder-2", "20270310T100000Z",
                        "20270310T110000Z", "Replaced")), 403, C, "no-uid-conflict",
                "RFC 4791 §5.3.2.1 PUT over an object with a different UID");
        for (String method : new String[] {"COPY", "MOVE"}) {
            assertRefused(transfer(method, EVENTS + "intruder.ics", OTHER + "keep.ics"), 403, C, "no-uid-conflict",
                    "RFC 4791 §5.3.2.1 " + method + " over an object with a different UID");
        }
        assertEquals("Keep", summaryOf(OTHER + "keep.ics"), "RFC 4791 §5.3.2.1 the object keeps its UID and data");
    }

    @Test
    @DisplayName("RFC 4791 §5.3.2.1 no-uid-conflict names the resource that holds the UID in a DAV:href (SHOULD)")
    void rfc4791s5_3_2_1_noUidConflictNamesTheHolder() throws Exception {
        s.create(USER, OTHER + "holder.ics", Ical.event("cm-holder", "20270311T100000Z", "20270311T110000Z", "H"));
        s.create(USER, EVENTS + "holder-copy.ics", Ical.event("cm-holder", "20270311T100000Z", "20270311T110000Z",
                "H"));
        HttpResponse<String> put = s.put(USER, OTHER + "second.ics", Ical.event("cm-holder", "20270311T100000Z",
                "20270311T110000Z", "H"));
        HttpResponse<String> copy = transfer("COPY", EVENTS + "holder-copy.ics", OTHER + "third.ics");
        for (HttpResponse<String> r : java.util.List.of(put, copy)) {
            assertRefused(r, 403, C, "no-uid-conflict", "RFC 4791 §5.3.2.1");
            org.w3c.dom.Element conflict = DavXml.child(DavXml.parse(r.body()).getDocumentElement(), C,
                    "no-uid-conflict");
            org.w3c.dom.Element href = DavXml.child(conflict, D, "href");
            assertTrue(href != null && DavXml.decodePath(href.getTextContent()).equals(OTHER + "holder.ics"),
                    "RFC 4791 §5.3.2.1 <!ELEMENT no-uid-conflict (DAV:href)>: servers SHOULD report the URL of the "
                            + "resource already using the UID: " + r.body());
        }
    }

    @Test
    @DisplayName("RFC 4918 §9.8.5 / RFC 3744 a Destination in another user's home is refused with 403")
    void rfc4918s9_8_5_otherUsersHome() throws Exception {
        s.create(USER, EVENTS + "mine.ics", Ical.event("cm-mine", "20270308T100000Z", "20270308T110000Z", "Mine"));
        for (String method : new String[] {"COPY", "MOVE"}) {
            HttpResponse<String> r = transfer(method, EVENTS + "mine.ics", "/dav/calendars/alice/calendar/mine.ics");
            assertEquals(403, r.statusCode(), "RFC 4918 §9.8.5 " + method + " into alice's calendar: " + r.body());
            assertEquals(200, status(EVENTS + "mine.ics"), "the source stays");
        }
        assertEquals(404, s.send("alice", "GET", "/dav/calendars/alice/calendar/mine.ics", null).statusCode(),
                "nothing arrived in alice's calendar");
    }

    @Test
    @DisplayName("RFC 4918 §9.8.5 COPY of a resource onto itself is refused with 403")
    void rfc4918s9_8_5_copyOntoItself() throws Exception {
        s.create(USER, EVENTS + "self.ics", Ical.event("cm-self", "20270309T100000Z", "20270309T110000Z", "Self"));
        HttpResponse<String> r = transfer("COPY", EVENTS + "self.ics", EVENTS + "self.ics");
        assertEquals(403, r.statusCode(), "RFC 4918 §9.8.5 source and destination are the same resource: "
                + r.body());
        assertEquals("Self", summaryOf(EVENTS + "self.ics"), "the object is intact");
    }
    @Test
    @DisplayName("RFC 4918 §10.3 a Destination with percent-encoded names, absolute URL or absolute path")
    void rfc4918s10_3_encodedDestination() throws Exception {
        String cal = RfcServer.cal(USER, "Zürich team");
        s.calendar(USER, cal, "VEVENT");
        s.create(USER, EVENTS + "enc.ics", Ical.event("cm-enc", "20270312T100000Z", "20270312T110000Z", "Encoded"));
        HttpResponse<String> copy = transfer("COPY", EVENTS + "enc.ics", cal + RfcServer.seg("über 100%.ics"));
        assertEquals(201, copy.statusCode(), "RFC 4918 §9.8.5: " + copy.body());
        DavXml.Multistatus listing = s.props(USER, cal, "1", "<D:getetag/>");
        assertEquals(Set.of("über 100%.ics"), listing.members("/dav/calendars/bob/Zürich team/"),
                "RFC 4918 §8.3 the destination name decoded equal: " + listing.body);
        HttpResponse<String> move = s.send(USER, "MOVE", cal + RfcServer.seg("über 100%.ics"), null, "Destination",
                OTHER + RfcServer.seg("moved één.ics"));
        assertEquals(201, move.statusCode(), "RFC 4918 §10.3 a Destination may be an absolute path: " + move.body());
        assertEquals(Set.of(), s.props(USER, cal, "1", "<D:getetag/>").members("/dav/calendars/bob/Zürich team/"),
                "RFC 4918 §9.9 the source is gone");
        assertEquals("Encoded", summaryOf(OTHER + RfcServer.seg("moved één.ics")), "RFC 4918 §9.9 moved");
    }

    @Test
    @DisplayName("RFC 4918 §9.9 MOVE within one calendar (a rename) is no UID conflict with itself")
    void rfc4918s9_9_renameWithinCalendar() throws Exception {
        s.create(USER, EVENTS + "before.ics", Ical.event("cm-rename", "20270313T100000Z", "20270313T110000Z",
                "Rename me"));
        HttpResponse<String> r = transfer("MOVE", EVENTS + "before.ics", EVENTS + "after.ics");
        assertEquals(201, r.statusCode(), "RFC 4918 §9.9.4 / RFC 4791 §5.3.2.1: after the MOVE the calendar holds "
                + "the UID once, so there is no conflict: " + r.body());
        assertEquals(404, status(EVENTS + "before.ics"), "RFC 4918 §9.9 the old name is gone");
        assertEquals("Rename me", summaryOf(EVENTS + "after.ics"), "RFC 4918 §9.9 the new name has it");
    }
}
