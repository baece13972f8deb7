package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.scheduling.RecordingOutbound;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.server.CaldavServer;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One real server for one RFC test class: Jetty on a free port over the embedded store in a temporary directory,
 * with the demo accounts (alice, bob, carol, dave; the password is the name; NAME@example.com), and the requests
 * the RFC tests send. Not a test itself.
 */
final class RfcServer implements AutoCloseable {
    static final String D = "DAV:";
    static final String C = "urn:ietf:params:xml:ns:caldav";
    static final String CS = "http://calendarserver.org/ns/";
    static final String APPLE = "http://apple.com/ns/ical/";
    static final String X = "urn:x-inboxguard-test";
    /** The namespace declarations every request body here uses. */
    static final String NS = "xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\" "
            + "xmlns:CS=\"http://calendarserver.org/ns/\" xmlns:A=\"http://apple.com/ns/ical/\" "
            + "xmlns:X=\"urn:x-inboxguard-test\"";
    static final String XML = "application/xml; charset=utf-8";

    final CaldavServer server;
    final Database store;
    final DavClient dav;

    private RfcServer(CaldavServer server, Database store) {
        this.server = server;
        this.store = store;
        this.dav = new DavClient(server.port());
    }

    /** The server with the default configuration. */
    static RfcServer start(Path dir) {
        return start(dir, null);
    }

    /** @param caldav the CalDAV settings, or null for the defaults */
    static RfcServer start(Path dir, GuardConfig.Caldav caldav) {
        GuardConfig d = ConfigFile.defaults();
        GuardConfig config = caldav == null ? d : new GuardConfig(d.limits(), d.structure(), d.recurrence(),
                d.identity(), d.replies(), d.content(), d.senders(), d.rates(), d.imip(), d.checks(), d.policy(),
                d.users(), d.scheduling(), d.mail(), d.storage(), d.metrics(), d.server(), caldav);
        Database store = TestPostgres.open(dir);
        try {
            CaldavServer server = new CaldavServer(new InetSocketAddress("127.0.0.1", 0),
                    Accounts.demo(Clock.systemUTC()), config, store, new RecordingOutbound(), Clock.systemUTC())
                    .start();
            return new RfcServer(server, store);
        } catch (Exception e) {
            store.close();
            throw new IllegalStateException("the server did not start", e);
        }
    }

    /** Stops the server, then closes the store. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (Exception e) {
            throw new IllegalStateException("the server did not stop", e);
        } finally {
            store.close();
        }
    }

    /**
     * @param headers name, value, name, value...
     * @return the answer; an XML body goes as application/xml, an iCalendar body as text/calendar
     */
    HttpResponse<String> send(String user, String method, String path, String body, String... headers)
            throws IOException, InterruptedException {
        Map<String, String> h = new LinkedHashMap<>();
        for (int i = 0; i + 1 < headers.length; i += 2) {
            h.put(headers[i], headers[i + 1]);
        }
        String type = h.remove("Content-Type");
        if (type == null && body != null) {
            type = body.startsWith("BEGIN:") ? "text/calendar; charset=utf-8" : XML;
        }
        return dav.send(user, method, path, body, type, h);
    }

    /** @param props the property elements, such as {@code <D:displayname/>}, with the {@link #NS} prefixes */
    HttpResponse<String> propfind(String user, String path, String depth, String props)
            throws IOException, InterruptedException {
        return send(user, "PROPFIND", path, "<?xml version=\"1.0\" encoding=\"utf-8\"?><D:propfind " + NS
                + "><D:prop>" + props + "</D:prop></D:propfind>", "Depth", depth);
    }

    /** A PROPFIND that must answer 207, parsed. */
    DavXml.Multistatus props(String user, String path, String depth, String props)
            throws IOException, InterruptedException {
        return DavXml.multistatus("PROPFIND " + path, propfind(user, path, depth, props));
    }

    HttpResponse<String> report(String user, String path, String depth, String body)
            throws IOException, InterruptedException {
        return depth == null ? send(user, "REPORT", path, body) : send(user, "REPORT", path, body, "Depth", depth);
    }

    HttpResponse<String> put(String user, String path, String ics) throws IOException, InterruptedException {
        return send(user, "PUT", path, ics);
    }

    /** PUT that must create the object (201). */
    void create(String user, String path, String ics) throws IOException, InterruptedException {
        HttpResponse<String> r = put(user, path, ics);
        assertEquals(201, r.statusCode(), "RFC 4791 §5.3.2 PUT " + path + " creates it: " + r.body());
    }

    /** @param set the properties to set, such as {@code <D:displayname>x</D:displayname>}, or null for no body */
    HttpResponse<String> mkcalendar(String user, String path, String set) throws IOException, InterruptedException {
        return send(user, "MKCALENDAR", path, set == null ? null : "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                + "<C:mkcalendar " + NS + "><D:set><D:prop>" + set + "</D:prop></D:set></C:mkcalendar>");
    }

    /** MKCALENDAR that must create the calendar (201), with the given component types (none: no restriction). */
    void calendar(String user, String path, String... components) throws IOException, InterruptedException {
        StringBuilder set = new StringBuilder("<D:displayname>" + path + "</D:displayname>");
        if (components.length > 0) {
            set.append("<C:supported-calendar-component-set>");
            for (String c : components) {
                set.append("<C:comp name=\"").append(c).append("\"/>");
            }
            set.append("</C:supported-calendar-component-set>");
        }
        HttpResponse<String> r = mkcalendar(user, path, set.toString());
        assertEquals(201, r.statusCode(), "RFC 4791 §5.3.1 MKCALENDAR " + path + ": " + r.body());
    }

    /** @return the path of USER's calendar NAME, the name percent-encoded */
    static String cal(String user, String name) {
        return "/dav/calendars/" + user + "/" + seg(name) + "/";
    }

    /** @return one path segment, every octet but the RFC 3986 unreserved characters percent-encoded */
    static String seg(String name) {
        StringBuilder b = new StringBuilder();
        for (byte x : name.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~".indexOf(c) >= 0) {
                b.append((char) c);
            } else {
                b.append('%').append(String.format("%02X", c));
            }
        }
        return b.toString();
    }
}
