package dev.inboxguard.it;

import static dev.inboxguard.it.RfcServer.C;
import static dev.inboxguard.it.RfcServer.CS;
import static dev.inboxguard.it.RfcServer.D;
import static dev.inboxguard.it.RfcServer.NS;
import static dev.inboxguard.it.RfcServer.X;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
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
 * Properties of a calendar collection: RFC 4918 §9.2 PROPPATCH (set, remove, document order, all or nothing,
 * protected properties, 507 for what the server will not keep) and §4 dead properties; the live properties of
 * RFC 4791 §5.2, RFC 6638 §9.1, RFC 3744 §5 and RFC 6578 §4, and the CalendarServer CTag.
 */
class PropertiesRfc4918Test {
    private static final String USER = "alice";
    private static final String HOME = "/dav/calendars/alice/";

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

    private static HttpResponse<String> proppatch(String user, String path, String instructions) throws Exception {
        return s.send(user, "PROPPATCH", path, "<?xml version=\"1.0\" encoding=\"utf-8\"?><D:propertyupdate " + NS
                + ">" + instructions + "</D:propertyupdate>");
    }

    private static String set(String props) {
        return "<D:set><D:prop>" + props + "</D:prop></D:set>";
    }

    private static String remove(String props) {
        return "<D:remove><D:prop>" + props + "</D:prop></D:remove>";
    }

    /** @return the one response of a PROPPATCH that must answer 207 */
    private static DavXml.Response patched(String path, String instructions) throws Exception {
        return DavXml.multistatus("PROPPATCH " + path, proppatch(USER, path, instructions)).require(path);
    }

    private static DavXml.Response read(String path, String props) throws Exception {
        return s.props(USER, path, "0", props).require(path);
    }

    @Test
    @DisplayName("RFC 4918 §9.2 PROPPATCH sets and removes displayname, calendar-description and dead properties")
    void rfc4918s9_2_setAndRemove() throws Exception {
        String cal = HOME + "patch/";
        s.calendar(USER, cal, "VEVENT");
        DavXml.Response r = patched(cal, set("<D:displayname>Renamed</D:displayname>"
                + "<C:calendar-description>Described</C:calendar-description><X:colour>teal</X:colour>"
                + "<X:meta><X:a k=\"1\">t</X:a><X:b/></X:meta>"));
        for (String[] p : new String[][] {{D, "displayname"}, {C, "calendar-description"}, {X, "colour"}, {X, "meta"}}) {
            assertEquals(200, r.status(p[0], p[1]), "RFC 4918 §9.2 each property set has 200: " + r.propStatus);
        }
        DavXml.Response back = read(cal, "<D:displayname/><C:calendar-description/><X:colour/><X:meta/>");
        assertEquals("Renamed", back.text(D, "displayname"), "RFC 4918 §15.2");
        assertEquals("Described", back.text(C, "calendar-description"), "RFC 4791 §5.2.1");
        assertEquals("teal", back.text(X, "colour"), "RFC 4918 §4 a dead property reads back");
        Element meta = back.ok(X, "meta");
        Element a = DavXml.child(meta, X, "a");
        assertNotNull(a, "RFC 4918 §4.4 a dead property keeps its child elements: " + DavXml.toString(meta));
        assertEquals("1", a.getAttribute("k"), "RFC 4918 §4.4 ... their attributes");
        assertEquals("t", a.getTextContent(), "RFC 4918 §4.4 ... and their text");
        assertNotNull(DavXml.child(meta, X, "b"), "RFC 4918 §4.4 ... every child");

        DavXml.Response removed = patched(cal, remove("<X:colour/><C:calendar-description/>"));
        assertEquals(200, removed.status(X, "colour"), "RFC 4918 §9.2 remove answers 200: " + removed.propStatus);
        assertEquals(200, removed.status(C, "calendar-description"), "RFC 4918 §9.2 remove: " + removed.propStatus);
        DavXml.Response after = read(cal, "<D:displayname/><C:calendar-description/><X:colour/><X:meta/>");
        assertEquals(404, after.status(X, "colour"), "RFC 4918 §9.2 a removed property is gone: " + after.propStatus);
        assertEquals(404, after.status(C, "calendar-description"), "RFC 4918 §9.2 removed: " + after.propStatus);
        assertEquals("Renamed", after.text(D, "displayname"), "RFC 4918 §9.2 the others stay");
        assertEquals(200, after.status(X, "meta"), "RFC 4918 §9.2 the others stay");

        DavXml.Response again = patched(cal, remove("<X:never-set/>"));
        assertEquals(200, again.status(X, "never-set"),
                "RFC 4918 §14.23 removing a property that does not exist is not an error: " + again.propStatus);
    }

    @Test
    @DisplayName("RFC 4918 §4.3 dead properties keep their namespaces and xml:lang in a PROPFIND's answer")
    void rfc4918s4_3_namespacesSurviveTheAnswer() throws Exception {
        String cal = HOME + "names/";
        s.calendar(USER, cal, "VEVENT");
        // a default namespace, the prefix D bound to another namespace than DAV:, and a namespaced attribute: the
        // answer is written one response at a time, and must declare each where the client's request did
        String odd = "urn:x-inboxguard-odd";
        DavXml.Response r = patched(cal, set("<plain xmlns=\"" + X + "\"><inner>v</inner></plain>"
                + "<D:rebound xmlns:D=\"" + odd + "\"><D:child/></D:rebound>"
                + "<X:tagged><X:in xmlns:Q=\"" + odd + "\" Q:flag=\"on\">&lt;&amp;&gt;\"quoted\"</X:in></X:tagged>"
                + "<X:greeting xml:lang=\"fr\">bonjour</X:greeting>"));
        assertEquals(200, r.status(odd, "rebound"), r.propStatus.toString());
        assertEquals(200, patched(cal, "<D:set><D:prop xml:lang=\"de\"><X:inherited>hallo</X:inherited></D:prop>"
                + "</D:set>").status(X, "inherited"));
        for (String depth : List.of("0", "1")) {
            String path = depth.equals("0") ? cal : HOME;
            DavXml.Response back = s.props(USER, path, depth, "<X:plain/><O:rebound xmlns:O=\"" + odd
                    + "\"/><X:tagged/><X:greeting/><X:inherited/><D:displayname/><O:never-set xmlns:O=\"" + odd
                    + "\"/>").require(cal);
            assertEquals(404, back.status(odd, "never-set"),
                    "RFC 4918 §9.1 a missing property, named in its namespace");
            Element plain = back.ok(X, "plain");
            assertEquals("v", DavXml.child(plain, X, "inner").getTextContent(), "RFC 4918 §4.4 a default namespace");
            Element rebound = back.ok(odd, "rebound");
            assertNotNull(DavXml.child(rebound, odd, "child"), "RFC 4918 §4.3 D: bound to another namespace");
            Element in = DavXml.child(back.ok(X, "tagged"), X, "in");
            assertEquals("on", in.getAttributeNS(odd, "flag"), "RFC 4918 §4.4 a namespaced attribute");
            assertEquals("<&>\"quoted\"", in.getTextContent(), "RFC 4918 §4.4 text, escaped and back");
            Element greeting = back.ok(X, "greeting");
            assertEquals("fr", greeting.getAttributeNS("http://www.w3.org/XML/1998/namespace", "lang"),
                    "RFC 4918 §4.3 xml:lang on the property itself is kept: " + DavXml.toString(greeting));
            Element inherited = back.ok(X, "inherited");
            assertEquals("de", inherited.getAttributeNS("http://www.w3.org/XML/1998/namespace", "lang"),
                    "RFC 4918 §4.3 ... and the one in scope, written on DAV:prop: " + DavXml.toString(inherited));
        }
        // allprop names dead properties too (RFC 4918 §9.1), and the answer parses
        HttpResponse<String> all = s.send(USER, "PROPFIND", cal, "<?xml version=\"1.0\"?><D:propfind "
                + "xmlns:D=\"DAV:\"><D:allprop/></D:propfind>", "Depth", "0");
        assertNotNull(DavXml.multistatus("PROPFIND allprop", all).require(cal).ok(odd, "rebound"));
    }

    @Test
    @DisplayName("RFC 4918 §9.2 PROPPATCH instructions run in document order")
    void rfc4918s9_2_documentOrder() throws Exception {
        String cal = HOME + "order/";
        s.calendar(USER, cal, "VEVENT");
        patched(cal, set("<X:first>1</X:first>") + remove("<X:first/>"));
        assertEquals(404, read(cal, "<X:first/>").status(X, "first"),
                "RFC 4918 §9.2 set then remove: the property ends up removed");
        patched(cal, remove("<X:second/>") + set("<X:second>2</X:second>"));
        assertEquals("2", read(cal, "<X:second/>").text(X, "second"),
                "RFC 4918 §9.2 remove then set: the property ends up set");
        patched(cal, set("<X:third>a</X:third>") + set("<X:third>b</X:third>"));
        assertEquals("b", read(cal, "<X:third/>").text(X, "third"), "RFC 4918 §9.2 the last set wins");
    }

    @Test
    @DisplayName("RFC 4918 §9.2 all or nothing: a protected property gets 403, the rest 424, nothing changes")
    void rfc4918s9_2_allOrNothing() throws Exception {
        String cal = HOME + "atomic/";
        s.calendar(USER, cal, "VEVENT");
        DavXml.Response r = patched(cal, set("<D:displayname>Never</D:displayname><D:getetag>\"x\"</D:getetag>"));
        assertEquals(403, r.status(D, "getetag"), "RFC 4918 §9.2.1 a protected property: 403: " + r.propStatus);
        assertEquals(424, r.status(D, "displayname"), "RFC 4918 §9.2.1 the others: 424 Failed Dependency: "
                + r.propStatus);
        assertEquals(cal, read(cal, "<D:displayname/>").text(D, "displayname"),
                "RFC 4918 §9.2 the displayname is unchanged");

        DavXml.Response comps = patched(cal, set("<X:tag>kept?</X:tag><C:supported-calendar-component-set>"
                + "<C:comp name=\"VTODO\"/></C:supported-calendar-component-set>"));
        assertEquals(403, comps.status(C, "supported-calendar-component-set"),
                "RFC 4791 §5.2.3 the component set is protected: 403: " + comps.propStatus);
        assertEquals(424, comps.status(X, "tag"), "RFC 4918 §9.2.1 424 for the dead property: " + comps.propStatus);
        DavXml.Response after = read(cal, "<X:tag/><C:supported-calendar-component-set/>");
        assertEquals(404, after.status(X, "tag"), "RFC 4918 §9.2 the dead property was not set");
        assertEquals(Set.of("VEVENT"), Set.copyOf(DavXml.children(after.ok(C, "supported-calendar-component-set"), C,
                "comp").stream().map(e -> e.getAttribute("name")).toList()), "RFC 4791 §5.2.3 still VEVENT");

        DavXml.Response live = patched(cal, set("<D:displayname>Never</D:displayname>") + remove("<D:resourcetype/>"));
        assertEquals(403, live.status(D, "resourcetype"), "RFC 4918 §15 resourcetype cannot be removed: "
                + live.propStatus);
        assertEquals(424, live.status(D, "displayname"), live.propStatus.toString());
        assertEquals(cal, read(cal, "<D:displayname/>").text(D, "displayname"), "RFC 4918 §9.2 unchanged");
    }

    @Test
    @DisplayName("RFC 4918 §9.2 a dead property over 16 KiB gets 507 and is not stored")
    void rfc4918s9_2_bigDeadProperty() throws Exception {
        String cal = HOME + "big/";
        s.calendar(USER, cal, "VEVENT");
        DavXml.Response r = patched(cal, set("<X:big>" + "x".repeat(20_000) + "</X:big><X:small>s</X:small>"));
        assertEquals(507, r.status(X, "big"), "RFC 4918 §9.2 507 Insufficient Storage: " + r.propStatus);
        assertEquals(424, r.status(X, "small"), "RFC 4918 §9.2 the rest fails with it: " + r.propStatus);
        DavXml.Response after = read(cal, "<X:big/><X:small/>");
        assertEquals(404, after.status(X, "big"), "RFC 4918 §9.2 not stored");
        assertEquals(404, after.status(X, "small"), "RFC 4918 §9.2 all or nothing");
        DavXml.Response fine = patched(cal, set("<X:big>" + "x".repeat(8_000) + "</X:big>"));
        assertEquals(200, fine.status(X, "big"), "8000 characters are kept: " + fine.propStatus);
        assertEquals(8_000, read(cal, "<X:big/>").text(X, "big").length(), "RFC 4918 §4 read back whole");
    }

    @Test
    @DisplayName("RFC 4918 §9.2 more than 32 dead properties on a calendar: 507, nothing stored")
    void rfc4918s9_2_tooManyDeadProperties() throws Exception {
        String cal = HOME + "many/";
        s.calendar(USER, cal, "VEVENT");
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 33; i++) {
            many.append("<X:p").append(i).append(">v</X:p").append(i).append('>');
        }
        DavXml.Response r = patched(cal, set(many.toString()));
        assertTrue(r.propStatus.containsValue(507), "RFC 4918 §9.2 507 for 33 dead properties: " + r.propStatus);
        assertFalse(r.propStatus.containsValue(200), "RFC 4918 §9.2 none of them succeeds: " + r.propStatus);
        assertEquals(404, read(cal, "<X:p0/>").status(X, "p0"), "RFC 4918 §9.2 nothing stored");

        StringBuilder thirtyTwo = new StringBuilder();
        for (int i = 0; i < 32; i++) {
            thirtyTwo.append("<X:q").append(i).append(">v</X:q").append(i).append('>');
        }
        DavXml.Response ok = patched(cal, set(thirtyTwo.toString()));
        assertEquals(Set.of(200), Set.copyOf(ok.propStatus.values()), "32 are allowed: " + ok.propStatus);
        DavXml.Response one = patched(cal, set("<X:extra>v</X:extra>"));
        assertEquals(507, one.status(X, "extra"), "RFC 4918 §9.2 the 33rd gets 507: " + one.propStatus);
        DavXml.Response replace = patched(cal, set("<X:q0>w</X:q0>"));
        assertEquals(200, replace.status(X, "q0"), "replacing one of the 32 is no new property: " + replace.propStatus);
    }

    @Test
    @DisplayName("RFC 4791 §5.2 / RFC 6638 §9.1 / RFC 3744 §5 / RFC 6578 §4 the live properties of a calendar")
    void rfc4791s5_2_liveProperties() throws Exception {
        String cal = HOME + "calendar/";
        DavXml.Response p = read(cal, "<C:max-resource-size/><C:max-attendees-per-instance/>"
                + "<C:supported-calendar-data/><C:supported-collation-set/><C:schedule-calendar-transp/><D:owner/>"
                + "<D:current-user-privilege-set/><D:supported-privilege-set/><D:principal-collection-set/>"
                + "<D:supported-report-set/><CS:getctag/><D:sync-token/><X:no-such-property/>");
        assertTrue(Long.parseLong(p.text(C, "max-resource-size").strip()) > 0, "RFC 4791 §5.2.5 a positive integer");
        assertTrue(Long.parseLong(p.text(C, "max-attendees-per-instance").strip()) > 0, "RFC 4791 §5.2.9");
        Element data = DavXml.child(p.ok(C, "supported-calendar-data"), C, "calendar-data");
        assertNotNull(data, "RFC 4791 §5.2.4 a calendar-data element");
        assertEquals("text/calendar", data.getAttribute("content-type"), "RFC 4791 §5.2.4");
        assertEquals("2.0", data.getAttribute("version"), "RFC 4791 §5.2.4");
        Set<String> collations = new TreeSet<>();
        DavXml.children(p.ok(C, "supported-collation-set"), C, "supported-collation")
                .forEach(e -> collations.add(e.getTextContent().strip()));
        assertTrue(collations.containsAll(Set.of("i;ascii-casemap", "i;octet")),
                "RFC 4791 §7.5.1 both required collations are listed: " + collations);
        Element transp = p.ok(C, "schedule-calendar-transp");
        assertTrue(DavXml.child(transp, C, "opaque") != null || DavXml.child(transp, C, "transparent") != null,
                "RFC 6638 §9.1 opaque or transparent");
        assertEquals(List.of("/dav/principals/alice/"), p.hrefs(D, "owner"), "RFC 3744 §5.1 DAV:owner");
        Set<String> privileges = privileges(p.ok(D, "current-user-privilege-set"));
        assertTrue(privileges.contains(DavXml.key(D, "all")) || privileges.containsAll(Set.of(DavXml.key(D, "read"),
                DavXml.key(D, "write"))), "RFC 3744 §5.4 the owner may read and write: " + privileges);
        Set<String> supported = new TreeSet<>();
        for (int i = 0; i < p.ok(D, "supported-privilege-set").getElementsByTagNameNS(D, "privilege").getLength(); i++) {
            Element priv = (Element) p.ok(D, "supported-privilege-set").getElementsByTagNameNS(D, "privilege").item(i);
            DavXml.elements(priv).forEach(e -> supported.add(DavXml.key(e)));
        }
        assertTrue(supported.containsAll(Set.of(DavXml.key(D, "read"), DavXml.key(D, "write"),
                DavXml.key(C, "read-free-busy"))), "RFC 3744 §5.3 / RFC 4791 §6.1.1: " + supported);
        assertEquals(List.of("/dav/principals/"), p.hrefs(D, "principal-collection-set"), "RFC 3744 §5.8");
        Set<String> reports = new TreeSet<>();
        for (Element sr : DavXml.children(p.ok(D, "supported-report-set"), D, "supported-report")) {
            DavXml.elements(DavXml.child(sr, D, "report")).forEach(e -> reports.add(DavXml.key(e)));
        }
        assertTrue(reports.containsAll(Set.of(DavXml.key(C, "calendar-query"), DavXml.key(C, "calendar-multiget"),
                DavXml.key(C, "free-busy-query"), DavXml.key(D, "sync-collection"))),
                "RFC 3253 §3.1.5 / RFC 4791 §7 / RFC 6578 §3: " + reports);
        String ctag = p.text(CS, "getctag").strip();
        String token = p.text(D, "sync-token").strip();
        assertFalse(ctag.isEmpty(), "CalendarServer getctag");
        assertTrue(URI.create(token).isAbsolute(), "RFC 6578 §4 the sync-token is a URI: " + token);
        assertEquals(404, p.status(X, "no-such-property"), "RFC 4918 §9.1 an unknown property: 404 propstat");

        s.create(USER, cal + "touch.ics", Ical.event("p-touch", "20270101T100000Z", "20270101T110000Z", "Touch"));
        DavXml.Response after = read(cal, "<CS:getctag/><D:sync-token/>");
        assertNotEquals(ctag, after.text(CS, "getctag").strip(), "the CTag changes with a member");
        assertNotEquals(token, after.text(D, "sync-token").strip(), "RFC 6578 §4 the sync-token changes");
    }

    private static Set<String> privileges(Element set) {
        Set<String> out = new TreeSet<>();
        for (Element priv : DavXml.children(set, D, "privilege")) {
            DavXml.elements(priv).forEach(e -> out.add(DavXml.key(e)));
        }
        return out;
    }

    @Test
    @DisplayName("RFC 6638 §9.1 schedule-calendar-transp can be set to transparent and back")
    void rfc6638s9_1_scheduleCalendarTransp() throws Exception {
        String cal = HOME + "transp/";
        s.calendar(USER, cal, "VEVENT");
        DavXml.Response r = patched(cal, set("<C:schedule-calendar-transp><C:transparent/></C:schedule-calendar-transp>"));
        assertEquals(200, r.status(C, "schedule-calendar-transp"), "RFC 6638 §9.1 settable: " + r.propStatus);
        Element t = read(cal, "<C:schedule-calendar-transp/>").ok(C, "schedule-calendar-transp");
        assertNotNull(DavXml.child(t, C, "transparent"), "RFC 6638 §9.1 reads back transparent");
        patched(cal, set("<C:schedule-calendar-transp><C:opaque/></C:schedule-calendar-transp>"));
        assertNotNull(DavXml.child(read(cal, "<C:schedule-calendar-transp/>").ok(C, "schedule-calendar-transp"), C,
                "opaque"), "RFC 6638 §9.1 and back to opaque");
    }

    @Test
    @DisplayName("RFC 4918 §9.2 / RFC 3744 PROPPATCH on another user's calendar is not possible")
    void rfc4918s9_2_otherUser() throws Exception {
        HttpResponse<String> r = proppatch("bob", HOME + "calendar/", set("<D:displayname>Mine</D:displayname>"));
        assertEquals(404, r.statusCode(), "another user's calendar does not exist for bob: " + r.body());
        assertEquals("Calendar", read(HOME + "calendar/", "<D:displayname/>").text(D, "displayname"),
                "the default calendar keeps its name");
    }
}
