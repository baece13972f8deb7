package dev.inboxguard.it;

import static dev.inboxguard.it.RfcServer.C;
import static dev.inboxguard.it.RfcServer.D;
import static dev.inboxguard.it.RfcServer.NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

/**
 * Principals (RFC 3744 §4, RFC 4791 §6.2.1, RFC 6638 §2.4): other users' principals are readable for their names
 * and addresses, never for their homes; RFC 3744 §9.4 principal-property-search and §9.5
 * principal-search-property-set; and with the directory hidden, a user sees only their own principal.
 */
class PrincipalsRfc3744Test {
    private static final String PRINCIPALS = "/dav/principals/";
    private static final Set<String> EVERYONE = Set.of("/dav/principals/alice/", "/dav/principals/bob/",
            "/dav/principals/carol/", "/dav/principals/dave/");

    @TempDir
    static Path data;
    @TempDir
    static Path hiddenData;
    @TempDir
    static Path hiddenScheduling;
    private static RfcServer s;

    @BeforeAll
    static void start() {
        s = RfcServer.start(data);
    }

    @AfterAll
    static void stop() throws Exception {
        s.close();
    }

    private static final String PRINCIPAL_PROPS = "<D:displayname/><C:calendar-user-address-set/><D:principal-URL/>"
            + "<C:calendar-user-type/><C:calendar-home-set/><C:schedule-inbox-URL/><C:schedule-outbox-URL/>";

    @Test
    @DisplayName("RFC 3744 §4 / RFC 4791 §6.2.1 / RFC 6638 §2.4 another user's principal: name and addresses "
            + "yes, home and inbox no")
    void rfc3744s4_otherUsersPrincipal() throws Exception {
        DavXml.Response bob = s.props("alice", "/dav/principals/bob/", "0", PRINCIPAL_PROPS)
                .require("/dav/principals/bob/");
        assertEquals("Bob", bob.text(D, "displayname"), "RFC 4918 §15.2 bob's displayname");
        assertEquals(List.of("mailto:bob@example.com"), bob.hrefs(C, "calendar-user-address-set"),
                "RFC 6638 §2.4.1 bob's calendar-user-address-set");
        assertEquals(List.of("/dav/principals/bob/"), bob.hrefs(D, "principal-URL"), "RFC 3744 §4.2 principal-URL");
        assertEquals("INDIVIDUAL", bob.text(C, "calendar-user-type").strip(), "RFC 6638 §2.4.2 calendar-user-type");
        for (String p : List.of("calendar-home-set", "schedule-inbox-URL", "schedule-outbox-URL")) {
            assertEquals(404, bob.status(C, p), "RFC 3744 §5 / RFC 4791 §6.2.1: bob's " + p + " is not "
                    + "disclosed to alice (404 propstat): " + bob.propStatus);
        }

        DavXml.Response self = s.props("alice", "/dav/principals/alice/", "0", PRINCIPAL_PROPS)
                .require("/dav/principals/alice/");
        assertEquals(List.of("/dav/calendars/alice/"), self.hrefs(C, "calendar-home-set"),
                "RFC 4791 §6.2.1 alice's own home");
        assertEquals(List.of("/dav/calendars/alice/inbox/"), self.hrefs(C, "schedule-inbox-URL"), "RFC 6638 §2.2.1");
        assertEquals(List.of("/dav/calendars/alice/outbox/"), self.hrefs(C, "schedule-outbox-URL"), "RFC 6638 §2.1.1");
    }

    @Test
    @DisplayName("RFC 3744 §6 another user's calendars stay 404 even though the principal is readable")
    void rfc3744s6_otherUsersCalendarsStayPrivate() throws Exception {
        s.create("bob", "/dav/calendars/bob/calendar/secret.ics", Ical.event("pr-secret", "20270301T100000Z",
                "20270301T110000Z", "Secret"));
        for (String path : List.of("/dav/calendars/bob/", "/dav/calendars/bob/calendar/",
                "/dav/calendars/bob/inbox/")) {
            HttpResponse<String> r = s.propfind("alice", path, "0", "<D:displayname/>");
            assertEquals(404, r.statusCode(), "RFC 3744 §6 alice has no read on " + path + ": " + r.body());
        }
        HttpResponse<String> get = s.send("alice", "GET", "/dav/calendars/bob/calendar/secret.ics", null);
        assertEquals(404, get.statusCode(), "RFC 3744 §6 alice cannot read bob's event");
        assertFalse(get.body().contains("Secret"));
        HttpResponse<String> q = s.report("alice", "/dav/calendars/bob/calendar/", "1", "<C:calendar-query " + NS
                + "><D:prop><D:getetag/></D:prop><C:filter><C:comp-filter name=\"VCALENDAR\"/></C:filter>"
                + "</C:calendar-query>");
        assertEquals(404, q.statusCode(), "RFC 3744 §6 no REPORT on bob's calendar: " + q.body());
    }

    @Test
    @DisplayName("RFC 3744 §5.8 PROPFIND Depth 1 on the principal collection lists every principal")
    void rfc3744s5_8_principalCollectionListing() throws Exception {
        DavXml.Multistatus ms = s.props("alice", PRINCIPALS, "1", "<D:displayname/><D:resourcetype/>");
        Set<String> principals = new TreeSet<>(ms.paths());
        principals.remove(PRINCIPALS);
        assertEquals(EVERYONE, principals, "RFC 3744 §5.8 the four demo principals: " + ms.body);
        for (String p : EVERYONE) {
            assertNotNull(DavXml.child(ms.require(p).ok(D, "resourcetype"), D, "principal"),
                    "RFC 3744 §4 a principal's resourcetype has DAV:principal: " + p);
        }
    }

    private static String search(String test, String... propAndMatch) {
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><D:principal-property-search "
                + NS + (test == null ? "" : " test=\"" + test + "\"") + ">");
        for (int i = 0; i < propAndMatch.length; i += 2) {
            b.append("<D:property-search><D:prop>").append(propAndMatch[i]).append("</D:prop><D:match>")
                    .append(propAndMatch[i + 1]).append("</D:match></D:property-search>");
        }
        return b.append("<D:prop><D:displayname/><C:calendar-user-address-set/></D:prop>"
                + "</D:principal-property-search>").toString();
    }

    private static Set<String> found(String user, String body) throws Exception {
        return new TreeSet<>(DavXml.multistatus("principal-property-search", s.report(user, PRINCIPALS, "0", body))
                .paths());
    }

    @Test
    @DisplayName("RFC 3744 §9.4 principal-property-search: case-insensitive substring of displayname and "
            + "calendar-user-address-set, allof and anyof")
    void rfc3744s9_4_principalPropertySearch() throws Exception {
        assertEquals(Set.of("/dav/principals/carol/"), found("alice", search(null, "<D:displayname/>", "ARO")),
                "RFC 3744 §9.4 'ARO' matches Carol, whatever the case");
        assertEquals(Set.of("/dav/principals/bob/"), found("alice", search(null,
                "<C:calendar-user-address-set/>", "bob@")), "RFC 3744 §9.4 'bob@' matches bob's address");
        assertEquals(Set.of("/dav/principals/alice/", "/dav/principals/dave/"), found("alice", search("anyof",
                "<D:displayname/>", "ali", "<C:calendar-user-address-set/>", "dave@")),
                "RFC 3744 §9.4 test=anyof: either condition");
        assertEquals(Set.of("/dav/principals/carol/"), found("alice", search("allof", "<D:displayname/>", "a",
                "<C:calendar-user-address-set/>", "carol@")), "RFC 3744 §9.4 test=allof: both conditions");
        assertEquals(Set.of("/dav/principals/carol/"), found("alice", search(null, "<D:displayname/>", "a",
                "<C:calendar-user-address-set/>", "carol@")), "RFC 3744 §9.4 without test, every condition holds");
        assertEquals(Set.of(), found("alice", search(null, "<D:displayname/>", "zzz")),
                "RFC 3744 §9.4 no match: an empty multistatus");

        DavXml.Response carol = DavXml.multistatus("principal-property-search", s.report("alice", PRINCIPALS, "0",
                search(null, "<D:displayname/>", "carol"))).require("/dav/principals/carol/");
        assertEquals("Carol", carol.text(D, "displayname"), "RFC 3744 §9.4 the requested properties come back");
        assertEquals(List.of("mailto:carol@example.com"), carol.hrefs(C, "calendar-user-address-set"));
    }

    @Test
    @DisplayName("RFC 3744 §9.5 principal-search-property-set lists displayname and calendar-user-address-set")
    void rfc3744s9_5_principalSearchPropertySet() throws Exception {
        HttpResponse<String> r = s.report("alice", PRINCIPALS, "0", "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                + "<D:principal-search-property-set xmlns:D=\"DAV:\"/>");
        assertEquals(200, r.statusCode(), "RFC 3744 §9.5 200 OK: " + r.body());
        Element root = DavXml.parse(r.body()).getDocumentElement();
        assertEquals(DavXml.key(D, "principal-search-property-set"), DavXml.key(root), r.body());
        Set<String> props = new TreeSet<>();
        for (Element p : DavXml.children(root, D, "principal-search-property")) {
            DavXml.elements(DavXml.child(p, D, "prop")).forEach(e -> props.add(DavXml.key(e)));
        }
        assertTrue(props.containsAll(Set.of(DavXml.key(D, "displayname"), DavXml.key(C,
                "calendar-user-address-set"))), "RFC 3744 §9.5: " + props);
    }

    @Test
    @DisplayName("RFC 3744 §4 with caldav.directory hidden a user sees only their own principal")
    void rfc3744s4_hiddenDirectory() throws Exception {
        try (RfcServer hidden = RfcServer.start(hiddenData, new GuardConfig.Caldav(null, null, null, "hidden"))) {
            HttpResponse<String> bob = hidden.propfind("alice", "/dav/principals/bob/", "0", PRINCIPAL_PROPS);
            assertEquals(404, bob.statusCode(), "RFC 3744 §4 bob's principal does not exist for alice: " + bob.body());
            assertFalse(bob.body().contains("bob@example.com"), bob.body());

            DavXml.Multistatus listing = hidden.props("alice", PRINCIPALS, "1", "<D:displayname/>");
            Set<String> principals = new TreeSet<>(listing.paths());
            principals.remove(PRINCIPALS);
            assertEquals(Set.of("/dav/principals/alice/"), principals, "RFC 3744 §5.8 only alice: " + listing.body);

            HttpResponse<String> search = hidden.report("alice", PRINCIPALS, "0", search(null,
                    "<C:calendar-user-address-set/>", "example.com"));
            Set<String> hits = DavXml.multistatus("principal-property-search", search).paths();
            assertEquals(Set.of("/dav/principals/alice/"), hits, "RFC 3744 §9.4 the search finds only alice: "
                    + search.body());

            DavXml.Response self = hidden.props("alice", "/dav/principals/alice/", "0", PRINCIPAL_PROPS)
                    .require("/dav/principals/alice/");
            assertEquals(List.of("/dav/calendars/alice/"), self.hrefs(C, "calendar-home-set"),
                    "RFC 4791 §6.2.1 alice's own principal is whole");

            // free-busy tells neither bob's busy time nor that he is a user here; alice's own is answered
            String query = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:REQUEST\r\n"
                    + "BEGIN:VFREEBUSY\r\nUID:fb-hidden\r\nDTSTAMP:20261121T090000Z\r\nDTSTART:20261201T000000Z\r\n"
                    + "DTEND:20261202T000000Z\r\nORGANIZER:mailto:alice@example.com\r\n"
                    + "ATTENDEE:mailto:bob@example.com\r\nATTENDEE:mailto:alice@example.com\r\n"
                    + "ATTENDEE:mailto:nobody@example.com\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n";
            HttpResponse<String> fb = hidden.send("alice", "POST", "/dav/calendars/alice/outbox/", query,
                    "Content-Type", "text/calendar");
            assertEquals(200, fb.statusCode(), fb.body());
            String bobsAnswer = fb.body().substring(fb.body().indexOf("mailto:bob@example.com"));
            assertTrue(bobsAnswer.substring(0, bobsAnswer.indexOf("</C:response>")).contains(
                    "3.7;Invalid calendar user"), "RFC 6638 §5 bob is answered as an unknown address: " + fb.body());
            String alicesAnswer = fb.body().substring(fb.body().indexOf("mailto:alice@example.com"));
            assertTrue(alicesAnswer.substring(0, alicesAnswer.indexOf("</C:response>")).contains("2.0;Success"),
                    fb.body());
        }
    }

    @Test
    @DisplayName("RFC 6638 §3.2.9 with caldav.directory hidden a sender cannot tell a local attendee from a remote one")
    void rfc6638s3_2_9_hiddenDirectory() throws Exception {
        try (RfcServer hidden = RfcServer.start(hiddenScheduling, new GuardConfig.Caldav(null, null, null, "hidden"))) {
            // bob is a user here and dan is not; one invitation is delivered to bob, the other held for him
            // (recurrence.far-future holds one for its recipient by default)
            for (String[] invitation : new String[][] {{"hidden-now", "20261207"}, {"hidden-far", "20460105"}}) {
                String uid = invitation[0];
                hidden.create("alice", "/dav/calendars/alice/calendar/" + uid + ".ics", "BEGIN:VCALENDAR\r\n"
                        + "VERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:" + uid + "\r\n"
                        + "DTSTAMP:20261120T090000Z\r\nDTSTART:" + invitation[1] + "T100000Z\r\nDTEND:"
                        + invitation[1] + "T110000Z\r\nSUMMARY:Review\r\nORGANIZER:mailto:alice@example.com\r\n"
                        + "ATTENDEE;PARTSTAT=ACCEPTED:mailto:alice@example.com\r\n"
                        + "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.com\r\n"
                        + "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:dan@elsewhere.example\r\n"
                        + "END:VEVENT\r\nEND:VCALENDAR\r\n");
                String copy = hidden.send("alice", "GET", "/dav/calendars/alice/calendar/" + uid + ".ics", null)
                        .body();
                assertTrue(SchedulingTest.line(copy, "ATTENDEE", "bob@").contains("SCHEDULE-STATUS=1.1"), copy);
                assertTrue(SchedulingTest.line(copy, "ATTENDEE", "dan@").contains("SCHEDULE-STATUS=1.1"), copy);
            }
            // the guard's verdicts stand on bob's side: one delivered, one held for his decision. Both were queued
            // when alice was answered, and are delivered within about a second
            com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
            com.fasterxml.jackson.databind.JsonNode held = json.readTree(hidden.send("bob", "GET",
                    "/guard/api/held", null).body()).get("held");
            for (int i = 0; i < 300 && (held.size() < 1 || !hidden.send("bob", "GET", "/guard/api/inbox", null)
                    .body().contains("hidden-now")); i++) {
                Thread.sleep(50);
                held = json.readTree(hidden.send("bob", "GET", "/guard/api/held", null).body()).get("held");
            }
            assertEquals(1, held.size(), held.toString());
            assertEquals("hidden-far", held.get(0).get("uid").asText());
            assertTrue(hidden.send("bob", "GET", "/guard/api/inbox", null).body().contains("hidden-now"));
            assertEquals(200, hidden.send("bob", "POST", "/guard/api/held/" + held.get(0).get("id").asText()
                    + "/approve", null).statusCode());
            String approved = hidden.send("alice", "GET", "/dav/calendars/alice/calendar/hidden-far.ics", null)
                    .body();
            assertTrue(SchedulingTest.line(approved, "ATTENDEE", "bob@").contains("SCHEDULE-STATUS=1.1"),
                    "the approval is not reported to the sender: " + approved);
            // alice's list of what became of her messages says the same for bob as for dan: "sent"
            String sent = hidden.send("alice", "GET", "/guard/api/sent", null).body();
            java.util.Map<String, java.util.List<String>> lines = new java.util.TreeMap<>();
            for (com.fasterxml.jackson.databind.JsonNode line : json.readTree(sent).get("sent")) {
                lines.computeIfAbsent(line.get("recipient").asText(), k -> new java.util.ArrayList<>()).add(
                        line.get("uid").asText() + " " + line.get("outcome").asText() + " " + line.get("inWords")
                                .asText() + " [" + line.get("requestStatus").asText() + "] " + line.get("codes"));
            }
            java.util.List<String> both = java.util.List.of("hidden-far sent sent [] []", "hidden-now sent sent [] []");
            assertEquals(both, lines.get("mailto:bob@example.com").stream().sorted().toList(), sent);
            assertEquals(both, lines.get("mailto:dan@elsewhere.example").stream().sorted().toList(), sent);
            assertFalse(sent.contains("Bob"), "bob's name is not shown: " + sent);
            // nor does her audit trail: what it says of bob it says of dan, and bob's own trail has his verdicts
            java.util.Map<String, java.util.List<String>> trail = new java.util.TreeMap<>();
            for (com.fasterxml.jackson.databind.JsonNode row : json.readTree(hidden.send("alice", "GET",
                    "/guard/api/audit", null).body()).get("audit")) {
                trail.computeIfAbsent(row.get("recipient").asText(), k -> new java.util.ArrayList<>()).add(
                        row.get("uid").asText() + " " + row.get("event").asText() + " " + row.get("action").asText()
                                + " [" + row.get("requestStatus").asText() + "] " + row.get("findings"));
            }
            assertEquals(trail.get("mailto:dan@elsewhere.example"), trail.get("mailto:bob@example.com"),
                    trail.toString());
            assertTrue(hidden.send("bob", "GET", "/guard/api/audit", null).body().contains("hidden-far"));
            // a message in someone else's name is refused alike for a local and a remote recipient
            HttpResponse<String> forged = hidden.send("alice", "POST", "/dav/calendars/alice/outbox/",
                    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
                            + "UID:forged-1\r\nDTSTAMP:20261120T090000Z\r\nDTSTART:20261209T100000Z\r\n"
                            + "DTEND:20261209T110000Z\r\nSUMMARY:Forged\r\nORGANIZER:mailto:mallory@example.com\r\n"
                            + "ATTENDEE:mailto:bob@example.com\r\nATTENDEE:mailto:dan@elsewhere.example\r\n"
                            + "END:VEVENT\r\nEND:VCALENDAR\r\n", "Content-Type", "text/calendar");
            assertEquals(200, forged.statusCode(), forged.body());
            for (String who : new String[] {"mailto:bob@example.com", "mailto:dan@elsewhere.example"}) {
                String answer = forged.body().substring(forged.body().indexOf(who));
                assertTrue(answer.substring(0, answer.indexOf("</C:response>")).contains("3.8;No authority"),
                        who + ": " + forged.body());
            }
        }
    }
}
