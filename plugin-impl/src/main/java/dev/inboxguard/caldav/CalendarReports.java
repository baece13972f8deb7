package dev.inboxguard.caldav;

import dev.inboxguard.calendar.CalendarObjectRules;
import dev.inboxguard.calendar.ObjectSpan;
import dev.inboxguard.checks.recurrence.SeriesWindow;
import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.storage.CalendarStore;
import dev.inboxguard.storage.StoredObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.servlet.http.HttpServletResponse;
import net.fortuna.ical4j.model.component.CalendarComponent;
import org.apache.jackrabbit.webdav.xml.DomUtil;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * The CalDAV REPORTs on a calendar: calendar-multiget (RFC 4791 §7.9), calendar-query (§7.8) with a component
 * filter and an optional time range, and sync-collection (RFC 6578). A time-range query reads only the objects
 * whose stored span ({@link ObjectSpan}) can match, and expands recurring ones within the range, boundedly
 * ({@link SeriesWindow}). Other reports get 403 with DAV:supported-report.
 */
final class CalendarReports {
    private static final int MAX_HREFS = 1000;
    static final String SYNC_TOKEN = "urn:inboxguard:sync:";
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);

    private static final int MAX_EXPANDED = 3000;
    private static final Instant FIRST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LAST = Instant.parse("9999-12-31T23:59:59Z");

    private final CalendarStore store;
    private final CalendarReader reader;

    CalendarReports(CalendarStore store, CalendarReader reader) {
        this.store = store;
        this.reader = reader;
    }

    void report(byte[] body, HttpServletResponse resp, String owner, String calendar, String collectionHref)
            throws IOException {
        Document doc;
        try {
            doc = DomUtil.parseDocument(new ByteArrayInputStream(body));
        } catch (Exception e) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "The REPORT body is not well-formed XML");
            return;
        }
        Element root = doc.getDocumentElement();
        boolean caldav = CaldavNames.CALDAV.getURI().equals(root.getNamespaceURI());
        List<String> props = requestedProperties(root);
        if (caldav && "calendar-multiget".equals(root.getLocalName())) {
            Map<String, Optional<StoredObject>> found = new LinkedHashMap<>();
            NodeList hrefs = root.getElementsByTagNameNS(CaldavNames.DAV.getURI(), "href");
            if (hrefs.getLength() > MAX_HREFS) {
                resp.sendError(HttpServletResponse.SC_FORBIDDEN, "At most " + MAX_HREFS + " hrefs per multiget");
                return;
            }
            for (int i = 0; i < hrefs.getLength(); i++) {
                String href = hrefs.item(i).getTextContent().strip();
                String name = href.startsWith(collectionHref) ? href.substring(collectionHref.length()) : "";
                found.put(href, name.isEmpty() || name.contains("/") ? Optional.empty()
                        : store.object(owner, calendar, name));
            }
            multistatus(resp, found, props, Optional.empty());
        } else if (caldav && "calendar-query".equals(root.getLocalName())) {
            Filter filter = Filter.of(root);
            if (filter == null) {
                DavError.caldav(resp, HttpServletResponse.SC_FORBIDDEN, "valid-filter",
                        "the filter must be a VCALENDAR comp-filter, with an optional VEVENT, VTODO or VJOURNAL "
                                + "comp-filter and time-range in UTC");
                return;
            }
            Map<String, Optional<StoredObject>> found = new LinkedHashMap<>();
            for (StoredObject o : filter.kind().isEmpty() ? store.objects(owner, calendar)
                    : store.objectsIn(owner, calendar, filter.kind().get(), filter.from(), filter.to())) {
                if (filter.kind().isEmpty() || filter.start().isEmpty() && filter.end().isEmpty()
                        || inRange(o, filter.kind().get(), filter.from(), filter.to())) {
                    found.put(collectionHref + o.name(), Optional.of(o));
                }
            }
            multistatus(resp, found, props, Optional.empty());
        } else if (!caldav && CaldavNames.DAV.getURI().equals(root.getNamespaceURI())
                && "sync-collection".equals(root.getLocalName())) {
            syncCollection(root, resp, owner, calendar, collectionHref, props);
        } else {
            DavError.dav(resp, HttpServletResponse.SC_FORBIDDEN, "supported-report",
                    "this server answers calendar-query, calendar-multiget and sync-collection");
        }
    }

    /**
     * The index found the object by its span; a recurring one is now expanded within the range (bounded, as the
     * recurrence check does), so that a series with no instance there is left out. Anything that cannot be read or
     * evaluated stays in: a query must not lose events.
     */
    private boolean inRange(StoredObject o, String kind, long from, long to) {
        String text = new String(o.data(), StandardCharsets.UTF_8);
        if (!text.contains("RRULE") && !text.contains("RDATE")) {
            return true; // the stored span was exact
        }
        if (!(reader.read(o.data()) instanceof CalendarRead.Parsed parsed)) {
            return true;
        }
        // an open end is the edge of what iCalendar can write (years 0001 to 9999)
        Instant start = from == Long.MIN_VALUE ? FIRST : Instant.ofEpochMilli(from);
        Instant end = to == Long.MAX_VALUE ? LAST : Instant.ofEpochMilli(to);
        for (CalendarComponent c : parsed.calendar().<CalendarComponent>getComponents()) {
            if (!c.getName().equals(kind)) {
                continue;
            }
            boolean hit = ObjectSpan.recurs(c)
                    ? SeriesWindow.anyInstanceBetween(c, start, end, MAX_EXPANDED, SeriesWindow.STEPS)
                    : ObjectSpan.of(c).overlaps(from, to);
            if (hit) {
                return true;
            }
        }
        return false;
    }

    /** RFC 6578: what changed since the client's token; an unknown token gets 403 DAV:valid-sync-token. */
    private void syncCollection(Element root, HttpServletResponse resp, String owner, String calendar,
                                String collectionHref, List<String> props) throws IOException {
        Element tokenElement = DomUtil.getChildElement(root, "sync-token", CaldavNames.DAV);
        String token = tokenElement == null ? "" : tokenElement.getTextContent().strip();
        Element level = DomUtil.getChildElement(root, "sync-level", CaldavNames.DAV);
        if (level != null && !"1".equals(level.getTextContent().strip())) {
            resp.sendError(HttpServletResponse.SC_FORBIDDEN, "Only sync-level 1: calendars have no sub-collections");
            return;
        }
        long after;
        if (token.isEmpty()) {
            after = 0;
        } else if (token.startsWith(SYNC_TOKEN) && token.length() < SYNC_TOKEN.length() + 20) {
            try {
                after = Long.parseLong(token.substring(SYNC_TOKEN.length()));
            } catch (NumberFormatException e) {
                after = -1;
            }
        } else {
            after = -1;
        }
        Optional<CalendarStore.Changes> changes = after < 0 ? Optional.empty()
                : store.changesSince(owner, calendar, after);
        if (changes.isEmpty()) {
            DavError.dav(resp, HttpServletResponse.SC_FORBIDDEN, "valid-sync-token",
                    "this sync token is not one this calendar gave out");
            return;
        }
        Map<String, Optional<StoredObject>> found = new LinkedHashMap<>();
        for (StoredObject o : changes.get().changed()) {
            found.put(collectionHref + o.name(), Optional.of(o));
        }
        // a first sync lists what exists; deletions matter only to a client that saw the objects
        if (after > 0) {
            for (String name : changes.get().deleted()) {
                found.put(collectionHref + name, Optional.empty());
            }
        }
        multistatus(resp, found, props, Optional.of(token(changes.get().revision())));
    }

    /** @return the calendar's sync token for a revision: a URI, as RFC 6578 §3.2 requires */
    static String token(long revision) {
        return SYNC_TOKEN + revision;
    }

    private static List<String> requestedProperties(Element root) {
        List<String> out = new ArrayList<>();
        Element prop = DomUtil.getChildElement(root, "prop", CaldavNames.DAV);
        if (prop == null) {
            out.add("D:getetag");
            return out;
        }
        for (Node n = prop.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                String ns = e.getNamespaceURI();
                String local = e.getLocalName();
                if (CaldavNames.DAV.getURI().equals(ns) && local.equals("getetag")) {
                    out.add("D:getetag");
                } else if (CaldavNames.CALDAV.getURI().equals(ns) && local.equals("calendar-data")) {
                    out.add("C:calendar-data");
                } else if (CaldavNames.DAV.getURI().equals(ns) && local.equals("getcontenttype")) {
                    out.add("D:getcontenttype");
                } else if (out.size() < 64) {
                    out.add("?" + (ns == null ? "" : ns) + " " + local);
                }
            }
        }
        return out;
    }

    private static void multistatus(HttpServletResponse resp, Map<String, Optional<StoredObject>> found,
                                     List<String> props, Optional<String> syncToken) throws IOException {
        StringBuilder x = new StringBuilder(4096);
        x.append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus xmlns:D=\"DAV:\" "
                + "xmlns:C=\"urn:ietf:params:xml:ns:caldav\">");
        for (Map.Entry<String, Optional<StoredObject>> e : found.entrySet()) {
            x.append("<D:response><D:href>").append(DavError.escape(e.getKey())).append("</D:href>");
            if (e.getValue().isEmpty()) {
                x.append("<D:status>HTTP/1.1 404 Not Found</D:status></D:response>");
                continue;
            }
            StoredObject o = e.getValue().get();
            StringBuilder ok = new StringBuilder();
            StringBuilder missing = new StringBuilder();
            for (String p : props) {
                switch (p) {
                    case "D:getetag" -> ok.append("<D:getetag>").append(DavError.escape(o.etag())).append("</D:getetag>");
                    case "D:getcontenttype" -> ok.append("<D:getcontenttype>text/calendar; charset=utf-8"
                            + "</D:getcontenttype>");
                    case "C:calendar-data" -> ok.append("<C:calendar-data>")
                            .append(DavError.escape(new String(o.data(), StandardCharsets.UTF_8))).append("</C:calendar-data>");
                    default -> {
                        int space = p.indexOf(' ');
                        missing.append("<X:").append(p.substring(space + 1)).append(" xmlns:X=\"")
                                .append(DavError.escape(p.substring(1, space))).append("\"/>");
                    }
                }
            }
            x.append("<D:propstat><D:prop>").append(ok).append("</D:prop><D:status>HTTP/1.1 200 OK</D:status>"
                    + "</D:propstat>");
            if (missing.length() > 0) {
                x.append("<D:propstat><D:prop>").append(missing).append("</D:prop><D:status>HTTP/1.1 404 Not Found"
                        + "</D:status></D:propstat>");
            }
            x.append("</D:response>");
        }
        syncToken.ifPresent(t -> x.append("<D:sync-token>").append(DavError.escape(t)).append("</D:sync-token>"));
        x.append("</D:multistatus>\n");
        byte[] bytes = x.toString().getBytes(StandardCharsets.UTF_8);
        resp.setStatus(207);
        resp.setContentType("application/xml; charset=utf-8");
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

    /** The supported calendar-query filter: a component kind and, optionally, a UTC time range. */
    private record Filter(Optional<String> kind, Optional<Instant> start, Optional<Instant> end) {
        static Filter of(Element query) {
            Element filter = DomUtil.getChildElement(query, "filter", CaldavNames.CALDAV);
            if (filter == null) {
                return null;
            }
            Element calendar = DomUtil.getChildElement(filter, "comp-filter", CaldavNames.CALDAV);
            if (calendar == null || !"VCALENDAR".equals(calendar.getAttribute("name"))) {
                return null;
            }
            Element component = DomUtil.getChildElement(calendar, "comp-filter", CaldavNames.CALDAV);
            if (component == null) {
                return new Filter(Optional.empty(), Optional.empty(), Optional.empty());
            }
            String kind = component.getAttribute("name");
            if (!List.of("VEVENT", "VTODO", "VJOURNAL").contains(kind)) {
                return null;
            }
            Element range = DomUtil.getChildElement(component, "time-range", CaldavNames.CALDAV);
            if (range == null) {
                return new Filter(Optional.of(kind), Optional.empty(), Optional.empty());
            }
            try {
                Optional<Instant> start = utc(range.getAttribute("start"));
                Optional<Instant> end = utc(range.getAttribute("end"));
                if (start.isEmpty() && end.isEmpty()) {
                    return null;
                }
                return new Filter(Optional.of(kind), start, end);
            } catch (DateTimeParseException e) {
                return null;
            }
        }

        private static Optional<Instant> utc(String value) {
            return value == null || value.isEmpty() ? Optional.empty() : Optional.of(Instant.from(UTC.parse(value)));
        }

        long from() {
            return start.map(Instant::toEpochMilli).orElse(Long.MIN_VALUE);
        }

        long to() {
            return end.map(Instant::toEpochMilli).orElse(Long.MAX_VALUE);
        }
    }
}
