package dev.inboxguard.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/** HTTP as a test user whose password is the user name: CalDAV requests and the guard's JSON API. */
final class DavClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String base;

    DavClient(int port) {
        this.base = "http://127.0.0.1:" + port;
    }

    HttpResponse<String> send(String user, String method, String path, String body, String type)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + user)
                        .getBytes(StandardCharsets.UTF_8)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Like {@link #send(String, String, String, String, String)}, with extra request headers such as Depth,
     * Destination, Overwrite or If-Match.
     */
    HttpResponse<String> send(String user, String method, String path, String body, String type,
                              Map<String, String> headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + user)
                        .getBytes(StandardCharsets.UTF_8)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> put(String user, String path, String ics) throws IOException, InterruptedException {
        return send(user, "PUT", path, ics, "text/calendar; charset=utf-8");
    }

    /** @return the body, unfolded */
    String get(String user, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = send(user, "GET", path, null, null);
        if (r.statusCode() != 200) {
            throw new AssertionError(path + ": " + r.statusCode() + " " + r.body());
        }
        return r.body().replace("\r\n ", "").replace("\n ", "");
    }

    /**
     * Finds an object by its UID, as a client would: the server names the copies that scheduling makes for an
     * attendee itself (in arrival order, not after the UID).
     *
     * @param collection the calendar's path, ending in a slash
     * @return the path of the one event in the calendar with this UID; fails unless there is exactly one
     */
    String pathOf(String user, String collection, String uid) throws IOException, InterruptedException {
        return pathOf(user, collection, "VEVENT", uid);
    }

    /** As {@link #pathOf(String, String, String)}, for a component of this name (VTODO, VJOURNAL). */
    String pathOf(String user, String collection, String component, String uid)
            throws IOException, InterruptedException {
        return find(user, collection, component, uid).orElseThrow(() -> new AssertionError("no " + component
                + " with UID " + uid + " in " + collection));
    }

    /** @return the path of the object in the calendar with this UID, if any; fails if there are several */
    java.util.Optional<String> find(String user, String collection, String component, String uid)
            throws IOException, InterruptedException {
        String escaped = uid.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        String query = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                + "<C:calendar-query xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
                + "<D:prop><C:calendar-data/></D:prop><C:filter><C:comp-filter name=\"VCALENDAR\">"
                + "<C:comp-filter name=\"" + component + "\"><C:prop-filter name=\"UID\">"
                + "<C:text-match collation=\"i;octet\">" + escaped + "</C:text-match></C:prop-filter>"
                + "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>";
        HttpResponse<String> r = send(user, "REPORT", collection, query, "application/xml; charset=utf-8",
                Map.of("Depth", "1"));
        // text-match finds the UID inside longer ones too: only an exact UID line counts
        java.util.Set<String> found = new java.util.TreeSet<>();
        for (DavXml.Response each : DavXml.multistatus("calendar-query by UID", r).responses) {
            if (each.calendarData().lines().anyMatch(("UID:" + uid)::equals)) {
                found.add(each.path);
            }
        }
        if (found.size() > 1) {
            throw new AssertionError("objects with UID " + uid + " in " + collection + ": " + found);
        }
        return found.stream().findFirst();
    }

    JsonNode api(String user, String path) throws IOException, InterruptedException {
        return JSON.readTree(send(user, "GET", path, null, null).body());
    }
}
