package dev.inboxguard.caldav;

import dev.inboxguard.calendar.CalendarObjectRules;
import dev.inboxguard.calendar.ObjectSpan;
import dev.inboxguard.scheduling.OutboxPost;
import dev.inboxguard.scheduling.Scheduling;
import dev.inboxguard.scheduling.SchedulingObjectRules;
import dev.inboxguard.server.Account;
import dev.inboxguard.storage.InboxItem;
import dev.inboxguard.storage.CalendarStore;
import dev.inboxguard.storage.Expectation;
import dev.inboxguard.storage.StoreConflict;
import dev.inboxguard.storage.StoredCalendar;
import dev.inboxguard.storage.StoredObject;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.apache.jackrabbit.webdav.xml.DomUtil;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The calendar methods Jackrabbit does not do for us: MKCALENDAR (RFC 4791 §5.3.1) and extended MKCOL (RFC 5689);
 * PUT, GET and DELETE of calendar objects with ETags, If-Match / If-None-Match (RFC 4791 §5.3.2, RFC 9110 §13) and
 * If-Schedule-Tag-Match (RFC 6638 §8.3); COPY and MOVE of objects; the REPORTs on calendars and the inbox
 * ({@link CalendarReports}) and on principals ({@link PrincipalReports}); the scheduling inbox and outbox. PROPFIND
 * and PROPPATCH go through Jackrabbit and the resources ({@link CalendarCollection} and the others).
 */
final class CalendarRequests {
    static final Set<String> DEFAULT_COMPONENTS = Set.of("VEVENT", "VTODO");
    // names become URL segments and database keys: any text but a slash or a control character, with no leading
    // dot (so never "." or ".."); hrefs percent-encode them (DavHrefs)
    static final Pattern NAME = Pattern.compile("[^./\\p{Cntrl}][^/\\p{Cntrl}]{0,199}");

    private final CalendarStore store;
    private final CalendarObjectRules rules;
    private final int maxObjectBytes;
    private final CalendarReports reports;
    private final Scheduling scheduling;
    private final dev.inboxguard.storage.Transactions transactions;
    private final CollectionProperties properties;
    private final PrincipalReports principals;

    CalendarRequests(CalendarStore store, CalendarObjectRules rules, CalendarReports reports, int maxObjectBytes,
                     Scheduling scheduling, dev.inboxguard.storage.Transactions transactions,
                     CollectionProperties properties, PrincipalReports principals) {
        this.scheduling = scheduling;
        this.transactions = transactions;
        this.properties = properties;
        this.principals = principals;
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
        if (!Set.of("MKCALENDAR", "MKCOL", "PUT", "GET", "HEAD", "DELETE", "REPORT", "POST", "COPY", "MOVE")
                .contains(method)) {
            return false;
        }
        Optional<Target> target = Target.of(req.getPathInfo());
        if (target.isEmpty()) {
            if (method.equals("REPORT")) {
                return principals.report(req, resp, account);
            }
            if (method.equals("MKCALENDAR") || method.equals("MKCOL")) {
                DavError.caldav(resp, HttpServletResponse.SC_FORBIDDEN, "calendar-collection-location-ok",
                        "calendars are made in your calendar home");
                return true;
            }
            if (method.equals("PUT") || method.equals("COPY") || method.equals("MOVE")) {
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
            if (method.equals("MKCALENDAR") || method.equals("MKCOL")) {
                DavError.caldav(resp, HttpServletResponse.SC_FORBIDDEN, "calendar-collection-location-ok",
                        "calendars are made in your calendar home, not in a scheduling collection");
                return true;
            }
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
                    case "MKCALENDAR" -> make(req, resp, t, false);
                    case "MKCOL" -> make(req, resp, t, true);
                    case "DELETE" -> deleteCalendar(resp, t);
                    case "REPORT" -> report(req, resp, t);
                    case "PUT" -> {
                        resp.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED, "A calendar takes PUTs of its "
                                + "objects, not of itself");
                        yield true;
                    }
                    case "COPY", "MOVE" -> {
                        resp.sendError(HttpServletResponse.SC_FORBIDDEN, "Calendars are not copied or moved; "
                                + "their objects are");
                        yield true;
                    }
                    default -> false; // GET and HEAD of a collection: Jackrabbit's answer is fine
                };
            }
            switch (method) {
                case "PUT" -> put(req, resp, t, account);
                case "GET", "HEAD" -> get(req, resp, t, method.equals("HEAD"));
                case "DELETE" -> delete(req, resp, t, account);
                case "COPY", "MOVE" -> transfer(req, resp, t, account, method.equals("MOVE"));
                case "REPORT" -> resp.sendError(HttpServletResponse.SC_FORBIDDEN, "Reports run on a calendar");
                default -> DavError.caldav(resp, HttpServletResponse.SC_FORBIDDEN, "calendar-collection-location-ok",
                        "a calendar cannot be made inside another calendar");
            }
            return true;
        } catch (StoreConflict e) {
            switch (e.kind()) {
                case NO_CALENDAR -> resp.sendError(HttpServletResponse.SC_CONFLICT, "There is no such calendar");
                case CALENDAR_EXISTS -> resp.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED,
                        "A calendar by that name exists");
                case PRECONDITION -> resp.sendError(HttpServletResponse.SC_PRECONDITION_FAILED, e.getMessage());
                case UID_TAKEN -> uidConflict(req, resp, t.owner(), t.calendar(), e);
                default -> resp.sendError(HttpServletResponse.SC_CONFLICT, e.getMessage());
            }
            return true;
        }
    }

    /**
     * MKCALENDAR (RFC 4791 §5.3.1) and extended MKCOL (RFC 5689 §3): a calendar with every property its body sets,
     * judged as a whole; a refused property leaves nothing made.
     */
    private boolean make(HttpServletRequest req, HttpServletResponse resp, Target t, boolean mkcol)
            throws IOException {
        List<Element> set = new ArrayList<>();
        byte[] body = req.getInputStream().readAllBytes();
        if (body.length > 0) {
            Document doc;
            try {
                doc = DomUtil.parseDocument(new java.io.ByteArrayInputStream(body));
            } catch (Exception e) {
                resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "The body is not well-formed XML");
                return true;
            }
            Element root = doc.getDocumentElement();
            String expected = mkcol ? "mkcol" : "mkcalendar";
            String namespace = mkcol ? CaldavNames.DAV.getURI() : CaldavNames.CALDAV.getURI();
            if (!expected.equals(root.getLocalName()) || !namespace.equals(root.getNamespaceURI())) {
                resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "The body must be a " + (mkcol ? "DAV:mkcol"
                        : "CALDAV:mkcalendar") + " element");
                return true;
            }
            for (org.apache.jackrabbit.webdav.xml.ElementIterator it = DomUtil.getChildren(root, "set", CaldavNames.DAV);
                 it.hasNext(); ) {
                Element setElement = it.nextElement();
                Element prop = DomUtil.getChildElement(setElement, "prop", CaldavNames.DAV);
                for (org.w3c.dom.Node n = prop == null ? null : prop.getFirstChild(); n != null; n = n.getNextSibling()) {
                    if (n instanceof Element e) {
                        set.add(e);
                        if (set.size() > Multistatus.MAX_PROPERTIES) {
                            resp.sendError(HttpServletResponse.SC_FORBIDDEN, "At most " + Multistatus.MAX_PROPERTIES
                                    + " properties per request");
                            return true;
                        }
                    }
                }
            }
        } else if (mkcol) {
            DavError.dav(resp, HttpServletResponse.SC_FORBIDDEN, "valid-resourcetype", "collections here are "
                    + "calendars: send MKCALENDAR, or MKCOL with a resourcetype of DAV:collection and CALDAV:calendar");
            return true;
        }
        if (store.calendar(t.owner(), t.calendar()).isPresent()) {
            resp.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED, "A calendar by that name exists");
            return true;
        }
        CollectionProperties.Verdict verdict = properties.judge(set, List.of(), true, mkcol, Map.of());
        if (!verdict.ok()) {
            if (verdict.precondition().isPresent()) {
                String p = verdict.precondition().get();
                if (p.startsWith("C:")) {
                    DavError.caldav(resp, HttpServletResponse.SC_FORBIDDEN, p.substring(2), verdict.reason());
                } else {
                    DavError.dav(resp, HttpServletResponse.SC_FORBIDDEN, p.substring(2), verdict.reason());
                }
            } else {
                propertyFailure(resp, mkcol ? "D:mkcol-response" : "C:mkcalendar-response", verdict);
            }
            return true;
        }
        CollectionProperties.Change change = verdict.change().get();
        String displayName = change.displayName().filter(d -> !d.isEmpty()).orElse(t.calendar());
        Map<String, String> stored = new LinkedHashMap<>();
        change.stored().forEach((k, v) -> v.ifPresent(x -> stored.put(k, x)));
        store.createCalendar(new StoredCalendar(t.owner(), t.calendar(), displayName,
                change.components().orElse(DEFAULT_COMPONENTS), 0), stored);
        resp.setStatus(HttpServletResponse.SC_CREATED);
        resp.setHeader("Cache-Control", "no-cache");
        resp.setContentLength(0);
        return true;
    }

    /** RFC 4791 §5.3.2.1: no-uid-conflict, naming the resource that holds the UID when it is known. */
    private static void uidConflict(HttpServletRequest req, HttpServletResponse resp, String owner, String calendar,
                                    StoreConflict e) throws IOException {
        if (e.resource().isPresent()) {
            DavError.caldav(resp, HttpServletResponse.SC_FORBIDDEN, "no-uid-conflict", collectionHref(req,
                    new Target(owner, calendar, Optional.empty())) + DavHrefs.segment(e.resource().get()),
                    e.getMessage());
        } else {
            DavError.caldav(resp, HttpServletResponse.SC_FORBIDDEN, "no-uid-conflict", e.getMessage());
        }
    }

    /** RFC 4791 §5.3.1.2 and RFC 5689 §3.3: each property's status, in a body named for the method. */
    private static void propertyFailure(HttpServletResponse resp, String element,
                                        CollectionProperties.Verdict verdict) throws IOException {
        StringBuilder x = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<").append(element)
                .append(" xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">");
        for (Map.Entry<Multistatus.Name, Integer> e : verdict.statuses().entrySet()) {
            x.append("<D:propstat><D:prop>").append(e.getKey().empty()).append("</D:prop><D:status>HTTP/1.1 ")
                    .append(e.getValue()).append(' ').append(reason(e.getValue())).append("</D:status></D:propstat>");
        }
        x.append("<D:responsedescription>").append(DavError.escape(verdict.reason()))
                .append("</D:responsedescription></").append(element).append(">\n");
        byte[] bytes = x.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        resp.setStatus(HttpServletResponse.SC_FORBIDDEN);
        resp.setContentType("application/xml; charset=utf-8");
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

    static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 403 -> "Forbidden";
            case 409 -> "Conflict";
            case 424 -> "Failed Dependency";
            case 507 -> "Insufficient Storage";
            default -> "Error";
        };
    }

    private boolean report(HttpServletRequest req, HttpServletResponse resp, Target t) throws IOException {
        Optional<StoredCalendar> calendar = store.calendar(t.owner(), t.calendar());
        if (calendar.isEmpty()) {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND, "Not found");
            return true;
        }
        reports.report(req.getInputStream().readAllBytes(), resp, reports.calendar(calendar.get()),
                collectionHref(req, t));
        return true;
    }

    /** @return the calendar's href, percent-encoded */
    static String collectionHref(HttpServletRequest req, Target t) {
        return req.getContextPath() + req.getServletPath() + DavPaths.CALENDARS + "/" + DavHrefs.segment(t.owner())
                + "/" + DavHrefs.segment(t.calendar()) + "/";
    }

    private boolean deleteCalendar(HttpServletResponse resp, Target t) throws IOException {
        if (store.calendar(t.owner(), t.calendar()).isPresent()
                && !scheduling.homes().releaseBeforeDelete(t.owner(), t.calendar())) {
            DavError.caldav(resp, HttpServletResponse.SC_FORBIDDEN, "default-calendar-needed", "this is your "
                    + "default calendar, and no other calendar of yours takes events; make another one first");
            return true;
        }
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
        boolean mustNotExist = "*".equals(strip(req.getHeader("If-None-Match")));
        Optional<String> ifMatch = Optional.ofNullable(strip(req.getHeader("If-Match")));
        Optional<String> ifScheduleTag = Optional.ofNullable(strip(req.getHeader("If-Schedule-Tag-Match")));
        Optional<byte[]> before = store.object(t.owner(), t.calendar(), t.object().get()).map(StoredObject::data);
        if (req.getAttribute(CaldavServlet.ADMINISTERED_BY) != null
                && (isSchedulingObject(body) || before.map(CalendarRequests::isSchedulingObject).orElse(false))) {
            // writing a scheduling object sends iTIP in the owner's name (RFC 6638 §3.2); that stays the owner's
            resp.sendError(HttpServletResponse.SC_FORBIDDEN, "Administrators do not schedule in another user's "
                    + "name: events with an organizer or attendees are the owner's to change");
            return;
        }
        if (ifScheduleTag.isPresent() && ifMatch.isEmpty() && before.isPresent()) {
            // RFC 6638 §3.2.10: the client's copy may predate answers the server merged since, without changing
            // the tag; they are kept rather than overwritten
            body = scheduling.implicit().keepAnswers(account, before.get(), body);
        }
        CalendarObjectRules.Judgement judgement = rules.judge(body, calendar.get().components());
        if (judgement instanceof CalendarObjectRules.Refusal refusal) {
            DavError.caldav(resp, HttpServletResponse.SC_FORBIDDEN, refusal.precondition(), refusal.reason());
            return;
        }
        CalendarObjectRules.Accepted accepted = (CalendarObjectRules.Accepted) judgement;
        if (scheduling.objectRules().judge(account, t.calendar(), t.object().get(), before, accepted.calendar())
                instanceof SchedulingObjectRules.Refused refused) {
            DavError.caldav(resp, HttpServletResponse.SC_FORBIDDEN, refused.precondition(), refused.reason());
            return;
        }
        // stored first, then scheduled: a REPLY that comes back at once finds the organizer's copy, and a write its
        // conditions refuse sends nothing. Scheduling before storing (as sabre/dav does) was tried and measured
        // (docs/benchmarks.md): it saves a write, but opens a window in which an answer merged meanwhile is lost.
        // The copy, each delivery and the statuses commit apart but wait for the disk once, before the answer
        byte[] toStore = body;
        // RFC 6638 §8.1: Schedule-Reply: F stores an attendee's change without telling the organizer
        boolean reply = !"F".equalsIgnoreCase(strip(req.getHeader("Schedule-Reply")));
        boolean schedules = isSchedulingObject(body);
        Expectation expectation = new Expectation(mustNotExist, ifMatch, ifScheduleTag);
        Put done = transactions.syncedOnce(() -> storeAndSchedule(t, account, before, toStore, accepted, expectation,
                reply, schedules, calendar.get().components()));
        StoredObject kept = done.written().object();
        if (!done.statusesAdded()) {
            resp.setHeader("ETag", kept.etag());
        } // else RFC 6638 §8.3: the stored object is not what the client sent, so no ETag; it fetches the new one
        if (schedules) {
            resp.setHeader("Schedule-Tag", kept.scheduleTag());
        }
        resp.setStatus(done.written().created() ? HttpServletResponse.SC_CREATED : HttpServletResponse.SC_NO_CONTENT);
        resp.setContentLength(0);
    }

    /** What a PUT stored, and whether the server then added the statuses of what it sent. */
    private record Put(CalendarStore.Written written, boolean statusesAdded) {
    }

    private Put storeAndSchedule(Target t, Account account, Optional<byte[]> before, byte[] body,
                                 CalendarObjectRules.Accepted accepted, Expectation expectation, boolean reply,
                                 boolean schedules, Set<String> components) {
        CalendarStore.Written written = store.put(t.owner(), t.calendar(), t.object().get(), accepted.uid(), body,
                accepted.span(), expectation);
        Optional<byte[]> scheduled = schedules
                ? scheduling.implicit().afterPut(account, before, body, accepted.calendar(), reply)
                : Optional.empty(); // without an ORGANIZER, afterPut sends nothing
        // afterPut wrote the copy with statuses from the model it was given, the PUT's: judged on that model, and
        // on the text for the reading limits, since the statuses lengthen lines
        if (scheduled.isEmpty() || !(rules.judge(accepted.calendar(), scheduled.get(), components)
                instanceof CalendarObjectRules.Accepted again)) {
            return new Put(written, false);
        }
        try {
            // the statuses of what was just sent are the server's own addition: the Schedule-Tag stays
            store.put(t.owner(), t.calendar(), t.object().get(), again.uid(), scheduled.get(), again.span(),
                    new Expectation(false, Optional.of(written.object().etag())), false);
        } catch (StoreConflict e) {
            // the client wrote again meanwhile; its newer version stands, without the statuses
        }
        return new Put(written, true);
    }

    /**
     * COPY and MOVE of a calendar object between the user's own calendars (RFC 4918 §9.8, §9.9; RFC 4791 §5.3.2.1).
     * The destination's rules are the PUT's: its component set and UID uniqueness. A scheduling object is never
     * copied, since RFC 6638 §3.2.4.1 keeps one per UID for a user; it may be moved. A move is one transaction, so
     * the object is never in both places nor in neither, and may rename an object within its calendar.
     */
    private void transfer(HttpServletRequest req, HttpServletResponse resp, Target t, Account account, boolean move)
            throws IOException {
        String prefix = req.getContextPath() + req.getServletPath();
        Optional<Target> destination = Optional.ofNullable(req.getHeader("Destination")).flatMap(DavHrefs::path)
                .filter(p -> p.startsWith(prefix + "/")).flatMap(p -> Target.of(p.substring(prefix.length())));
        if (destination.isEmpty()) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "Destination must name a calendar object on this "
                    + "server");
            return;
        }
        Target d = destination.get();
        if (!d.owner().equals(account.name()) || d.object().isEmpty() || !NAME.matcher(d.calendar()).matches()
                || !NAME.matcher(d.object().get()).matches() || d.calendar().equals(CaldavNames.INBOX)
                || d.calendar().equals(CaldavNames.OUTBOX)) {
            resp.sendError(HttpServletResponse.SC_FORBIDDEN, "Objects are copied and moved between your own "
                    + "calendars");
            return;
        }
        if (d.equals(t)) {
            resp.sendError(HttpServletResponse.SC_FORBIDDEN, "The source and the destination are the same");
            return;
        }
        Optional<StoredObject> source = store.object(t.owner(), t.calendar(), t.object().get());
        if (source.isEmpty()) {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND, "Not found");
            return;
        }
        Optional<StoredCalendar> target = store.calendar(d.owner(), d.calendar());
        if (target.isEmpty()) {
            resp.sendError(HttpServletResponse.SC_CONFLICT, "There is no such calendar");
            return;
        }
        byte[] data = source.get().data();
        if (!move && isSchedulingObject(data)) {
            DavError.caldav(resp, HttpServletResponse.SC_FORBIDDEN, "unique-scheduling-object-resource",
                    "a scheduling object (one with an ORGANIZER) lives in one calendar: move it instead");
            return;
        }
        CalendarObjectRules.Judgement judgement = rules.judge(data, target.get().components());
        if (judgement instanceof CalendarObjectRules.Refusal refusal) {
            DavError.caldav(resp, HttpServletResponse.SC_FORBIDDEN, refusal.precondition(), refusal.reason());
            return;
        }
        CalendarObjectRules.Accepted accepted = (CalendarObjectRules.Accepted) judgement;
        boolean overwrite = !"F".equalsIgnoreCase(strip(req.getHeader("Overwrite")));
        CalendarStore.Written written;
        try {
            written = move ? store.move(t.owner(), t.calendar(), t.object().get(), d.calendar(), d.object().get(),
                    accepted.span(), overwrite)
                    : store.put(d.owner(), d.calendar(), d.object().get(), accepted.uid(), data, accepted.span(),
                    new Expectation(!overwrite, Optional.empty()));
        } catch (StoreConflict e) {
            if (e.kind() == StoreConflict.Kind.UID_TAKEN) {
                uidConflict(req, resp, d.owner(), d.calendar(), e);
                return;
            }
            throw e;
        }
        resp.setStatus(written.created() ? HttpServletResponse.SC_CREATED : HttpServletResponse.SC_NO_CONTENT);
        resp.setContentLength(0);
    }

    private static final Pattern SCHEDULING_OBJECT = Pattern.compile("(?im)^ORGANIZER[;:]");
    private static final Pattern FOLD = Pattern.compile("(?:\\r\\n|\\n|\\r)[ \\t]");

    /**
     * @return true for a scheduling object resource (RFC 6638 §3.1): one with an ORGANIZER, however its lines are
     * folded (RFC 5545 §3.1 allows a fold inside a property's name)
     */
    static boolean isSchedulingObject(byte[] data) {
        String text = new String(data, java.nio.charset.StandardCharsets.UTF_8);
        if (SCHEDULING_OBJECT.matcher(text).find()) {
            return true;
        }
        // unfolded only when a fold is there to hide the name
        return FOLD.matcher(text).find() && SCHEDULING_OBJECT.matcher(FOLD.matcher(text).replaceAll("")).find();
    }

    private void get(HttpServletRequest req, HttpServletResponse resp, Target t, boolean head) throws IOException {
        Optional<StoredObject> found = store.object(t.owner(), t.calendar(), t.object().get());
        if (found.isEmpty()) {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND, "Not found");
            return;
        }
        StoredObject o = found.get();
        resp.setHeader("ETag", o.etag());
        if (!o.scheduleTag().isEmpty() && isSchedulingObject(o.data())) {
            resp.setHeader("Schedule-Tag", o.scheduleTag());
        }
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
        Optional<String> ifMatch = Optional.ofNullable(strip(req.getHeader("If-Match")));
        Optional<String> ifScheduleTag = Optional.ofNullable(strip(req.getHeader("If-Schedule-Tag-Match")));
        if (ifScheduleTag.isPresent()) {
            // RFC 6638 §8.3: the tag of the version deleted; the ETag read with it makes the deletion exact
            if (before.isEmpty() || !ifScheduleTag.get().equals(before.get().scheduleTag())) {
                resp.sendError(HttpServletResponse.SC_PRECONDITION_FAILED, "The scheduling object changed since "
                        + "you read it (If-Schedule-Tag-Match)");
                return;
            }
            ifMatch = ifMatch.or(() -> Optional.of(before.get().etag()));
        }
        Optional<String> expected = ifMatch;
        boolean reply = !"F".equalsIgnoreCase(strip(req.getHeader("Schedule-Reply")));
        // an administrator's clean-up tells nobody: no CANCEL, no REPLY goes out in the owner's name
        boolean tell = req.getAttribute(CaldavServlet.ADMINISTERED_BY) == null;
        boolean deleted = transactions.syncedOnce(() -> {
            boolean gone = store.delete(t.owner(), t.calendar(), t.object().get(), expected);
            if (gone && tell) {
                before.ifPresent(b -> scheduling.implicit().afterDelete(account, b.data(), reply));
            }
            return gone;
        });
        if (deleted) {
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
        if (inbox && t.object().isEmpty() && method.equals("REPORT")) {
            byte[] body = req.getInputStream().readAllBytes();
            // listed without the texts, each read as the answer comes to it: a flood of large messages is never
            // in memory at once
            String owner = account.name();
            CalendarReports.Source items = CalendarReports.inbox(scheduling.store().inboxSummaries(owner),
                    name -> scheduling.store().inboxItem(owner, name).map(CaldavResources::inboxObject));
            reports.report(body, resp, items, collectionHref(req, t));
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
        OutboxPost.Answer answer = transactions.syncedOnce(() -> scheduling.posts().post(account, body));
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

    /** RFC 9110 §5.6.7's IMF-fixdate; immutable, so one serves every thread (a SimpleDateFormat each was costly). */
    private static final java.time.format.DateTimeFormatter HTTP_DATE = java.time.format.DateTimeFormatter
            .ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT).withZone(java.time.ZoneOffset.UTC);

    /** @return the time as an HTTP date */
    static String httpDate(long millis) {
        return HTTP_DATE.format(java.time.Instant.ofEpochMilli(millis));
    }
}
