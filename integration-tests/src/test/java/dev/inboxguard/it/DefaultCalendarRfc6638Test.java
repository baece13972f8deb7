package dev.inboxguard.it;

import static dev.inboxguard.it.RfcServer.C;
import static dev.inboxguard.it.RfcServer.D;
import static dev.inboxguard.it.RfcServer.NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.config.GuardConfig;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

/**
 * RFC 6638 §9.2 the default calendar: every user has a calendar (VEVENT) and a task list (VTODO) from the first
 * request on; the inbox's schedule-default-calendar-URL names the calendar, can be re-pointed by PROPPATCH, is
 * where invitations land, and follows a DELETE of the default calendar; the last VEVENT calendar cannot be
 * deleted (CALDAV:default-calendar-needed). With caldav.defaultCollections off, a new user has no calendars.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DefaultCalendarRfc6638Test {
    @TempDir
    static Path data;
    @TempDir
    static Path bareData;
    private static RfcServer s;

    @BeforeAll
    static void start() {
        s = RfcServer.start(data);
    }

    @AfterAll
    static void stop() throws Exception {
        s.close();
    }

    private static Set<String> comps(RfcServer server, String user, String cal) throws Exception {
        Element set = server.props(user, cal, "0", "<C:supported-calendar-component-set/>").require(cal)
                .ok(C, "supported-calendar-component-set");
        Set<String> out = new TreeSet<>();
        DavXml.children(set, C, "comp").forEach(e -> out.add(e.getAttribute("name")));
        return out;
    }

    private static DavXml.Response inbox(String user) throws Exception {
        String inbox = "/dav/calendars/" + user + "/inbox/";
        return s.props(user, inbox, "0", "<C:schedule-default-calendar-URL/>").require(inbox);
    }

    private static List<String> defaultCalendar(String user) throws Exception {
        return inbox(user).hrefs(C, "schedule-default-calendar-URL");
    }

    private static HttpResponse<String> repoint(String user, String href) throws Exception {
        return s.send(user, "PROPPATCH", "/dav/calendars/" + user + "/inbox/", "<?xml version=\"1.0\" "
                + "encoding=\"utf-8\"?><D:propertyupdate " + NS + "><D:set><D:prop><C:schedule-default-calendar-URL>"
                + "<D:href>" + href + "</D:href></C:schedule-default-calendar-URL></D:prop></D:set>"
                + "</D:propertyupdate>");
    }

    @Test
    @Order(1) // carol's and dave's first requests are this test's
    @DisplayName("RFC 6638 §9.2 / RFC 4791 §4.2 a calendar (VEVENT) and a task list (VTODO) from the first request")
    void rfc6638s9_2_defaultCollectionsFromTheFirstRequest() throws Exception {
        // carol's very first request lists her home
        DavXml.Multistatus home = s.props("carol", "/dav/calendars/carol/", "1", "<D:resourcetype/><D:displayname/>");
        Set<String> members = home.members("/dav/calendars/carol/");
        assertTrue(members.containsAll(Set.of("calendar", "tasks", "inbox", "outbox")),
                "RFC 6638 §9.2 the default collections exist at once: " + members);
        assertEquals(Set.of("calendar", "tasks", "inbox", "outbox"), members, "nothing else: " + home.body);
        for (String cal : List.of("calendar", "tasks")) {
            Element type = home.require("/dav/calendars/carol/" + cal + "/").ok(D, "resourcetype");
            assertTrue(DavXml.child(type, C, "calendar") != null, "RFC 4791 §4.2 " + cal + " is a calendar");
        }
        assertEquals(Set.of("VEVENT"), comps(s, "carol", "/dav/calendars/carol/calendar/"),
                "RFC 4791 §5.2.3 the calendar takes events");
        assertEquals(Set.of("VTODO"), comps(s, "carol", "/dav/calendars/carol/tasks/"),
                "RFC 4791 §5.2.3 the task list takes to-dos");

        // dave's very first request is a PUT into his default calendar
        HttpResponse<String> put = s.put("dave", "/dav/calendars/dave/calendar/first.ics",
                Ical.event("dc-first", "20270301T100000Z", "20270301T110000Z", "First"));
        assertEquals(201, put.statusCode(), "RFC 6638 §9.2 the default calendar exists for a first PUT: "
                + put.body());
    }

    @Test
    @DisplayName("RFC 6638 §9.2 the inbox's schedule-default-calendar-URL names /dav/calendars/USER/calendar/")
    void rfc6638s9_2_defaultCalendarUrl() throws Exception {
        assertEquals(List.of("/dav/calendars/carol/calendar/"), defaultCalendar("carol"), "RFC 6638 §9.2");
    }

    @Test
    @DisplayName("RFC 6638 §9.2 PROPPATCH re-points the default calendar, and invitations land there")
    void rfc6638s9_2_repointAndDeliver() throws Exception {
        s.calendar("bob", "/dav/calendars/bob/work/", "VEVENT");
        DavXml.Response r = DavXml.multistatus("PROPPATCH inbox", repoint("bob", "/dav/calendars/bob/work/"))
                .require("/dav/calendars/bob/inbox/");
        assertEquals(200, r.status(C, "schedule-default-calendar-URL"), "RFC 6638 §9.2 settable: " + r.propStatus);
        assertEquals(List.of("/dav/calendars/bob/work/"), defaultCalendar("bob"), "RFC 6638 §9.2 reads back");

        s.create("alice", "/dav/calendars/alice/calendar/invite.ics", Ical.event("dc-invite@example.com",
                "20270315T100000Z", "20270315T110000Z", "Kick-off", "ORGANIZER:mailto:alice@example.com",
                "ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com",
                "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.com"));
        String query = "<C:calendar-query " + NS + "><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter "
                + "name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\"><C:prop-filter name=\"UID\"><C:text-match "
                + "collation=\"i;octet\">dc-invite@example.com</C:text-match></C:prop-filter></C:comp-filter>"
                + "</C:comp-filter></C:filter></C:calendar-query>";
        Set<String> inWork = DavXml.multistatus("calendar-query", s.report("bob", "/dav/calendars/bob/work/", "1",
                query)).paths();
        assertEquals(1, inWork.size(), "RFC 6638 §9.2 the invitation is stored in the default calendar (work): "
                + inWork);
        Set<String> inCalendar = DavXml.multistatus("calendar-query", s.report("bob", "/dav/calendars/bob/calendar/",
                "1", query)).paths();
        assertEquals(Set.of(), inCalendar, "RFC 6638 §9.2 ... and not in the former default: " + inCalendar);
    }

    @Test
    @DisplayName("RFC 6638 §9.2 / RFC 4918 §9.2.1 the default calendar must be one of the user's VEVENT calendars")
    void rfc6638s9_2_invalidDefaultCalendar() throws Exception {
        for (String href : List.of("/dav/calendars/carol/tasks/", "/dav/calendars/carol/nowhere/",
                "/dav/calendars/alice/calendar/", "/dav/calendars/carol/inbox/")) {
            DavXml.Response r = DavXml.multistatus("PROPPATCH inbox", repoint("carol", href))
                    .require("/dav/calendars/carol/inbox/");
            int status = r.status(C, "schedule-default-calendar-URL");
            assertTrue(status == 403 || status == 409, "RFC 6638 §9.2 (CALDAV:valid-schedule-default-calendar-URL)"
                    + " / RFC 4918 §9.2.1: " + href + " is refused, got " + status);
            assertEquals(List.of("/dav/calendars/carol/calendar/"), defaultCalendar("carol"),
                    "RFC 4918 §9.2 the property is unchanged after " + href);
        }
    }

    @Test
    @DisplayName("RFC 6638 §9.2 DELETE of the default calendar re-points it; the last VEVENT calendar: 403 "
            + "CALDAV:default-calendar-needed")
    void rfc6638s9_2_deleteDefaultCalendar() throws Exception {
        s.calendar("dave", "/dav/calendars/dave/other/", "VEVENT");
        HttpResponse<String> del = s.send("dave", "DELETE", "/dav/calendars/dave/calendar/", null);
        assertEquals(204, del.statusCode(), "RFC 4918 §9.6 DELETE of the default calendar: " + del.body());
        assertEquals(404, s.propfind("dave", "/dav/calendars/dave/calendar/", "0", "<D:resourcetype/>").statusCode(),
                "RFC 4918 §9.6.1 the deleted calendar stays deleted (it is not made again)");
        assertEquals(List.of("/dav/calendars/dave/other/"), defaultCalendar("dave"),
                "RFC 6638 §9.2 the default moved to the remaining VEVENT calendar");

        HttpResponse<String> last = s.send("dave", "DELETE", "/dav/calendars/dave/other/", null);
        assertEquals(403, last.statusCode(), "RFC 6638 §9.2 the last VEVENT calendar cannot go: " + last.body());
        assertTrue(DavXml.hasPrecondition(last.body(), C, "default-calendar-needed"),
                "RFC 6638 §9.2 CALDAV:default-calendar-needed: " + last.body());
        assertEquals(207, s.propfind("dave", "/dav/calendars/dave/other/", "0", "<D:resourcetype/>").statusCode(),
                "RFC 6638 §9.2 the calendar is still there");
        assertEquals(List.of("/dav/calendars/dave/other/"), defaultCalendar("dave"), "RFC 6638 §9.2 unchanged");
        assertEquals(204, s.send("dave", "DELETE", "/dav/calendars/dave/tasks/", null).statusCode(),
                "RFC 4918 §9.6 the task list is no default calendar and can go");
        assertEquals(404, s.propfind("dave", "/dav/calendars/dave/tasks/", "0", "<D:resourcetype/>").statusCode(),
                "RFC 4918 §9.6.1 the deleted task list stays deleted (it is not made again)");
    }

    @Test
    @DisplayName("caldav.defaultCollections false: a new user has no calendars, and can make one (RFC 4791 §5.3.1)")
    void defaultCollectionsOff() throws Exception {
        try (RfcServer bare = RfcServer.start(bareData, new GuardConfig.Caldav(false, null, null, null))) {
            DavXml.Multistatus home = bare.props("alice", "/dav/calendars/alice/", "1", "<D:resourcetype/>");
            Set<String> calendars = new TreeSet<>();
            for (DavXml.Response r : home.responses) {
                if (r.status(D, "resourcetype") == 200 && DavXml.child(r.ok(D, "resourcetype"), C, "calendar") != null) {
                    calendars.add(r.path);
                }
            }
            assertEquals(Set.of(), calendars, "no calendar is made for her: " + home.body);
            assertFalse(home.members("/dav/calendars/alice/").contains("calendar"), home.body);
            assertEquals(404, bare.send("alice", "GET", "/dav/calendars/alice/calendar/x.ics", null).statusCode());
            bare.calendar("alice", "/dav/calendars/alice/mine/", "VEVENT");
            assertTrue(bare.props("alice", "/dav/calendars/alice/", "1", "<D:resourcetype/>")
                    .members("/dav/calendars/alice/").contains("mine"), "RFC 4791 §5.3.1 her own calendar");
        }
    }
}
