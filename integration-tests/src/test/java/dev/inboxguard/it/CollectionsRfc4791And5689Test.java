package dev.inboxguard.it;

import static dev.inboxguard.it.RfcServer.APPLE;
import static dev.inboxguard.it.RfcServer.C;
import static dev.inboxguard.it.RfcServer.D;
import static dev.inboxguard.it.RfcServer.NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

/**
 * Calendar collections: RFC 4791 §5.3.1 MKCALENDAR with its properties and preconditions, RFC 5689 §3 extended
 * MKCOL, RFC 4918 §9.6 DELETE, RFC 4791 §5.2.3 component restrictions, and names with spaces, percent signs and
 * non-ASCII characters round-tripping through hrefs (RFC 3986 §2.1, RFC 4918 §8.3) including RFC 6578
 * sync-collection.
 */
class CollectionsRfc4791And5689Test {
    private static final String USER = "dave";
    private static final String HOME = "/dav/calendars/dave/";

    @TempDir
    static Path data;
    private static RfcServer s;

    @BeforeAll
    static void start() {
        s = RfcServer.start(data);
    }

    @AfterAll
    static void stop() throws Exception {
        s.close();
    }

    private static Set<String> comps(Element set) {
        Set<String> out = new TreeSet<>();
        for (Element c : DavXml.children(set, C, "comp")) {
            out.add(c.getAttribute("name"));
        }
        return out;
    }

    private static void assertRefused(HttpResponse<String> r, int status, String ns, String precondition, String rfc) {
        assertEquals(status, r.statusCode(), rfc + ": " + r.body());
        assertTrue(DavXml.hasPrecondition(r.body(), ns, precondition), rfc + " -- the DAV:error names "
                + precondition + ": " + r.body());
    }

    private static void assertGone(String path, String rfc) throws Exception {
        HttpResponse<String> r = s.propfind(USER, path, "0", "<D:resourcetype/>");
        assertEquals(404, r.statusCode(), rfc + " -- nothing was created at " + path + ": " + r.body());
    }

    // ---- MKCALENDAR

    @Test
    @DisplayName("RFC 4791 §5.3.1 MKCALENDAR sets displayname, description, timezone, component set and dead "
            + "properties, all read back exactly")
    void rfc4791s5_3_1_mkcalendarWithProperties() throws Exception {
        String tz = Ical.wrap(Ical.BERLIN);
        String path = HOME + "work/";
        HttpResponse<String> r = s.mkcalendar(USER, path, "<D:displayname>Work &amp; Play &lt;1&gt;</D:displayname>"
                + "<C:calendar-description xml:lang=\"en\">Team calendar</C:calendar-description>"
                + "<C:calendar-timezone>" + tz.replace("\r", "&#13;") + "</C:calendar-timezone>"
                + "<C:supported-calendar-component-set><C:comp name=\"VEVENT\"/><C:comp name=\"VTODO\"/>"
                + "</C:supported-calendar-component-set>"
                + "<A:calendar-color>#FF2968FF</A:calendar-color><A:calendar-order>3</A:calendar-order>");
        assertEquals(201, r.statusCode(), "RFC 4791 §5.3.1 MKCALENDAR answers 201 Created: " + r.body());

        DavXml.Response p = s.props(USER, path, "0", "<D:resourcetype/><D:displayname/><C:calendar-description/>"
                + "<C:calendar-timezone/><C:supported-calendar-component-set/><A:calendar-color/>"
                + "<A:calendar-order/>").require(path);
        Element type = p.ok(D, "resourcetype");
        assertNotNull(DavXml.child(type, D, "collection"), "RFC 4918 §15.9 a collection: " + p.propStatus);
        assertNotNull(DavXml.child(type, C, "calendar"), "RFC 4791 §4.2 a calendar collection");
        assertEquals("Work & Play <1>", p.text(D, "displayname"), "RFC 4918 §15.2 displayname as set");
        assertEquals("Team calendar", p.text(C, "calendar-description"), "RFC 4791 §5.2.1 as set");
        assertEquals(Ical.unfold(tz).strip(), Ical.unfold(p.text(C, "calendar-timezone")).strip(),
                "RFC 4791 §5.2.2 calendar-timezone as set");
        assertEquals(Set.of("VEVENT", "VTODO"), comps(p.ok(C, "supported-calendar-component-set")),
                "RFC 4791 §5.2.3 the component set as set");
        assertEquals("#FF2968FF", p.text(APPLE, "calendar-color"), "RFC 4918 §4 a dead property as set");
        assertEquals("3", p.text(APPLE, "calendar-order"), "RFC 4918 §4 a dead property as set");

        // the restriction is enforced
        HttpResponse<String> journal = s.put(USER, path + "j.ics", Ical.wrap("BEGIN:VJOURNAL", "UID:c-j1",
                "DTSTAMP:20261121T080000Z", "END:VJOURNAL"));
        assertRefused(journal, 403, C, "supported-calendar-component", "RFC 4791 §5.3.2.1 VJOURNAL into a "
                + "VEVENT/VTODO calendar");
        s.create(USER, path + "t.ics", Ical.wrap("BEGIN:VTODO", "UID:c-t1", "DTSTAMP:20261121T080000Z",
                "END:VTODO"));
    }

    @Test
    @DisplayName("RFC 4791 §5.3.1.1 CALDAV:valid-calendar-data: an invalid calendar-timezone is refused")
    void rfc4791s5_3_1_1_invalidTimezone() throws Exception {
        String path = HOME + "badtz/";
        assertRefused(s.mkcalendar(USER, path, "<C:calendar-timezone>not a calendar</C:calendar-timezone>"), 403,
                C, "valid-calendar-data", "RFC 4791 §5.3.1.1 a timezone that is not iCalendar");
        assertGone(path, "RFC 4791 §5.3.1 a failed MKCALENDAR creates nothing");
        String noZone = Ical.event("c-tz", "20270101T100000Z", "20270101T110000Z", "x");
        assertRefused(s.mkcalendar(USER, path, "<C:calendar-timezone>" + noZone.replace("\r", "&#13;")
                        + "</C:calendar-timezone>"), 403, C, "valid-calendar-data",
                "RFC 4791 §5.2.2 a VCALENDAR without exactly one VTIMEZONE");
        assertGone(path, "RFC 4791 §5.3.1 a failed MKCALENDAR creates nothing");
    }

    @Test
    @DisplayName("RFC 4791 §5.3.1.1 CALDAV:supported-calendar-component: an unknown component type is refused")
    void rfc4791s5_3_1_1_unsupportedComponent() throws Exception {
        String path = HOME + "badcomp/";
        assertRefused(s.mkcalendar(USER, path, "<C:supported-calendar-component-set><C:comp name=\"VEVENT\"/>"
                        + "<C:comp name=\"VBOGUS\"/></C:supported-calendar-component-set>"), 403, C,
                "supported-calendar-component", "RFC 4791 §5.3.1.1 VBOGUS");
        assertGone(path, "RFC 4791 §5.3.1 a failed MKCALENDAR creates nothing");
    }

    @Test
    @DisplayName("RFC 4791 §5.3.1 / RFC 4918 §9.3.1 MKCALENDAR where a resource exists: 405")
    void rfc4791s5_3_1_existingName() throws Exception {
        String path = HOME + "twice/";
        s.calendar(USER, path, "VEVENT");
        HttpResponse<String> again = s.mkcalendar(USER, path, "<D:displayname>Again</D:displayname>");
        assertEquals(405, again.statusCode(), "RFC 4918 §9.3.1 405 when the URL is mapped: " + again.body());
        assertEquals(405, s.mkcalendar(USER, HOME + "calendar/", null).statusCode(),
                "RFC 4918 §9.3.1 the default calendar exists too");
        assertEquals(path, s.props(USER, path, "0", "<D:displayname/>").require(path).text(D, "displayname"),
                "RFC 4791 §5.3.1 the existing calendar is unchanged");
    }

    @Test
    @DisplayName("RFC 4791 §5.3.1.1 CALDAV:calendar-collection-location-ok: only in the calendar home")
    void rfc4791s5_3_1_1_locationOk() throws Exception {
        for (String path : List.of(HOME + "calendar/nested/", "/dav/calendars/elsewhere/", "/dav/somewhere/",
                HOME + "inbox/nested/")) {
            assertRefused(s.mkcalendar(USER, path, null), 403, C, "calendar-collection-location-ok",
                    "RFC 4791 §5.3.1.1 MKCALENDAR " + path);
        }
    }

    // ---- extended MKCOL

    @Test
    @DisplayName("RFC 5689 §3 extended MKCOL with resourcetype calendar makes a calendar with its properties")
    void rfc5689s3_extendedMkcol() throws Exception {
        String path = HOME + "viamkcol/";
        HttpResponse<String> r = s.send(USER, "MKCOL", path, "<?xml version=\"1.0\" encoding=\"utf-8\"?><D:mkcol "
                + NS + "><D:set><D:prop><D:resourcetype><D:collection/><C:calendar/></D:resourcetype>"
                + "<D:displayname>Made by MKCOL</D:displayname><C:supported-calendar-component-set>"
                + "<C:comp name=\"VTODO\"/></C:supported-calendar-component-set></D:prop></D:set></D:mkcol>");
        assertEquals(201, r.statusCode(), "RFC 5689 §3 201 Created: " + r.body());
        DavXml.Response p = s.props(USER, path, "0", "<D:resourcetype/><D:displayname/>"
                + "<C:supported-calendar-component-set/>").require(path);
        assertNotNull(DavXml.child(p.ok(D, "resourcetype"), C, "calendar"), "RFC 5689 §3 resourcetype as set");
        assertEquals("Made by MKCOL", p.text(D, "displayname"), "RFC 5689 §3 displayname as set");
        assertEquals(Set.of("VTODO"), comps(p.ok(C, "supported-calendar-component-set")),
                "RFC 5689 §3 / RFC 4791 §5.2.3 the component set as set");
        assertRefused(s.put(USER, path + "e.ics", Ical.event("c-mk", "20270101T100000Z", "20270101T110000Z", "x")),
                403, C, "supported-calendar-component", "RFC 4791 §5.3.2.1 VEVENT into a VTODO calendar");
    }

    @Test
    @DisplayName("RFC 5689 §3.3 DAV:valid-resourcetype: extended MKCOL without CALDAV:calendar is refused")
    void rfc5689s3_3_validResourcetype() throws Exception {
        String path = HOME + "notacalendar/";
        HttpResponse<String> r = s.send(USER, "MKCOL", path, "<?xml version=\"1.0\" encoding=\"utf-8\"?><D:mkcol "
                + NS + "><D:set><D:prop><D:resourcetype><D:collection/></D:resourcetype>"
                + "<D:displayname>Plain</D:displayname></D:prop></D:set></D:mkcol>");
        assertEquals(403, r.statusCode(), "RFC 5689 §3.3 403: " + r.body());
        assertTrue(r.body().contains("valid-resourcetype") && DavXml.parse(r.body()).getDocumentElement()
                        .getElementsByTagNameNS(D, "valid-resourcetype").getLength() == 1,
                "RFC 5689 §3.3 the answer names DAV:valid-resourcetype: " + r.body());
        assertGone(path, "RFC 5689 §3 a failed MKCOL creates nothing");
    }

    @Test
    @DisplayName("RFC 5689 §3.1 / RFC 4791 §5.1 OPTIONS on the home: MKCALENDAR, MKCOL, extended-mkcol, "
            + "calendar-access")
    void rfc5689s3_1_options() throws Exception {
        HttpResponse<String> r = s.send(USER, "OPTIONS", HOME, null);
        assertEquals(200, r.statusCode());
        Set<String> allow = new TreeSet<>();
        r.headers().allValues("Allow").forEach(v -> List.of(v.split(",")).forEach(m -> allow.add(m.strip())));
        assertTrue(allow.containsAll(Set.of("MKCALENDAR", "MKCOL")), "RFC 4791 §5.1 / RFC 5689 §3.1 Allow: " + allow);
        Set<String> dav = new TreeSet<>();
        r.headers().allValues("DAV").forEach(v -> List.of(v.split(",")).forEach(m -> dav.add(m.strip())));
        assertTrue(dav.contains("extended-mkcol"), "RFC 5689 §3.1 DAV: extended-mkcol: " + dav);
        assertTrue(dav.contains("calendar-access"), "RFC 4791 §5.1 DAV: calendar-access: " + dav);
    }

    // ---- names

    @Test
    @DisplayName("RFC 3986 §2.1 / RFC 4918 §8.3 names with a space, non-ASCII and '%' round-trip in hrefs of "
            + "PROPFIND and REPORT")
    void rfc4918s8_3_namesRoundTrip() throws Exception {
        String[][] cases = {{"calendar 2", "my event.ics"}, {"Ärger", "Ü 1.ics"}, {"a%b", "50%.ics"}};
        int n = 0;
        for (String[] c : cases) {
            s.calendar(USER, RfcServer.cal(USER, c[0]), "VEVENT");
            s.create(USER, RfcServer.cal(USER, c[0]) + RfcServer.seg(c[1]), Ical.event("c-name-" + n++,
                    "20270201T100000Z", "20270201T110000Z", "Named"));
        }
        DavXml.Multistatus home = s.props(USER, HOME, "1", "<D:resourcetype/>");
        Set<String> members = home.members(HOME);
        for (String[] c : cases) {
            assertTrue(members.contains(c[0]), "RFC 4918 §8.3 PROPFIND Depth 1 lists '" + c[0] + "' decoded "
                    + "equal: " + members);
        }
        assertHrefsEncoded(home);
        for (String[] c : cases) {
            String cal = RfcServer.cal(USER, c[0]);
            String decoded = HOME + c[0] + "/";
            DavXml.Multistatus listing = s.props(USER, cal, "1", "<D:getetag/>");
            assertEquals(Set.of(c[1]), listing.members(decoded), "RFC 4918 §8.3 PROPFIND Depth 1 on '" + c[0]
                    + "': " + listing.body);
            assertHrefsEncoded(listing);
            DavXml.Multistatus q = DavXml.multistatus("calendar-query", s.report(USER, cal, "1",
                    "<C:calendar-query " + NS + "><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter "
                            + "name=\"VCALENDAR\"/></C:filter></C:calendar-query>"));
            assertEquals(Set.of(decoded + c[1]), q.paths(), "RFC 4791 §7.8 REPORT hrefs on '" + c[0] + "': " + q.body);
            assertHrefsEncoded(q);
            String ics = s.dav.get(USER, cal + RfcServer.seg(c[1]));
            assertTrue(ics.contains("SUMMARY:Named"), "RFC 4791 §5.3.4 GET by the encoded href: " + ics);
        }
    }

    private static void assertHrefsEncoded(DavXml.Multistatus ms) {
        for (DavXml.Response r : ms.responses) {
            assertFalse(r.rawHref.contains(" "), "RFC 3986 §2.1 no raw space in an href: " + r.rawHref);
            assertTrue(r.rawHref.chars().allMatch(ch -> ch < 0x80), "RFC 3986 §2.1 non-ASCII is percent-encoded: "
                    + r.rawHref);
            assertFalse(r.rawHref.matches(".*%(?![0-9A-Fa-f]{2}).*"), "RFC 3986 §2.1 a '%' is encoded as %25: "
                    + r.rawHref);
        }
    }

    @Test
    @DisplayName("RFC 6578 §3 sync-collection on a calendar whose name and members have spaces")
    void rfc6578s3_syncCollectionWithSpaces() throws Exception {
        String cal = RfcServer.cal(USER, "sync me");
        String decoded = HOME + "sync me/";
        s.calendar(USER, cal, "VEVENT");
        s.create(USER, cal + RfcServer.seg("first one.ics"), Ical.event("c-s1", "20270301T100000Z",
                "20270301T110000Z", "First"));
        DavXml.Multistatus first = DavXml.multistatus("sync-collection", s.report(USER, cal, null, sync("")));
        assertEquals(Set.of(decoded + "first one.ics"), first.paths(), "RFC 6578 §3.2 the initial sync lists the "
                + "member, decoded equal: " + first.body);
        assertHrefsEncoded(first);
        String token = DavXml.child(first.root, D, "sync-token").getTextContent().strip();
        assertFalse(token.isEmpty(), "RFC 6578 §6.2 a sync-token: " + first.body);

        s.create(USER, cal + RfcServer.seg("second one.ics"), Ical.event("c-s2", "20270302T100000Z",
                "20270302T110000Z", "Second"));
        assertEquals(204, s.send(USER, "DELETE", cal + RfcServer.seg("first one.ics"), null).statusCode());
        DavXml.Multistatus next = DavXml.multistatus("sync-collection", s.report(USER, cal, null, sync(token)));
        assertEquals(Set.of(decoded + "first one.ics", decoded + "second one.ics"), next.paths(), next.body);
        assertEquals(404, next.require(decoded + "first one.ics").status,
                "RFC 6578 §3.5.2 a removed member is reported with 404: " + next.body);
        assertEquals(200, next.require(decoded + "second one.ics").status(D, "getetag"),
                "RFC 6578 §3.5.1 a new member with its properties: " + next.body);
        assertHrefsEncoded(next);
    }

    private static String sync(String token) {
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?><D:sync-collection " + NS + "><D:sync-token>" + token
                + "</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>";
    }

    // ---- DELETE

    @Test
    @DisplayName("RFC 4918 §9.6.1 DELETE of a calendar: 204, then it and its members are 404")
    void rfc4918s9_6_1_deleteCalendar() throws Exception {
        String cal = HOME + "doomed/";
        s.calendar(USER, cal, "VEVENT");
        s.create(USER, cal + "x.ics", Ical.event("c-del", "20270301T100000Z", "20270301T110000Z", "Doomed"));
        HttpResponse<String> del = s.send(USER, "DELETE", cal, null);
        assertEquals(204, del.statusCode(), "RFC 4918 §9.6.1 DELETE answers 204: " + del.body());
        assertGone(cal, "RFC 4918 §9.6.1 the calendar is gone");
        assertEquals(404, s.send(USER, "GET", cal + "x.ics", null).statusCode(),
                "RFC 4918 §9.6.1 its members are gone too");
        assertEquals(404, s.send(USER, "DELETE", cal, null).statusCode(), "RFC 4918 §9.6 nothing left to delete");
        assertFalse(s.props(USER, HOME, "1", "<D:resourcetype/>").members(HOME).contains("doomed"),
                "RFC 4918 §9.6.1 the home no longer lists it");
    }

    // ---- component types

    @Test
    @DisplayName("RFC 4791 §5.2.3 / §5.3.2.1 VJOURNAL and VFREEBUSY objects where the set allows them, refused where not")
    void rfc4791s5_2_3_journalAndFreebusyObjects() throws Exception {
        String journal = Ical.wrap("BEGIN:VJOURNAL", "UID:c-jn", "DTSTAMP:20261121T080000Z",
                "DTSTART;VALUE=DATE:20270301", "SUMMARY:Diary", "END:VJOURNAL");
        String freebusy = Ical.wrap("BEGIN:VFREEBUSY", "UID:c-fb", "DTSTAMP:20261121T080000Z",
                "DTSTART:20270301T000000Z", "DTEND:20270302T000000Z", "FREEBUSY:20270301T100000Z/PT1H",
                "END:VFREEBUSY");
        String both = HOME + "notes/";
        s.calendar(USER, both, "VJOURNAL", "VFREEBUSY");
        s.create(USER, both + "j.ics", journal);
        s.create(USER, both + "fb.ics", freebusy);
        assertTrue(s.dav.get(USER, both + "j.ics").contains("SUMMARY:Diary"), "RFC 4791 §5.3.4 the journal reads back");
        assertTrue(s.dav.get(USER, both + "fb.ics").contains("FREEBUSY:20270301T100000Z/PT1H"),
                "RFC 4791 §5.3.4 the free-busy reads back");
        assertRefused(s.put(USER, both + "e.ics", Ical.event("c-ev", "20270101T100000Z", "20270101T110000Z", "x")),
                403, C, "supported-calendar-component", "RFC 4791 §5.3.2.1 VEVENT into VJOURNAL/VFREEBUSY");

        String events = HOME + "eventsonly/";
        s.calendar(USER, events, "VEVENT");
        assertRefused(s.put(USER, events + "j.ics", journal), 403, C, "supported-calendar-component",
                "RFC 4791 §5.3.2.1 VJOURNAL into a VEVENT calendar");
        assertRefused(s.put(USER, events + "fb.ics", freebusy), 403, C, "supported-calendar-component",
                "RFC 4791 §5.3.2.1 VFREEBUSY into a VEVENT calendar");
        assertEquals(404, s.send(USER, "GET", events + "j.ics", null).statusCode(), "nothing refused is stored");
    }

    @Test
    @DisplayName("RFC 4791 §5.2.3 a calendar made without a component set accepts what it advertises")
    void rfc4791s5_2_3_defaultComponentSetIsHonest() throws Exception {
        String cal = HOME + "plain/";
        assertEquals(201, s.mkcalendar(USER, cal, null).statusCode(), "RFC 4791 §5.3.1 MKCALENDAR without a body");
        DavXml.Response p = s.props(USER, cal, "0", "<C:supported-calendar-component-set/>").require(cal);
        int status = p.status(C, "supported-calendar-component-set");
        Set<String> advertised = status == 200 ? comps(p.ok(C, "supported-calendar-component-set"))
                : Set.of("VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY");
        int i = 0;
        for (String comp : List.of("VEVENT", "VTODO", "VJOURNAL")) {
            String body = Ical.wrap("BEGIN:" + comp, "UID:c-plain-" + comp, "DTSTAMP:20261121T080000Z",
                    "DTSTART:20270301T100000Z", "END:" + comp);
            HttpResponse<String> r = s.put(USER, cal + (i++) + ".ics", body);
            if (advertised.contains(comp)) {
                assertEquals(201, r.statusCode(), "RFC 4791 §5.2.3 " + comp + " is advertised " + advertised
                        + " (absent property: every type), so it is accepted: " + r.body());
            } else {
                assertRefused(r, 403, C, "supported-calendar-component", "RFC 4791 §5.3.2.1 " + comp
                        + " is not in " + advertised);
            }
        }
    }
}
