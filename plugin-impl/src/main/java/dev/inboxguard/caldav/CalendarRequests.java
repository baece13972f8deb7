package dev.inboxguard.caldav;

import dev.inboxguard.calendar.CalendarObjectRules;
import dev.inboxguard.calendar.ObjectSpan;
import dev.inboxguard.scheduling.OutboxPost;
import dev.inboxguard.scheduling.Scheduling;
import dev.inboxguard.server.Account;
import dev.inboxguard.storage.InboxItem;
import dev.inboxguard.storage.CalendarStore;
import dev.inboxguard.storage.Expectation;
import dev.inboxguard.storage.StoreConflict;
import dev.inboxguard.storage.StoredCalendar;
import dev.inboxguard.storage.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.text.SimpleDateFormat;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TimeZone;
import java.util.regex.Pattern;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.apache.jackrabbit.webdav.xml.DomUtil;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The calendar methods Jackrabbit does not do for us: MKCALENDAR (RFC 4791 §5.3.1), and PUT, GET and DELETE of
 * calendar objects with ETags and If-Match / If-None-Match (RFC 4791 §5.3.2, RFC 9110 §13). Everything else about
 * calendars (PROPFIND) goes through Jackrabbit and {@link CalendarCollection}.
 */
final class CalendarRequests {
    static final Set<String> DEFAULT_COMPONENTS = Set.of("VEVENT", "VTODO");
    private static final Set<String> KNOWN_COMPONENTS = Set.of("VEVENT", "VTODO", "VJOURNAL");
    // names become URL segments and database keys: no separators, no control characters, no leading dot
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_@+=~-][A-Za-z0-9._@+=~-]{0,199}");

    private final CalendarStore store;
    private final CalendarObjectRules rules;
    private final int maxObjectBytes;
    private final CalendarReports reports;
    private final Scheduling scheduling;

    CalendarRequests(CalendarStore store, CalendarObjectRules rules, CalendarReports reports, int maxObjectBytes,
                     Scheduling scheduling) {
        this.scheduling = scheduling;
        this.store = store;
        this.reports = reports;
        this.rules = rules;
        this.maxObjectBytes = maxObjectBytes;
    }

    /** A path under {@code /calendars/}: the owner, the calendar, and the object if any. */
    record Target(String owner, String calendar, Optional<String> object) {
        static Optional<Target> of(String path) {
            if (path == null || !path.startsWith(DavPaths.CALENDARS + "/")) {
                return Optional.empty();
            }
            String rest = path.substring(DavPaths.CALENDARS.length() + 1);
            if (rest.endsWith("/")) {
                rest = rest.substring(0, rest.length() - 1);
            }
            String[] s = rest.split("/", -1);
            if (s.length == 2) {
                return Optional.of(new Target(s[0], s[1], Optional.empty()));
            }
            if (s.length == 3) {
                return Optional.of(new Target(s[0], s[1], Optional.of(s[2])));
            }
            return Optional.empty();
        }
    }

    /**
     * @return true if the request was one of ours and has been answered
     */
    boolean handle(HttpServletRequest req, HttpServletResponse resp, Account account) throws IOException {
        String method = req.getMethod();
        if (!Set.of("MKCALENDAR", "PUT", "GET", "HEAD", "DELETE", "REPORT", "POST").contains(method)) {
            return false;
        }
        Optional<Target> target = Target.of(req.getPathInfo());
        if (target.isEmpty()) {
            if (method.equals("MKCALENDAR") || method.equals("PUT")) {
                resp.sendError(HttpServletResponse.SC_FORBIDDEN, "Calendars and their objects live under your "
                        + "calendar home");
                return true;
            }
            return false;
        }
        Target t = target.get();
        if (!t.owner().equals(account.name())) {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND, "Not found");
            return true;
        }
        if (t.calendar().equals(CaldavNames.INBOX) || t.calendar().equals(CaldavNames.OUTBOX)) {
            schedulingCollection(req, resp, t, account);
            return true;
        }
        if (method.equals("POST")) {
            resp.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED, "POST goes to your scheduling outbox");
            return true;
        }
        if (!NAME.matcher(t.calendar()).matches() || t.object().map(o -> !NAME.matcher(o).matches()).orElse(false)) {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND, "Not found");
            return true;
        }
        try {
            if (t.object().isEmpty()) {
                return switch (method) {
                    case "MKCALENDAR" -> mkcalendar(req, resp, t);
                    case "DELETE" -> deleteCalendar(resp, t);
                    case "REPORT" -> report(req, resp, t);
                    default -> false; // GET and HEAD of a collection: Jackrabbit's answer is fine
                };
            }
            switch (method) {
                case "PUT" -> put(req, resp, t, account);
                case "GET", "HEAD" -> get(req, resp, t, method.equals("HEAD"));
                case "DELETE" -> delete(req, resp, t, account);
                case "REPORT" -> resp.sendError(HttpServletResponse.SC_FORBIDDEN, "Reports run on a calendar");
                default -> resp.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED,
                        "MKCALENDAR makes a calendar, not an object");
            }
            return true;
        } catch (StoreConflict e) {
            switch (e.kind()) {
                case NO_CALENDAR -> resp.sendError(HttpServletResponse.SC_CONFLICT, "There is no such calendar");
                case CALENDAR_EXISTS -> resp.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED,
                        "A calendar by that name exists");
                case PRECONDITION -> resp.sendError(HttpServletResponse.SC_PRECONDITION_FAILED, e.getMessage());
                case UID_TAKEN -> DavError.caldav(resp, HttpServletResponse.SC_FORBIDDEN, "no-uid-conflict", e.getMessage());
                default -> resp.sendError(HttpServletResponse.SC_CONFLICT, e.getMessage());
            }
            return true;
        }
    }

    private boolean mkcalendar(HttpServletRequest req, HttpServletResponse resp, Target t) throws IOException {
        String displayName = t.calendar();
        Set<String> components = DEFAULT_COMPONENTS;
        byte[] body = req.getInputStream().readAllBytes();
        if (body.length > 0) {
            Document doc;
            try {
                doc = DomUtil.parseDocument(new java.io.ByteArrayInputStream(body));
            } catch (Exception e) {
                resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "The MKCALENDAR body is not well-formed XML");
                return true;
            }
            Element root = doc.getDocumentElement();
            if (!"mkcalendar".equals(root.getLocalName()) || !CaldavNames.CALDAV.getURI().equals(
                    root.getNamespaceURI())) {
                resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "The body must be a CALDAV:mkcalendar element");
                return true;
            }
            NodeList names = root.getElementsByTagNameNS(CaldavNames.DAV.getURI(), "displayname");
            if (names.getLength() > 0) {
                String text = names.item(0).getTextContent().strip();
                displayName = text.isEmpty() ? displayName : text.substring(0, Math.min(text.length(), 1000));
            }
            NodeList comps = root.getElementsByTagNameNS(CaldavNames.CALDAV.getURI(), "comp");
            if (comps.getLength() > 0) {
                Set<String> wanted = new LinkedHashSet<>();
                for (int i = 0; i < comps.getLength() && i < 16; i++) {
                    wanted.add(((Element) comps.item(i)).getAttribute("name").toUpperCase(Locale.ROOT));
                }
                if (!KNOWN_COMPONENTS.containsAll(wanted)) {
                    DavError.caldav(resp, HttpServletResponse.SC_FORBIDDEN, "supported-calendar-component",
                            "calendars hold VEVENT, VTODO and VJOURNAL");
                    return true;
                }
                components = wanted;
            }
        }
        store.createCalendar(new StoredCalendar(t.owner(), t.calendar(), displayName, components, 0));
        resp.setStatus(HttpServletResponse.SC_CREATED);
        resp.setContentLength(0);
        return true;
    }

    private boolean report(HttpServletRequest req, HttpServletResponse resp, Target t) throws IOException {
        if (store.calendar(t.owner(), t.calendar()).isEmpty()) {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND, "Not found");
            return true;
        }
        reports.report(req.getInputStream().readAllBytes(), resp, t.owner(), t.calendar(),
                req.getContextPath() + req.getServletPath() + DavPaths.CALENDARS + "/" + t.owner() + "/"
                        + t.calendar() + "/");
        return true;
    }

    private boolean deleteCalendar(HttpServletResponse resp, Target t) throws IOException {
        if (store.deleteCalendar(t.owner(), t.calendar())) {
            resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
        } else {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND, "Not found");
        }
        return true;
    }

    private void put(HttpServletRequest req, HttpServletResponse resp, Target t, Account account)
            throws IOException {
        String type = req.getContentType();
        if (type != null && !type.toLowerCase(Locale.ROOT).startsWith("text/calendar")) {
            DavError.caldav(resp, HttpServletResponse.SC_FORBIDDEN, "supported-calendar-data",
                    "calendar objects are text/calendar");
            return;
        }
        Optional<StoredCalendar> calendar = store.calendar(t.owner(), t.calendar());
        if (calendar.isEmpty()) {
            resp.sendError(HttpServletResponse.SC_CONFLICT, "There is no such calendar");
            return;
        }
        byte[] body = readAtMost(req.getInputStream(), maxObjectBytes);
        if (body == null) {
            DavError.caldav(resp, HttpServletResponse.SC_FORBIDDEN, "max-resource-size",
                    "a calendar object may have at most " + maxObjectBytes + " bytes");
            return;
        }
        CalendarObjectRules.Judgement judgement = rules.judge(body, calendar.get().components());
        if (judgement instanceof CalendarObjectRules.Refusal refusal) {
            DavError.caldav(resp, HttpServletResponse.SC_FORBIDDEN, refusal.precondition(), refusal.reason());
            return;
        }
        CalendarObjectRules.Accepted accepted = (CalendarObjectRules.Accepted) judgement;
        boolean mustNotExist = "*".equals(strip(req.getHeader("If-None-Match")));
        Optional<String> ifMatch = Optional.ofNullable(strip(req.getHeader("If-Match")));
        Optional<byte[]> before = store.object(t.owner(), t.calendar(), t.object().get()).map(StoredObject::data);
        CalendarStore.Written written = store.put(t.owner(), t.calendar(), t.object().get(), accepted.uid(), body,
                accepted.span(), new Expectation(mustNotExist, ifMatch));
        StoredObject stored = written.object();
        Optional<byte[]> scheduled = scheduling.implicit().afterPut(account, before, body);
        if (scheduled.isPresent() && rules.judge(scheduled.get(), calendar.get().components())
                instanceof CalendarObjectRules.Accepted again) {
            try {
                store.put(t.owner(), t.calendar(), t.object().get(), again.uid(), scheduled.get(), again.span(),
                        new Expectation(false, Optional.of(stored.etag())));
            } catch (StoreConflict e) {
                // the client wrote again meanwhile; its newer version stands, without the statuses
            }
            // RFC 6638 §8.3: the stored object is not what the client sent, so no ETag; it fetches the new one
        } else {
            resp.setHeader("ETag", stored.etag());
        }
        resp.setStatus(written.created() ? HttpServletResponse.SC_CREATED : HttpServletResponse.SC_NO_CONTENT);
        resp.setContentLength(0);
    }

    private void get(HttpServletRequest req, HttpServletResponse resp, Target t, boolean head) throws IOException {
        Optional<StoredObject> found = store.object(t.owner(), t.calendar(), t.object().get());
        if (found.isEmpty()) {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND, "Not found");
            return;
        }
        StoredObject o = found.get();
        resp.setHeader("ETag", o.etag());
        resp.setHeader("Last-Modified", httpDate(o.modified()));
        String ifNoneMatch = strip(req.getHeader("If-None-Match"));
        if (ifNoneMatch != null && (ifNoneMatch.equals("*") || ifNoneMatch.equals(o.etag()))) {
            resp.setStatus(HttpServletResponse.SC_NOT_MODIFIED);
            return;
        }
        resp.setContentType("text/calendar; charset=utf-8");
        resp.setContentLength(o.size());
        if (!head) {
            resp.getOutputStream().write(o.data());
        }
    }

    private void delete(HttpServletRequest req, HttpServletResponse resp, Target t, Account account)
            throws IOException {
        Optional<StoredObject> before = store.object(t.owner(), t.calendar(), t.object().get());
        if (store.delete(t.owner(), t.calendar(), t.object().get(),
                Optional.ofNullable(strip(req.getHeader("If-Match"))))) {
            before.ifPresent(b -> scheduling.implicit().afterDelete(account, b.data()));
            resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
        } else {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND, "Not found");
        }
    }

    /** The inbox (read and remove) and the outbox (POST); RFC 6638 §2.1 and §2.2. */
    private void schedulingCollection(HttpServletRequest req, HttpServletResponse resp, Target t, Account account)
            throws IOException {
        String method = req.getMethod();
        boolean inbox = t.calendar().equals(CaldavNames.INBOX);
        if (inbox && t.object().isPresent() && (method.equals("GET") || method.equals("HEAD"))) {
            Optional<InboxItem> item = scheduling.store().inboxItem(account.name(), t.object().get());
            if (item.isEmpty()) {
                resp.sendError(HttpServletResponse.SC_NOT_FOUND, "Not found");
                return;
            }
            resp.setHeader("ETag", item.get().etag());
            resp.setContentType("text/calendar; charset=utf-8");
            resp.setContentLength(item.get().data().length);
            if (method.equals("GET")) {
                resp.getOutputStream().write(item.get().data());
            }
            return;
        }
        if (inbox && t.object().isPresent() && method.equals("DELETE")) {
            if (scheduling.store().removeFromInbox(account.name(), t.object().get())) {
                resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
            } else {
                resp.sendError(HttpServletResponse.SC_NOT_FOUND, "Not found");
            }
            return;
        }
        if (!inbox && t.object().isEmpty() && method.equals("POST")) {
            outboxPost(req, resp, account);
            return;
        }
        if (method.equals("GET") || method.equals("HEAD")) {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND, "Not found");
            return;
        }
        resp.sendError(HttpServletResponse.SC_FORBIDDEN, inbox ? "Only the server writes into a scheduling inbox; "
                + "you may read and remove its items" : "A scheduling outbox takes POSTs only");
    }

    private void outboxPost(HttpServletRequest req, HttpServletResponse resp, Account account) throws IOException {
        String type = req.getContentType();
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("text/calendar")) {
            DavError.caldav(resp, HttpServletResponse.SC_FORBIDDEN, "supported-calendar-data",
                    "a POST to the outbox is text/calendar");
            return;
        }
        byte[] body = readAtMost(req.getInputStream(), maxObjectBytes);
        if (body == null) {
            DavError.caldav(resp, HttpServletResponse.SC_FORBIDDEN, "max-resource-size",
                    "a scheduling message may have at most " + maxObjectBytes + " bytes");
            return;
        }
        OutboxPost.Answer answer = scheduling.posts().post(account, body);
        if (answer instanceof OutboxPost.Refusal refusal) {
            DavError.caldav(resp, HttpServletResponse.SC_FORBIDDEN, refusal.precondition(), refusal.reason());
            return;
        }
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                + "<C:schedule-response xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">\n");
        for (OutboxPost.Response r : ((OutboxPost.Responses) answer).responses()) {
            xml.append("<C:response><C:recipient><D:href>").append(DavError.escape(r.recipient()))
                    .append("</D:href></C:recipient><C:request-status>").append(DavError.escape(r.requestStatus()))
                    .append("</C:request-status>");
            r.calendarData().ifPresent(d -> xml.append("<C:calendar-data>").append(DavError.escape(d))
                    .append("</C:calendar-data>"));
            xml.append("</C:response>\n");
        }
        xml.append("</C:schedule-response>\n");
        byte[] out = xml.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        resp.setStatus(HttpServletResponse.SC_OK);
        resp.setContentType("application/xml; charset=utf-8");
        resp.setContentLength(out.length);
        resp.getOutputStream().write(out);
    }

    /** @return the bytes, or null if there are more than {@code max} */
    private static byte[] readAtMost(InputStream in, int max) throws IOException {
        byte[] b = in.readNBytes(max + 1);
        return b.length > max ? null : b;
    }

    private static String strip(String header) {
        return header == null || header.isBlank() ? null : header.strip();
    }

    private static String httpDate(long millis) {
        SimpleDateFormat f = new SimpleDateFormat("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT);
        f.setTimeZone(TimeZone.getTimeZone("GMT"));
        return f.format(new Date(millis));
    }
}
