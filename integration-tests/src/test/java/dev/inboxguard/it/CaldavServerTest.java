package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.scheduling.RecordingOutbound;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.server.CaldavServer;
import dev.inboxguard.storage.CalendarStore;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real Jetty server on a free port, driven over HTTP: discovery, authentication, isolation, hostile bodies. */
class CaldavServerTest {
    private static final List<String> USERS = List.of("alice", "bob", "carol", "dave");
    private static final String PROPFIND_DISCOVERY = """
            <?xml version="1.0" encoding="utf-8"?>
            <d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
              <d:prop><d:current-user-principal/><c:calendar-home-set/><c:calendar-user-address-set/>
                <d:displayname/><d:resourcetype/></d:prop>
            </d:propfind>""";

    private static CaldavServer server;
    private static HttpClient http;
    private static String base;

    @TempDir
    static Path data;
    private static Database store;

    @BeforeAll
    static void start() throws Exception {
        store = TestPostgres.open(data);
        server = new CaldavServer(new InetSocketAddress("127.0.0.1", 0), Accounts.demo(Clock.systemUTC()),
                ConfigFile.defaults(), store,
                new RecordingOutbound(), Clock.systemUTC()).start();
        base = "http://127.0.0.1:" + server.port();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        store.close();
    }

    private static HttpResponse<String> send(String method, String path, String user, String password,
                                             String depth, String body) throws IOException, InterruptedException {
        return send(method, path, user, password, depth, body, Map.of());
    }

    private static HttpResponse<String> send(String method, String path, String user, String password,
                                             String depth, String body, Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
        }
        if (depth != null) {
            b.header("Depth", depth);
        }
        if (body != null && !headers.containsKey("Content-Type")) {
            b.header("Content-Type", "application/xml; charset=utf-8");
        }
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A request the server answers by closing the connection (a refused body): sent on a client of its own, so
     * that the shared client's pool never holds a connection the server has closed.
     */
    private static HttpResponse<String> alone(HttpRequest request) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** After a refusal that closed the connection: a new client, so that no pooled connection is reused. */
    private static void assertStillServing() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/dav/principals/alice/"))
                .method("PROPFIND", HttpRequest.BodyPublishers.ofString(PROPFIND_DISCOVERY)).header("Depth", "0")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "alice:alice".getBytes(StandardCharsets.UTF_8))).build();
        assertEquals(207, HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString())
                .statusCode());
    }

    private static HttpResponse<String> propfind(String user, String path, String depth, String body)
            throws IOException, InterruptedException {
        return send("PROPFIND", path, user, user, depth, body);
    }

    @Test
    void healthNeedsNoLogin() throws Exception {
        HttpResponse<String> r = send("GET", "/health", null, null, null, null);
        assertEquals(200, r.statusCode());
        assertEquals("ok\n", r.body());
    }

    @Test
    void wellKnownAndTheBareServerUrlLeadToTheDavRoot() throws Exception {
        // 308 for PROPFIND, so that a client repeats it with its body; 301 for GET
        for (String path : List.of("/.well-known/caldav", "/.well-known/caldav/", "/")) {
            HttpResponse<String> propfind = send("PROPFIND", path, null, null, "0", PROPFIND_DISCOVERY);
            assertEquals(308, propfind.statusCode(), path);
            assertEquals("/dav/", propfind.headers().firstValue("Location").orElseThrow());
            HttpResponse<String> get = send("GET", path, null, null, null, null);
            assertEquals(301, get.statusCode(), path);
            assertEquals("/dav/", get.headers().firstValue("Location").orElseThrow());
        }
    }

    @Test
    void everythingUnderDavNeedsALogin() throws Exception {
        HttpResponse<String> none = send("PROPFIND", "/dav/", null, null, "0", PROPFIND_DISCOVERY);
        assertEquals(401, none.statusCode());
        assertTrue(none.headers().firstValue("WWW-Authenticate").orElseThrow().startsWith("Basic realm="));
        assertEquals(401, send("PROPFIND", "/dav/", "alice", "bob", "0", PROPFIND_DISCOVERY).statusCode());
        assertEquals(401, send("PROPFIND", "/dav/", "mallory", "mallory", "0", PROPFIND_DISCOVERY).statusCode());
        assertEquals(401, send("GET", "/dav/principals/alice/", "alice", "", null, null).statusCode());
    }

    @Test
    void aClientDiscoversPrincipalHomeAndAddresses() throws Exception {
        HttpResponse<String> root = propfind("alice", "/dav/", "0", PROPFIND_DISCOVERY);
        assertEquals(207, root.statusCode(), root.body());
        assertTrue(root.body().contains("/dav/principals/alice/"), root.body());

        HttpResponse<String> principal = propfind("alice", "/dav/principals/alice/", "0", PROPFIND_DISCOVERY);
        assertEquals(207, principal.statusCode(), principal.body());
        String xml = principal.body();
        assertTrue(xml.contains("/dav/calendars/alice/"), xml);
        assertTrue(xml.contains("mailto:alice@example.com"), xml);
        assertTrue(xml.contains("Alice"), xml);
        assertTrue(xml.contains("principal"), xml);

        HttpResponse<String> home = propfind("alice", "/dav/calendars/alice/", "0", PROPFIND_DISCOVERY);
        assertEquals(207, home.statusCode(), home.body());
    }

    @Test
    void theRootListsOnlyTheUsersOwnCollections() throws Exception {
        HttpResponse<String> r = propfind("bob", "/dav/", "1", PROPFIND_DISCOVERY);
        assertEquals(207, r.statusCode(), r.body());
        assertTrue(r.body().contains("/dav/principals/bob/"), r.body());
        assertTrue(r.body().contains("/dav/calendars/bob/"), r.body());
        for (String other : List.of("alice", "carol", "dave")) {
            assertFalse(r.body().contains("/" + other + "/"), r.body());
        }
    }

    @Test
    void nobodyReachesAnotherUsersPrincipalOrHome() throws Exception {
        for (String user : USERS) {
            for (String other : USERS) {
                if (other.equals(user)) {
                    continue;
                }
                // RFC 3744 §9.4: another user's principal is readable, name and addresses, so that clients can
                // complete attendees; where their calendars and scheduling collections are is not
                HttpResponse<String> principal = propfind(user, "/dav/principals/" + other + "/", "0",
                        PROPFIND_DISCOVERY);
                assertEquals(207, principal.statusCode(), user + " → " + other);
                assertTrue(principal.body().contains(other + "@example.com"), principal.body());
                assertFalse(principal.body().contains("/dav/calendars/" + other), principal.body());
                String home = "/dav/calendars/" + other + "/";
                HttpResponse<String> r = propfind(user, home, "0", PROPFIND_DISCOVERY);
                assertEquals(404, r.statusCode(), user + " → " + home);
                assertFalse(r.body().contains(other + "@example.com"), r.body());
                assertEquals(404, send("GET", home, user, user, null, null).statusCode(), user + " GET " + home);
            }
            // a user who does not exist looks exactly the same
            assertEquals(404, propfind(user, "/dav/principals/mallory/", "0", PROPFIND_DISCOVERY).statusCode());
        }
    }

    @Test
    void optionsAdvertisesCalendarAccess() throws Exception {
        HttpResponse<String> r = send("OPTIONS", "/dav/calendars/alice/", "alice", "alice", null, null);
        assertEquals(200, r.statusCode());
        String dav = r.headers().firstValue("DAV").orElseThrow();
        assertTrue(dav.contains("calendar-access"), dav);
        assertTrue(dav.contains("calendar-auto-schedule"), dav);
        assertFalse(r.headers().firstValue("Allow").orElse("").contains("REPORT"));
    }

    @Test
    void traceDoesNotEchoCredentials() throws Exception {
        HttpResponse<String> r = send("TRACE", "/dav/", "alice", "alice", null, null);
        assertEquals(405, r.statusCode());
        assertFalse(r.body().contains("Basic "), r.body());
    }

    @Test
    void aCompressedBodyIsRefusedBeforeItIsInflated() throws Exception {
        java.io.ByteArrayOutputStream zipped = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(zipped)) {
            gz.write(("<d:propfind xmlns:d=\"DAV:\"><!--" + "x".repeat(50_000_000) + "--></d:propfind>")
                    .getBytes(StandardCharsets.UTF_8));
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/dav/principals/alice/"))
                .method("PROPFIND", HttpRequest.BodyPublishers.ofByteArray(zipped.toByteArray()))
                .header("Content-Encoding", "gzip").header("Depth", "0")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "alice:alice".getBytes(StandardCharsets.UTF_8))).build();
        HttpResponse<String> r = alone(request);
        assertEquals(415, r.statusCode());
        assertStillServing();
    }

    @Test
    void anOversizedChunkedBodyIsRefusedWith413() throws Exception {
        // just over the cap, so that the client has finished sending when the answer comes
        byte[] big = ("<d:propfind xmlns:d=\"DAV:\"><!--" + "x".repeat(1024 * 1024 + 16 * 1024) + "--></d:propfind>")
                .getBytes(StandardCharsets.UTF_8);
        // a stream publisher has no length, so the body goes chunked and the cap is found while reading
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/dav/principals/alice/"))
                .method("PROPFIND", HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big)))
                .header("Depth", "0")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "alice:alice".getBytes(StandardCharsets.UTF_8))).build();
        assertEquals(413, alone(request).statusCode());
        assertStillServing();
    }

    @Test
    void anEntityExpansionBombIsRefusedAndTheServerCarriesOn() throws Exception {
        String bomb = """
                <?xml version="1.0"?>
                <!DOCTYPE d:propfind [
                 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
                 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
                 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
                 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
                 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
                 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
                ]>
                <d:propfind xmlns:d="DAV:"><d:prop><d:displayname>&f;</d:displayname></d:prop></d:propfind>""";
        HttpResponse<String> r = propfind("alice", "/dav/principals/alice/", "0", bomb);
        assertEquals(400, r.statusCode(), r.body());
        assertStillServing();
    }

    @Test
    void anExternalEntityIsRefused() throws Exception {
        String xxe = """
                <?xml version="1.0"?>
                <!DOCTYPE d:propfind [<!ENTITY x SYSTEM "file:///etc/passwd">]>
                <d:propfind xmlns:d="DAV:"><d:prop><d:displayname>&x;</d:displayname></d:prop></d:propfind>""";
        HttpResponse<String> r = propfind("alice", "/dav/principals/alice/", "0", xxe);
        assertEquals(400, r.statusCode(), r.body());
        assertFalse(r.body().contains("root:"), r.body());
    }

    @Test
    void anyDoctypeIsRefused() throws Exception {
        // Jackrabbit's own parser would accept this one; ours refuses every DOCTYPE, the root of the bombs above
        String harmless = "<?xml version=\"1.0\"?><!DOCTYPE propfind><d:propfind xmlns:d=\"DAV:\"><d:prop>"
                + "<d:displayname/></d:prop></d:propfind>";
        assertEquals(400, propfind("alice", "/dav/principals/alice/", "0", harmless).statusCode());
    }

    @Test
    void malformedXmlIsAClientError() throws Exception {
        HttpResponse<String> r = propfind("alice", "/dav/principals/alice/", "0", "<d:propfind xmlns:d=\"DAV:\">");
        assertEquals(400, r.statusCode(), r.body());
    }

    @Test
    void aHundredMegabytePutIsRefusedBeforeItIsSent() throws Exception {
        // the client asks first (Expect: 100-continue), as careful clients do; the declared length alone gets 413,
        // so not one byte of the body crosses the wire
        long hundredMegabytes = 100L * 1024 * 1024;
        java.util.function.Supplier<java.io.InputStream> endless = () -> new java.io.InputStream() {
            @Override
            public int read() {
                return 'x';
            }
        };
        HttpResponse<String> r = alone(HttpRequest.newBuilder(URI.create(base + "/dav/calendars/alice/big.ics"))
                .expectContinue(true)
                .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(endless),
                        hundredMegabytes))
                .header("Content-Type", "text/calendar")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "alice:alice".getBytes(StandardCharsets.UTF_8))).build());
        assertEquals(413, r.statusCode());
        assertStillServing();
    }

    private static final String MKCALENDAR = """
            <?xml version="1.0" encoding="utf-8"?>
            <C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>
              <D:displayname>%s</D:displayname>
              <C:supported-calendar-component-set><C:comp name="VEVENT"/></C:supported-calendar-component-set>
            </D:prop></D:set></C:mkcalendar>""";

    private static String event(String uid, String summary, String extra) {
        return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + extra + "BEGIN:VEVENT\r\nUID:" + uid
                + "\r\nDTSTAMP:20261121T080000Z\r\nDTSTART:20261201T090000Z\r\nDURATION:PT1H\r\nSUMMARY:"
                + summary + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    }

    private static HttpResponse<String> put(String user, String path, String ics, Map<String, String> headers)
            throws IOException, InterruptedException {
        Map<String, String> h = new java.util.HashMap<>(headers);
        h.put("Content-Type", "text/calendar; charset=utf-8");
        return send("PUT", path, user, user, null, ics, h);
    }

    @Test
    void calendarsAndEventsWithEtagsAndPreconditions() throws Exception {
        String cal = "/dav/calendars/carol/work/";
        assertEquals(201, send("MKCALENDAR", cal, "carol", "carol", null, MKCALENDAR.formatted("Work")).statusCode());
        assertEquals(405, send("MKCALENDAR", cal, "carol", "carol", null, MKCALENDAR.formatted("Again"))
                .statusCode());

        HttpResponse<String> home = propfind("carol", "/dav/calendars/carol/", "1", """
                <d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/">
                <d:prop><d:resourcetype/><d:displayname/><c:supported-calendar-component-set/><cs:getctag/></d:prop>
                </d:propfind>""");
        assertEquals(207, home.statusCode(), home.body());
        assertTrue(home.body().contains(cal), home.body());
        assertTrue(home.body().contains("Work"), home.body());
        assertTrue(home.body().matches("(?s).*<C:calendar[ /].*"), home.body());
        assertTrue(home.body().contains("name=\"VEVENT\""), home.body());
        String ctag0 = between(propfind("carol", cal, "0", "<d:propfind xmlns:d=\"DAV:\"><d:prop><cs:getctag "
                + "xmlns:cs=\"http://calendarserver.org/ns/\"/></d:prop></d:propfind>").body(), "getctag");

        String object = cal + "meeting.ics";
        HttpResponse<String> created = put("carol", object, event("m-1", "Planning", ""), Map.of("If-None-Match", "*"));
        assertEquals(201, created.statusCode(), created.body());
        String etag = created.headers().firstValue("ETag").orElseThrow();
        assertEquals(412, put("carol", object, event("m-1", "Planning", ""), Map.of("If-None-Match", "*"))
                .statusCode());

        HttpResponse<String> got = send("GET", object, "carol", "carol", null, null);
        assertEquals(200, got.statusCode());
        assertEquals(etag, got.headers().firstValue("ETag").orElseThrow());
        assertTrue(got.body().contains("SUMMARY:Planning"));
        assertTrue(got.headers().firstValue("Content-Type").orElseThrow().startsWith("text/calendar"));
        assertEquals(304, send("GET", object, "carol", "carol", null, null, Map.of("If-None-Match", etag))
                .statusCode());

        assertEquals(412, put("carol", object, event("m-1", "Moved", ""), Map.of("If-Match", "\"stale\""))
                .statusCode());
        HttpResponse<String> updated = put("carol", object, event("m-1", "Moved", ""), Map.of("If-Match", etag));
        assertEquals(204, updated.statusCode());
        String etag2 = updated.headers().firstValue("ETag").orElseThrow();
        assertFalse(etag2.equals(etag));
        String ctag1 = between(propfind("carol", cal, "0", "<d:propfind xmlns:d=\"DAV:\"><d:prop><cs:getctag "
                + "xmlns:cs=\"http://calendarserver.org/ns/\"/></d:prop></d:propfind>").body(), "getctag");
        assertFalse(ctag0.isEmpty());
        assertFalse(ctag1.equals(ctag0), "the CTag moves with every write");

        HttpResponse<String> listing = propfind("carol", cal, "1", "<d:propfind xmlns:d=\"DAV:\"><d:prop>"
                + "<d:getetag/></d:prop></d:propfind>");
        assertTrue(listing.body().contains(object) && listing.body().contains(etag2.replace("\"", "")),
                listing.body());

        assertEquals(412, send("DELETE", object, "carol", "carol", null, null, Map.of("If-Match", etag))
                .statusCode());
        assertEquals(204, send("DELETE", object, "carol", "carol", null, null, Map.of("If-Match", etag2))
                .statusCode());
        assertEquals(404, send("GET", object, "carol", "carol", null, null).statusCode());
        assertEquals(404, send("DELETE", object, "carol", "carol", null, null).statusCode());
    }

    @Test
    void putBodiesAreHeldToRfc4791() throws Exception {
        String cal = "/dav/calendars/dave/rules/";
        assertEquals(201, send("MKCALENDAR", cal, "dave", "dave", null, MKCALENDAR.formatted("Rules")).statusCode());
        assertEquals(201, put("dave", cal + "a.ics", event("same", "A", ""), Map.of()).statusCode());

        HttpResponse<String> sameUid = put("dave", cal + "b.ics", event("same", "B", ""), Map.of());
        assertEquals(403, sameUid.statusCode());
        assertTrue(sameUid.body().contains("no-uid-conflict"), sameUid.body());

        HttpResponse<String> method = put("dave", cal + "c.ics", event("c", "C", "METHOD:REQUEST\r\n"), Map.of());
        assertEquals(403, method.statusCode());
        assertTrue(method.body().contains("valid-calendar-object-resource"), method.body());

        String todo = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VTODO\r\nUID:t\r\n"
                + "DTSTAMP:20261121T080000Z\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
        HttpResponse<String> kind = put("dave", cal + "t.ics", todo, Map.of());
        assertEquals(403, kind.statusCode());
        assertTrue(kind.body().contains("supported-calendar-component"), kind.body());

        HttpResponse<String> garbage = put("dave", cal + "g.ics", "BEGIN:VCALENDAR\r\nnot ical", Map.of());
        assertEquals(403, garbage.statusCode());
        assertTrue(garbage.body().contains("valid-calendar-data"), garbage.body());

        HttpResponse<String> wrongType = send("PUT", cal + "x.ics", "dave", "dave", null, event("x", "X", ""),
                Map.of("Content-Type", "text/plain"));
        assertEquals(403, wrongType.statusCode());
        assertTrue(wrongType.body().contains("supported-calendar-data"), wrongType.body());

        assertEquals(409, put("dave", "/dav/calendars/dave/missing/a.ics", event("z", "Z", ""), Map.of())
                .statusCode());
        // an encoded slash is refused by Jetty (400) or names nothing (404); never stored
        int escape = put("dave", cal + "..%2fescape.ics", event("e", "E", ""), Map.of()).statusCode();
        assertTrue(escape == 400 || escape == 404, "status " + escape);
        // nothing refused was stored
        assertEquals(1, store.calendars().objects("dave", "rules").size());
    }

    @Test
    void nobodyReachesAnotherUsersCalendars() throws Exception {
        String cal = "/dav/calendars/alice/private/";
        assertEquals(201, send("MKCALENDAR", cal, "alice", "alice", null, MKCALENDAR.formatted("Private"))
                .statusCode());
        assertEquals(201, put("alice", cal + "secret.ics", event("s", "Secret", ""), Map.of()).statusCode());
        for (String other : List.of("bob", "carol", "dave")) {
            assertEquals(404, send("GET", cal + "secret.ics", other, other, null, null).statusCode());
            assertEquals(404, put(other, cal + "secret.ics", event("s", "Mine now", ""), Map.of()).statusCode());
            assertEquals(404, put(other, cal + "new.ics", event("n", "New", ""), Map.of()).statusCode());
            assertEquals(404, send("DELETE", cal + "secret.ics", other, other, null, null).statusCode());
            assertEquals(404, send("DELETE", cal, other, other, null, null).statusCode());
            assertEquals(404, propfind(other, cal, "1", PROPFIND_DISCOVERY).statusCode());
            assertEquals(404, send("MKCALENDAR", "/dav/calendars/alice/theirs/", other, other, null, null)
                    .statusCode());
        }
        assertTrue(send("GET", cal + "secret.ics", "alice", "alice", null, null).body().contains("Secret"));
        // her own calendar, task list and the private one; nothing the others tried
        assertEquals(List.of("calendar", "private", "tasks"), store.calendars().calendars("alice").stream()
                .map(dev.inboxguard.storage.StoredCalendar::name).toList());
    }

    private static String between(String xml, String element) {
        int start = xml.indexOf(":" + element);
        int open = start < 0 ? -1 : xml.indexOf('>', start);
        int close = open < 0 ? -1 : xml.indexOf("</", open);
        if (close < 0) {
            throw new AssertionError("no " + element + " in " + xml);
        }
        return xml.substring(open + 1, close);
    }

    private static String query(String range) {
        return "<C:calendar-query xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:prop><D:getetag/>"
                + "</D:prop><C:filter><C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\">" + range
                + "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>";
    }

    @Test
    void reportsFindEventsByTimeRangeAndByHref() throws Exception {
        String cal = "/dav/calendars/bob/reports/";
        assertEquals(201, send("MKCALENDAR", cal, "bob", "bob", null, MKCALENDAR.formatted("Reports")).statusCode());
        String december = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:dec\r\n"
                + "DTSTAMP:20261121T080000Z\r\nDTSTART:20261201T090000Z\r\nDTEND:20261201T100000Z\r\n"
                + "END:VEVENT\r\nEND:VCALENDAR\r\n";
        String allDay = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:jan\r\n"
                + "DTSTAMP:20261121T080000Z\r\nDTSTART;VALUE=DATE:20270115\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        String weekly = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:weekly\r\n"
                + "DTSTAMP:20261121T080000Z\r\nDTSTART:20261102T080000Z\r\nDURATION:PT30M\r\n"
                + "RRULE:FREQ=WEEKLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        String future = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:later\r\n"
                + "DTSTAMP:20261121T080000Z\r\nDTSTART:20280101T080000Z\r\nRRULE:FREQ=DAILY\r\nEND:VEVENT\r\n"
                + "END:VCALENDAR\r\n";
        for (String[] o : new String[][] {{"dec.ics", december}, {"jan.ics", allDay}, {"weekly.ics", weekly},
                {"later.ics", future}}) {
            assertEquals(201, put("bob", cal + o[0], o[1], Map.of()).statusCode());
        }

        HttpResponse<String> dec1 = send("REPORT", cal, "bob", "bob", "1",
                query("<C:time-range start=\"20261201T000000Z\" end=\"20261202T000000Z\"/>"));
        assertEquals(207, dec1.statusCode(), dec1.body());
        assertTrue(dec1.body().contains(cal + "dec.ics"), dec1.body());
        // the weekly series meets on Mondays; 1 December 2026 is a Tuesday, so its expansion finds nothing there
        assertFalse(dec1.body().contains("weekly.ics"), dec1.body());
        assertFalse(dec1.body().contains("jan.ics"), dec1.body());
        assertFalse(dec1.body().contains("later.ics"), "a series that starts after the range is not in it");

        HttpResponse<String> jan15 = send("REPORT", cal, "bob", "bob", "1",
                query("<C:time-range start=\"20270115T120000Z\" end=\"20270115T130000Z\"/>"));
        assertTrue(jan15.body().contains(cal + "jan.ics"), "an all-day event lasts its day: " + jan15.body());
        assertFalse(jan15.body().contains("dec.ics"), jan15.body());

        HttpResponse<String> monday = send("REPORT", cal, "bob", "bob", "1",
                query("<C:time-range start=\"20261207T000000Z\" end=\"20261208T000000Z\"/>"));
        assertTrue(monday.body().contains(cal + "weekly.ics"), "a Monday has an instance: " + monday.body());
        assertFalse(monday.body().contains("dec.ics"), monday.body());
        HttpResponse<String> openEnded = send("REPORT", cal, "bob", "bob", "1",
                query("<C:time-range start=\"20271231T000000Z\"/>"));
        assertTrue(openEnded.body().contains("weekly.ics") && openEnded.body().contains("later.ics"),
                openEnded.body());
        assertFalse(openEnded.body().contains("dec.ics") || openEnded.body().contains("jan.ics"), openEnded.body());

        HttpResponse<String> everything = send("REPORT", cal, "bob", "bob", "1", query(""));
        for (String name : List.of("dec.ics", "jan.ics", "weekly.ics", "later.ics")) {
            assertTrue(everything.body().contains(cal + name), everything.body());
        }

        HttpResponse<String> multiget = send("REPORT", cal, "bob", "bob", "1", "<C:calendar-multiget xmlns:D=\"DAV:\" "
                + "xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:prop><D:getetag/><C:calendar-data/></D:prop>"
                + "<D:href>" + cal + "dec.ics</D:href><D:href>" + cal + "missing.ics</D:href>"
                + "<D:href>/dav/calendars/alice/private/secret.ics</D:href></C:calendar-multiget>");
        assertEquals(207, multiget.statusCode(), multiget.body());
        assertTrue(multiget.body().contains("UID:dec"), multiget.body());
        assertTrue(multiget.body().contains("404 Not Found"), multiget.body());
        assertFalse(multiget.body().contains("Secret"), "another user's href never answers with data");

        HttpResponse<String> unknown = send("REPORT", cal, "bob", "bob", null, "<D:expand-property xmlns:D=\"DAV:\"/>");
        assertEquals(403, unknown.statusCode());
        assertTrue(unknown.body().contains("supported-report"), unknown.body());

        HttpResponse<String> badFilter = send("REPORT", cal, "bob", "bob", "1", "<C:calendar-query xmlns:D=\"DAV:\" "
                + "xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><C:filter><C:comp-filter name=\"VTIMEZONE\"/>"
                + "</C:filter></C:calendar-query>");
        assertEquals(403, badFilter.statusCode());
        assertTrue(badFilter.body().contains("valid-filter"), badFilter.body());

        assertEquals(404, send("REPORT", cal, "alice", "alice", "1", query("")).statusCode());
    }

    private static String sync(String token) {
        return "<D:sync-collection xmlns:D=\"DAV:\"><D:sync-token>" + token + "</D:sync-token><D:sync-level>1"
                + "</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>";
    }

    @Test
    void syncCollectionReportsWhatChangedSinceAToken() throws Exception {
        String cal = "/dav/calendars/bob/sync/";
        assertEquals(201, send("MKCALENDAR", cal, "bob", "bob", null, MKCALENDAR.formatted("Sync")).statusCode());
        assertEquals(201, put("bob", cal + "a.ics", event("sa", "A", ""), Map.of()).statusCode());
        assertEquals(201, put("bob", cal + "b.ics", event("sb", "B", ""), Map.of()).statusCode());
        assertEquals(201, put("bob", cal + "gone.ics", event("sg", "G", ""), Map.of()).statusCode());
        assertEquals(204, send("DELETE", cal + "gone.ics", "bob", "bob", null, null).statusCode());

        HttpResponse<String> first = send("REPORT", cal, "bob", "bob", null, sync(""));
        assertEquals(207, first.statusCode(), first.body());
        assertTrue(first.body().contains(cal + "a.ics") && first.body().contains(cal + "b.ics"), first.body());
        assertFalse(first.body().contains("gone.ics"), "a first sync lists only what exists: " + first.body());
        String token1 = between(first.body(), "sync-token");
        assertTrue(token1.startsWith("urn:inboxguard:sync:"), token1);

        assertEquals(201, put("bob", cal + "c.ics", event("sc", "C", ""), Map.of()).statusCode());
        assertEquals(204, put("bob", cal + "b.ics", event("sb", "B2", ""), Map.of()).statusCode());
        assertEquals(204, send("DELETE", cal + "a.ics", "bob", "bob", null, null).statusCode());

        HttpResponse<String> second = send("REPORT", cal, "bob", "bob", null, sync(token1));
        assertEquals(207, second.statusCode(), second.body());
        assertTrue(second.body().contains(cal + "b.ics") && second.body().contains(cal + "c.ics"), second.body());
        assertTrue(second.body().contains("<D:href>" + cal + "a.ics</D:href><D:status>HTTP/1.1 404"),
                second.body());
        String token2 = between(second.body(), "sync-token");
        assertFalse(token2.equals(token1));

        HttpResponse<String> third = send("REPORT", cal, "bob", "bob", null, sync(token2));
        assertFalse(third.body().contains("<D:response>"), "nothing changed: " + third.body());
        assertEquals(token2, between(third.body(), "sync-token"));

        // the calendar's sync-token property is the same token
        assertEquals(token2, between(propfind("bob", cal, "0", "<d:propfind xmlns:d=\"DAV:\"><d:prop><d:sync-token/>"
                + "</d:prop></d:propfind>").body(), "sync-token"));

        String reports = propfind("bob", cal, "0", "<d:propfind xmlns:d=\"DAV:\"><d:prop><d:supported-report-set/>"
                + "</d:prop></d:propfind>").body();
        assertTrue(reports.contains("sync-collection") && reports.contains("calendar-multiget"), reports);

        HttpResponse<String> rename = send("PROPPATCH", cal, "bob", "bob", null, "<d:propertyupdate xmlns:d=\"DAV:\">"
                + "<d:set><d:prop><d:displayname>Renamed</d:displayname></d:prop></d:set></d:propertyupdate>");
        assertEquals(207, rename.statusCode(), rename.body());
        assertTrue(rename.body().contains("200 OK"), rename.body());
        assertTrue(propfind("bob", cal, "0", PROPFIND_DISCOVERY).body().contains("Renamed"));
        HttpResponse<String> mixed = send("PROPPATCH", cal, "bob", "bob", null, "<d:propertyupdate xmlns:d=\"DAV:\" "
                + "xmlns:x=\"urn:example\"><d:set><d:prop><d:displayname>Never</d:displayname><d:getetag>red"
                + "</d:getetag></d:prop></d:set></d:propertyupdate>");
        assertEquals(207, mixed.statusCode());
        assertTrue(mixed.body().contains("424") && mixed.body().contains("403"), mixed.body());
        assertFalse(propfind("bob", cal, "0", PROPFIND_DISCOVERY).body().contains("Never"), "all or nothing");

        for (String bad : List.of("urn:inboxguard:sync:999999", "http://elsewhere/1", "urn:inboxguard:sync:x")) {
            HttpResponse<String> refused = send("REPORT", cal, "bob", "bob", null, sync(bad));
            assertEquals(403, refused.statusCode(), bad);
            assertTrue(refused.body().contains("valid-sync-token"), refused.body());
        }
    }

    /** Writes an event straight to the store, to keep tests that need many objects quick; its UID is its text's. */
    private static void putStraight(String owner, String calendar, String name, String ics) {
        String uid = ics.substring(ics.indexOf("UID:") + 4, ics.indexOf("\r\n", ics.indexOf("UID:")));
        store.calendars().put(owner, calendar, name, uid, ics.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                new dev.inboxguard.storage.TimeSpan("VEVENT", 0, 1), dev.inboxguard.storage.Expectation.NONE);
    }

    @Test
    void syncCollectionComesInPagesAndEachPageGivesATokenToResumeFrom() throws Exception {
        String cal = "/dav/calendars/bob/paged/";
        assertEquals(201, send("MKCALENDAR", cal, "bob", "bob", null, MKCALENDAR.formatted("Paged")).statusCode());
        // more objects than one answer lists, written straight to the store to keep the test quick
        for (int i = 0; i < 1_100; i++) {
            putStraight("bob", "paged", "p" + i + ".ics", event("paged-" + i, "P" + i, ""));
        }
        HttpResponse<String> first = send("REPORT", cal, "bob", "bob", null, sync(""));
        assertEquals(207, first.statusCode());
        assertEquals(1_000, first.body().split("<D:getetag>", -1).length - 1, "one page of 1,000");
        assertTrue(first.body().contains("<D:href>" + cal + "</D:href><D:status>HTTP/1.1 507"),
                "RFC 6578 §3.6: the request itself is marked 507 when more follow");
        assertTrue(first.body().contains("number-of-matches-within-limits"));
        String token1 = between(first.body(), "sync-token");

        HttpResponse<String> second = send("REPORT", cal, "bob", "bob", null, sync(token1));
        assertEquals(207, second.statusCode());
        assertEquals(100, second.body().split("<D:getetag>", -1).length - 1, "the other 100");
        assertFalse(second.body().contains("507"), second.body());
        java.util.Set<String> listed = new java.util.HashSet<>();
        for (String body : List.of(first.body(), second.body())) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("<D:href>" + cal + "(p\\d+\\.ics)</D:href>")
                    .matcher(body);
            while (m.find()) {
                listed.add(m.group(1));
            }
        }
        assertEquals(1_100, listed.size(), "every object exactly once over the two pages");
        String token2 = between(second.body(), "sync-token");
        HttpResponse<String> third = send("REPORT", cal, "bob", "bob", null, sync(token2));
        assertEquals(207, third.statusCode());
        assertFalse(third.body().contains("<D:getetag>"), "nothing new: " + third.body());
        assertEquals(token2, between(third.body(), "sync-token"));
    }

    @Test
    void aSyncOfEtagsIsPagedByCountAndOneWithCalendarDataByTheTextItCarries() throws Exception {
        // 40 objects of 1 MB: their text passes half the answer cap (32 MiB), which bounds a page that carries it;
        // a page of ETags carries none, reads none, and holds all 40
        String cal = "/dav/calendars/bob/heavy/";
        assertEquals(201, send("MKCALENDAR", cal, "bob", "bob", null, MKCALENDAR.formatted("Heavy")).statusCode());
        for (int i = 0; i < 40; i++) {
            putStraight("bob", "heavy", "h" + i + ".ics", event("heavy-" + i, "H" + i, "")
                    .replace("SUMMARY:H" + i, "SUMMARY:H" + i + "\r\nDESCRIPTION:" + "x".repeat(1_000_000)));
        }
        HttpResponse<String> etags = send("REPORT", cal, "bob", "bob", null, sync(""));
        assertEquals(207, etags.statusCode());
        assertEquals(40, etags.body().split("<D:getetag>", -1).length - 1, "one page of every ETag");
        assertFalse(etags.body().contains("HTTP/1.1 507"), "not cut by text it does not carry");

        String withData = sync("").replace("<D:getetag/>",
                "<D:getetag/><C:calendar-data xmlns:C=\"urn:ietf:params:xml:ns:caldav\"/>");
        HttpResponse<String> first = send("REPORT", cal, "bob", "bob", null, withData);
        assertEquals(207, first.statusCode());
        int firstPage = first.body().split("<C:calendar-data>", -1).length - 1;
        assertTrue(firstPage > 0 && firstPage < 40, "cut by its text: " + firstPage);
        assertTrue(first.body().contains("<D:href>" + cal + "</D:href><D:status>HTTP/1.1 507"));
        HttpResponse<String> rest = send("REPORT", cal, "bob", "bob", null, withData.replace(
                "<D:sync-token></D:sync-token>", "<D:sync-token>" + between(first.body(), "sync-token")
                        + "</D:sync-token>"));
        assertEquals(207, rest.statusCode());
        assertEquals(40 - firstPage, rest.body().split("<C:calendar-data>", -1).length - 1, "the rest");
        assertFalse(rest.body().contains("HTTP/1.1 507"));
        assertEquals(204, send("DELETE", cal, "bob", "bob", null, null).statusCode(), "40 MB not left for the others");
    }

    @Test
    void syncCollectionKeepsToTheClientsLimit() throws Exception {
        String cal = "/dav/calendars/bob/limited/";
        assertEquals(201, send("MKCALENDAR", cal, "bob", "bob", null, MKCALENDAR.formatted("Limited")).statusCode());
        for (int i = 0; i < 25; i++) {
            assertEquals(201, put("bob", cal + "l" + i + ".ics", event("limited-" + i, "L" + i, ""), Map.of())
                    .statusCode());
        }
        // RFC 6578 §3.7: no more results than DAV:nresults; the rest come with the token, as in any page
        java.util.Set<String> listed = new java.util.HashSet<>();
        String token = "";
        int pages = 0;
        for (boolean more = true; more; pages++) {
            HttpResponse<String> page = send("REPORT", cal, "bob", "bob", null, sync(token).replace(
                    "</D:sync-collection>", "<D:limit><D:nresults>10</D:nresults></D:limit></D:sync-collection>"));
            assertEquals(207, page.statusCode());
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("<D:href>" + cal + "(l\\d+\\.ics)</D:href>")
                    .matcher(page.body());
            int here = 0;
            while (m.find()) {
                listed.add(m.group(1));
                here++;
            }
            assertTrue(here <= 10, here + " results on one page");
            more = page.body().contains("<D:href>" + cal + "</D:href><D:status>HTTP/1.1 507");
            token = between(page.body(), "sync-token");
            assertTrue(pages < 10, "the pages never end");
        }
        assertEquals(25, listed.size(), "every object, over the pages");
        assertEquals(3, pages);
        // a limit of one is kept too
        HttpResponse<String> one = send("REPORT", cal, "bob", "bob", null, sync("").replace("</D:sync-collection>",
                "<D:limit><D:nresults>1</D:nresults></D:limit></D:sync-collection>"));
        assertEquals(207, one.statusCode());
        assertEquals(1, one.body().split("<D:getetag>", -1).length - 1, one.body());
        for (String bad : new String[] {"0", "-3", "many", ""}) {
            assertEquals(400, send("REPORT", cal, "bob", "bob", null, sync("").replace("</D:sync-collection>",
                    "<D:limit><D:nresults>" + bad + "</D:nresults></D:limit></D:sync-collection>")).statusCode(),
                    "nresults " + bad);
        }
    }
    @Test
    void theInboxSyncsWholeBeyondOnePageUnlessTheClientSetsALimit() throws Exception {
        // the inbox's token is a digest of what it holds, so it has no pages: without DAV:limit it lists all of
        // its items however many, and a limit below its size is a 507 (RFC 6578 §3.7), not a silent cut
        String inbox = "/dav/calendars/dave/inbox/";
        for (int i = 0; i < 1_100; i++) {
            store.scheduling().addToInbox(new dev.inboxguard.storage.InboxItem("dave", "i" + i + ".ics", "inbox-" + i,
                    "REQUEST", event("inbox-" + i, "I" + i, "").getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    "deliver", "[]", i));
        }
        HttpResponse<String> all = send("REPORT", inbox, "dave", "dave", null, sync(""));
        assertEquals(207, all.statusCode());
        assertEquals(1_100, all.body().split("<D:getetag>", -1).length - 1, "every item in one answer");
        assertFalse(all.body().contains("HTTP/1.1 507"), "no page cut for an inbox");
        String token = between(all.body(), "sync-token");
        HttpResponse<String> again = send("REPORT", inbox, "dave", "dave", null, sync(token));
        assertEquals(207, again.statusCode());
        assertFalse(again.body().contains("<D:getetag>"), "nothing new since the token");
        HttpResponse<String> limited = send("REPORT", inbox, "dave", "dave", null, sync("").replace(
                "</D:sync-collection>", "<D:limit><D:nresults>10</D:nresults></D:limit></D:sync-collection>"));
        assertEquals(507, limited.statusCode());
        assertTrue(limited.body().contains("number-of-matches-within-limits"), limited.body());
        HttpResponse<String> roomy = send("REPORT", inbox, "dave", "dave", null, sync("").replace(
                "</D:sync-collection>", "<D:limit><D:nresults>5000</D:nresults></D:limit></D:sync-collection>"));
        assertEquals(207, roomy.statusCode());
        assertEquals(1_100, roomy.body().split("<D:getetag>", -1).length - 1, "a limit above its size lists all");
    }

    @Test
    void anInboxLargerThanOneAnswerIsReadOneItemAtATimeAndRefusedOnlyWhereItCannotPage() throws Exception {
        // 34 MB of inbox text passes half the answer cap (64 objects of limits.maxBytes): a sync with calendar-data
        // would need one answer of it all and is refused, but ETags, a multiget and a query read item by item
        String inbox = "/dav/calendars/carol/inbox/";
        String large = event("big", "Big", "").replace("SUMMARY:Big", "SUMMARY:Big\r\nDESCRIPTION:"
                + "x".repeat(1_000_000));
        for (int i = 0; i < 34; i++) {
            store.scheduling().addToInbox(new dev.inboxguard.storage.InboxItem("carol", "big" + i + ".ics",
                    "big-" + i, "REQUEST", large.getBytes(java.nio.charset.StandardCharsets.UTF_8), "deliver", "[]",
                    i));
        }
        try {
            HttpResponse<String> withData = send("REPORT", inbox, "carol", "carol", null, sync("").replace(
                    "<D:getetag/>", "<D:getetag/><C:calendar-data xmlns:C=\"urn:ietf:params:xml:ns:caldav\"/>"));
            assertEquals(507, withData.statusCode());
            assertTrue(withData.body().contains("number-of-matches-within-limits"), withData.body());
            HttpResponse<String> etags = send("REPORT", inbox, "carol", "carol", null, sync(""));
            assertEquals(207, etags.statusCode());
            assertEquals(34, etags.body().split("<D:getetag>", -1).length - 1, "every item's ETag");
            assertTrue(etags.body().contains("<D:sync-token>"), etags.body());
            HttpResponse<String> one = send("REPORT", inbox, "carol", "carol", null, "<C:calendar-multiget "
                    + "xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:prop><D:getetag/>"
                    + "<C:calendar-data/></D:prop><D:href>" + inbox + "big7.ics</D:href></C:calendar-multiget>");
            assertEquals(207, one.statusCode());
            assertEquals(1, one.body().split("<C:calendar-data>", -1).length - 1);
            assertTrue(one.body().contains("x".repeat(1_000_000)), "the whole text of the one item named");
            HttpResponse<String> query = send("REPORT", inbox, "carol", "carol", "1", query(""));
            assertEquals(207, query.statusCode());
            assertEquals(34, query.body().split("<D:getetag>", -1).length - 1, "each item read and matched");
            HttpResponse<String> listing = send("PROPFIND", inbox, "carol", "carol", "1", "<?xml version=\"1.0\"?>"
                    + "<D:propfind xmlns:D=\"DAV:\"><D:prop><D:getetag/><D:getcontentlength/></D:prop></D:propfind>");
            assertEquals(207, listing.statusCode());
            assertEquals(34, listing.body().split("<D:getetag>", -1).length - 1, "every item's ETag");
            int size = large.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            assertTrue(listing.body().contains("big7.ics-" + size), "the ETag a GET gives");
            assertTrue(listing.body().contains("<D:getcontentlength>" + size + "</D:getcontentlength>"));
            HttpResponse<String> get = send("GET", inbox + "big7.ics", "carol", "carol", null, null);
            assertEquals(200, get.statusCode());
            assertEquals("\"big7.ics-" + size + "\"", get.headers().firstValue("ETag").orElseThrow());
        } finally {
            for (int i = 0; i < 34; i++) {
                store.scheduling().removeFromInbox("carol", "big" + i + ".ics");
            }
        }
    }

    @Test
    void anInboxSyncWithCalendarDataIsMeasuredAsEscapedBeforeItBegins() throws Exception {
        // 6 MB of quotes: too little to refuse from the sizes, too much to pass without counting (each '"' takes 6
        // characters escaped), so each text is read and counted: 36 MB escaped passes half the answer cap (32 MiB)
        String inbox = "/dav/calendars/carol/inbox/";
        String quoted = event("quoted", "Quoted", "").replace("SUMMARY:Quoted", "SUMMARY:Quoted\r\nDESCRIPTION:"
                + "\"".repeat(1_000_000));
        String sync = sync("").replace("<D:getetag/>",
                "<D:getetag/><C:calendar-data xmlns:C=\"urn:ietf:params:xml:ns:caldav\"/>");
        try {
            for (int i = 0; i < 6; i++) {
                store.scheduling().addToInbox(new dev.inboxguard.storage.InboxItem("carol", "quoted" + i + ".ics",
                        "quoted-" + i, "REQUEST", quoted.getBytes(java.nio.charset.StandardCharsets.UTF_8), "deliver",
                        "[]", i));
            }
            HttpResponse<String> six = send("REPORT", inbox, "carol", "carol", null, sync);
            assertEquals(507, six.statusCode());
            assertTrue(six.body().contains("number-of-matches-within-limits"), six.body());
            store.scheduling().removeFromInbox("carol", "quoted5.ics");
            HttpResponse<String> five = send("REPORT", inbox, "carol", "carol", null, sync);
            assertEquals(207, five.statusCode());
            assertEquals(5, five.body().split("<C:calendar-data>", -1).length - 1, "30 MB escaped is one answer");
            assertTrue(five.body().contains("&quot;".repeat(1_000)));
        } finally {
            for (int i = 0; i < 6; i++) {
                store.scheduling().removeFromInbox("carol", "quoted" + i + ".ics");
            }
        }
    }
}
