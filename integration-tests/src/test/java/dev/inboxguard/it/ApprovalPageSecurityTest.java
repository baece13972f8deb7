package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.scheduling.RecordingOutbound;
import dev.inboxguard.server.CaldavServer;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross-site request forgery and markup injection against every form of the people's pages, over real HTTP: each
 * POST is tried without the session's CSRF token, with another site's Origin, with "Origin: null", and with
 * Sec-Fetch-Site cross-site; each must be refused (403) and change nothing. Then the same POST with the token
 * works, which shows the refusals were not for some other reason. A sender's markup in the title, place, names
 * and links of a held invitation reaches the page as text.
 */
class ApprovalPageSecurityTest {
    @TempDir
    Path data;

    @Test
    void everyFormRefusesCrossSiteRequestsAndEveryValueIsText() throws Exception {
        try (Database store = TestPostgres.open(data);
             CaldavServer server = new CaldavServer(new InetSocketAddress("127.0.0.1", 0), SchedulingTest.accounts(),
                     ConfigFile.defaults(), store, new RecordingOutbound(), Clock.systemUTC()).start()) {
            String base = "http://127.0.0.1:" + server.port();
            DavClient dav = new DavClient(server.port());
            for (String user : new String[] {"alice", "bob"}) {
                dav.send(user, "MKCALENDAR", "/dav/calendars/" + user + "/work/", null, null);
            }
            HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
            HttpResponse<String> login = http.send(form(base + "/guard/login", Map.of("user", "alice",
                    "password", "alice"), null).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(303, login.statusCode());
            String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
            String page = get(http, base + "/guard/settings", cookie).body();
            Matcher m = Pattern.compile("name=\"csrf\" value=\"([0-9a-f]+)\"").matcher(page);
            assertTrue(m.find(), page);
            String csrf = m.group(1);

            // alice takes no invitation automatically; bob's, full of markup, waits for her
            post(http, base, "/guard/settings", cookie, Map.of("csrf", csrf, "invitations", "never"), 303);
            String hostile = "<img src=x onerror=alert(1)>";
            String ics = SchedulingTest.event("xss-1", "bob", null, "alice")
                    .replace("SUMMARY:Team sync", "SUMMARY:" + hostile + "\r\nLOCATION:<script>alert(2)</script>\r\n"
                            + "DESCRIPTION:see https://evil.example/\"><script>alert(3)</script>")
                    .replace("ORGANIZER:", "ORGANIZER;CN=\"<b>Bob</b>\":");
            assertEquals(201, dav.send("bob", "PUT", "/dav/calendars/bob/work/xss.ics", ics, "text/calendar")
                    .statusCode());
            page = get(http, base + "/guard/", cookie).body();
            assertTrue(page.contains("&lt;img src=x onerror=alert(1)&gt;"), page);
            assertTrue(page.contains("&lt;script&gt;alert(2)&lt;/script&gt;"), page);
            assertTrue(page.contains("&lt;b&gt;Bob&lt;/b&gt;"), page);
            assertFalse(page.contains("<script") || page.contains("<img") || page.contains("<b>"), page);
            Matcher held = Pattern.compile("id=\"held-([0-9a-f]{32})\"").matcher(page);
            assertTrue(held.find(), page);
            String id = held.group(1);
            String inboxName = deliveredName(dav, store);

            Map<String, Map<String, String>> forms = new LinkedHashMap<>();
            forms.put("/guard/settings", Map.of("invitations", "known", "timeZone", "Europe/Paris"));
            forms.put("/guard/settings/senders", Map.of("entry", "@forged.example", "list", "allow"));
            forms.put("/guard/settings/senders/remove", Map.of("entry", "@spam.example"));
            forms.put("/guard/api/held/" + id + "/spam", Map.of());
            forms.put("/guard/api/invitations/" + inboxName + "/remove", Map.of());
            forms.put("/guard/api/invitations/" + inboxName + "/spam", Map.of());
            forms.put("/guard/api/held/" + id + "/approve", Map.of());
            forms.put("/guard/logout", Map.of());
            // something the remove form would take away if it worked
            post(http, base, "/guard/settings/senders", cookie, Map.of("csrf", csrf, "entry", "@spam.example",
                    "list", "block"), 303);
            String settingsBefore = dav.send("alice", "GET", "/guard/api/settings", null, null).body();
            String heldBefore = dav.send("alice", "GET", "/guard/api/held", null, null).body();
            String inboxBefore = dav.send("alice", "GET", "/guard/api/inbox", null, null).body();
            for (Map.Entry<String, Map<String, String>> f : forms.entrySet()) {
                Map<String, String> withToken = new LinkedHashMap<>(f.getValue());
                withToken.put("csrf", csrf);
                assertEquals(403, post(http, base, f.getKey(), cookie, f.getValue(), -1), f.getKey() + " no token");
                assertEquals(403, post(http, base, f.getKey(), cookie, Map.of("csrf", "0".repeat(64)), -1),
                        f.getKey() + " wrong token");
                for (String[] header : new String[][] {{"Origin", "https://evil.example"}, {"Origin", "null"},
                        {"Sec-Fetch-Site", "cross-site"}, {"Sec-Fetch-Site", "same-site"}}) {
                    HttpRequest.Builder b = form(base + f.getKey(), withToken, cookie).header(header[0], header[1]);
                    assertEquals(403, http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode(),
                            f.getKey() + " " + header[0] + ": " + header[1]);
                }
            }
            assertEquals(settingsBefore, dav.send("alice", "GET", "/guard/api/settings", null, null).body());
            assertEquals(heldBefore, dav.send("alice", "GET", "/guard/api/held", null, null).body());
            assertEquals(inboxBefore, dav.send("alice", "GET", "/guard/api/inbox", null, null).body());

            // with the token, from the page itself, each works
            for (Map.Entry<String, Map<String, String>> f : forms.entrySet()) {
                Map<String, String> withToken = new LinkedHashMap<>(f.getValue());
                withToken.put("csrf", csrf);
                int status = post(http, base, f.getKey(), cookie, withToken, -1);
                boolean goneAlready = f.getKey().endsWith("/approve") || f.getKey().equals("/guard/api/invitations/"
                        + inboxName + "/spam");
                assertEquals(goneAlready ? (f.getKey().endsWith("/approve") ? 409 : 404) : 303, status, f.getKey());
            }
            assertTrue(dav.send("alice", "GET", "/guard/api/settings", null, null).body().contains("Europe/Paris"));

            // a crasher's answer to alice's own meeting, reported as spam, blocks the crasher and leaves the meeting
            assertEquals(201, dav.send("alice", "PUT", "/dav/calendars/alice/work/own.ics",
                    SchedulingTest.event("own-1", "alice", null, "bob"), "text/calendar").statusCode());
            dav.send("mallory", "MKCALENDAR", "/dav/calendars/mallory/work/", null, null);
            dav.send("mallory", "POST", "/dav/calendars/mallory/outbox/", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
                    + "PRODID:-//crasher//EN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:own-1\r\n"
                    + "DTSTAMP:20261121T090000Z\r\nSEQUENCE:0\r\nORGANIZER:mailto:alice@example.com\r\n"
                    + "ATTENDEE;PARTSTAT=ACCEPTED:mailto:mallory@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                    "text/calendar");
            String crash = dav.api("alice", "/guard/api/held").get("held").get(0).get("id").asText();
            assertEquals(200, dav.send("alice", "POST", "/guard/api/held/" + crash + "/spam", null, null)
                    .statusCode());
            assertEquals(200, dav.send("alice", "GET", "/dav/calendars/alice/work/own.ics", null, null)
                    .statusCode(), "her own meeting stays");
            assertTrue(dav.send("alice", "GET", "/guard/api/settings", null, null).body()
                    .contains("mailto:mallory@example.com"), "the crasher is blocked");
        }
    }

    /** Delivers one invitation to alice outright (she lets bob's through), and returns its key in URLs. */
    private static String deliveredName(DavClient dav, Database store) throws Exception {
        store.preferences().save("alice", new dev.inboxguard.storage.PreferenceStore.Preferences("everyone", "",
                true));
        assertEquals(201, dav.send("bob", "PUT", "/dav/calendars/bob/work/plain.ics",
                SchedulingTest.event("plain-1", "bob", null, "alice"), "text/calendar").statusCode());
        store.preferences().save("alice", new dev.inboxguard.storage.PreferenceStore.Preferences("never", "", true));
        assertTrue(store.scheduling().inbox("alice").stream().anyMatch(i -> i.uid().equals("plain-1")));
        // the key is the first half of the UID's SHA-256: UIDs are the sender's text, unfit for a path
        return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest("plain-1".getBytes(StandardCharsets.UTF_8)), 0, 16);
    }

    private static HttpResponse<String> get(HttpClient http, String url, String cookie) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).header("Cookie", cookie).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static int post(HttpClient http, String base, String path, String cookie, Map<String, String> fields,
                            int expected) throws Exception {
        int status = http.send(form(base + path, fields, cookie).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode();
        if (expected > 0) {
            assertEquals(expected, status, path);
        }
        return status;
    }

    @Test
    void aFormDeclaredLargerThanAnyPageSendsIsRefusedBeforeItsBodyComes() throws Exception {
        // no sign-in is needed to post the sign-in form; one declaring 100,000 bytes is answered at once from its
        // headers, instead of keeping a request thread while the body comes
        try (Database store = TestPostgres.open(data);
             CaldavServer server = new CaldavServer(new InetSocketAddress("127.0.0.1", 0), SchedulingTest.accounts(),
                     ConfigFile.defaults(), store, new RecordingOutbound(), Clock.systemUTC()).start();
             java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(5_000);
            s.getOutputStream().write(("POST /guard/login HTTP/1.1\r\nHost: x\r\nContent-Type: "
                    + "application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\nuser=alice&password=")
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
            assertEquals("HTTP/1.1 400", answer);
            // a form of the usual size still signs in
            HttpResponse<String> login = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build()
                    .send(form("http://127.0.0.1:" + server.port() + "/guard/login", Map.of("user", "alice",
                            "password", "alice"), null).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(303, login.statusCode());
        }
    }

    private static HttpRequest.Builder form(String url, Map<String, String> fields, String cookie) {
        String body = fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        return cookie == null ? b : b.header("Cookie", cookie);
    }
}
