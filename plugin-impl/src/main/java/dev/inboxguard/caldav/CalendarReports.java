package dev.inboxguard.caldav;

import dev.inboxguard.calendar.FreeBusy;
import dev.inboxguard.calendar.ObjectSpan;
import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.storage.CalendarStore;
import dev.inboxguard.storage.ObjectSummary;
import dev.inboxguard.storage.StoredCalendar;
import dev.inboxguard.storage.StoredObject;
import dev.inboxguard.storage.TimeSpan;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.servlet.http.HttpServletResponse;
import net.fortuna.ical4j.model.Calendar;
import org.apache.jackrabbit.webdav.xml.DomUtil;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The CalDAV REPORTs on a calendar: calendar-multiget (RFC 4791 §7.9), calendar-query (§7.8) with the whole filter
 * language ({@link QueryFilter}) and calendar-data shaping ({@link CalendarData}), free-busy-query (§7.10) and
 * sync-collection (RFC 6578). A time-range query reads only the objects whose stored span ({@link ObjectSpan}) can
 * match. Answers are streamed ({@link Multistatus}). Other reports get 403 with DAV:supported-report.
 */
final class CalendarReports {
    private static final int MAX_HREFS = 1000;
    static final String SYNC_TOKEN = "urn:inboxguard:sync:";
    /** Changes in one sync-collection answer at most; a calendar with more is synced in pages (RFC 6578 §3.6). */
    static final int SYNC_PAGE = 1_000;
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
            .withZone(ZoneOffset.UTC);


    private final CalendarStore store;
    private final CalendarReader reader;
    /** How large a multiget or query answer may grow, in characters. */
    private final long maxAnswer;
    /** About what one response costs an answer besides its calendar data: its href, ETag and status. */
    private static final long RESPONSE_CHARS = 300;

    CalendarReports(CalendarStore store, CalendarReader reader, long maxObjectBytes) {
        this.maxAnswer = Multistatus.ANSWER_OBJECTS * maxObjectBytes;
        this.store = store;
        this.reader = reader;
    }

    /** What a REPORT reads: one calendar, or the user's scheduling inbox. */
    interface Source {
        Optional<StoredObject> object(String name);

        /** @return what a listing says of one object, and how to read it whole if the answer needs its text */
        default Optional<Listed> listed(String name) {
            return object(name).map(o -> new Listed(ObjectSummary.of(o), () -> Optional.of(o)));
        }

        /** @return every object, read as the caller goes */
        Iterable<StoredObject> all();

        /** @return the objects of a kind whose stored span may overlap the range (a superset is fine) */
        Iterable<StoredObject> in(String kind, long from, long to);

        /**
         * @param token the client's sync token, or empty for a first sync
         * @param limit at most this many changes in the answer; a calendar answers the rest in later pages
         * @param texts whether the answer needs the objects' texts; without them a calendar reads none, and pages
         *              by count alone
         * @return what changed since it, or empty if the token is not one this collection gave out
         */
        Optional<Sync> since(String token, int limit, boolean texts);

        /** @return the calendar, for a free-busy query; empty where there is none (the inbox) */
        Optional<StoredCalendar> calendar();
    }

    /**
     * One object as a listing has it.
     *
     * @param summary what the listing says of it
     * @param text    reads it whole; empty if it went since the listing
     */
    record Listed(ObjectSummary summary, Supplier<Optional<StoredObject>> text) {
    }

    /**
     * Changes for sync-collection.
     *
     * @param token     the token for now
     * @param changed   what a listing says of each object new or changed since
     * @param read      reads one of them whole, as the answer is written; empty if it went meanwhile
     * @param deleted   names removed since (only for a client that had a token)
     * @param truncated true if more changes follow: the token is for this page only (RFC 6578 §3.6)
     */
    record Sync(String token, List<ObjectSummary> changed, Function<String, Optional<StoredObject>> read,
                List<String> deleted, boolean truncated) {
        /** @return a page of changes already read whole, as a calendar's are */
        static Sync whole(String token, List<StoredObject> changed, List<String> deleted, boolean truncated) {
            Map<String, StoredObject> byName = new HashMap<>();
            changed.forEach(o -> byName.put(o.name(), o));
            return new Sync(token, changed.stream().map(ObjectSummary::of).toList(),
                    name -> Optional.ofNullable(byName.get(name)), deleted, truncated);
        }
    }

    /** @return a calendar as a REPORT's source; its sync tokens are its revisions */
    Source calendar(StoredCalendar calendar) {
        return new Source() {
            @Override
            public Optional<StoredObject> object(String name) {
                return store.object(calendar.owner(), calendar.name(), name);
            }

            @Override
            public Iterable<StoredObject> all() {
                return store.pagedObjects(calendar.owner(), calendar.name());
            }

            @Override
            public Iterable<StoredObject> in(String kind, long from, long to) {
                return store.objectsIn(calendar.owner(), calendar.name(), kind, from, to);
            }

            @Override
            public Optional<Sync> since(String token, int limit, boolean texts) {
                long after;
                if (token.isEmpty()) {
                    after = 0;
                } else if (token.startsWith(SYNC_TOKEN) && token.length() < SYNC_TOKEN.length() + 20) {
                    try {
                        after = Long.parseLong(token.substring(SYNC_TOKEN.length()));
                    } catch (NumberFormatException e) {
                        return Optional.empty();
                    }
                } else {
                    return Optional.empty();
                }
                if (!texts) {
                    // ETags and sizes from the rows: a client that syncs then multigets what changed reads each
                    // text once, in the multiget
                    return store.listedSince(calendar.owner(), calendar.name(), after, limit)
                            .map(c -> new Sync(token(c.revision()), c.changed(),
                                    name -> store.object(calendar.owner(), calendar.name(), name),
                                    after > 0 ? c.deleted() : List.of(), c.truncated()));
                }
                return store.changesSince(calendar.owner(), calendar.name(), after, limit, maxAnswer / 2)
                        .map(c -> Sync.whole(token(c.revision()), c.changed(), after > 0 ? c.deleted() : List.of(),
                                c.truncated()));
            }

            @Override
            public Optional<StoredCalendar> calendar() {
                return Optional.of(calendar);
            }
        };
    }

    /**
     * @param items what a listing says of each item, read without their texts
     * @param read  reads one item whole; empty if it went since the listing
     * @return the inbox as a REPORT's source, which reads each item only when the answer comes to it, so that one
     * text at a time is in memory however large the inbox. Its items never change, only come and go, so its state
     * is a digest of their ETags: a token for the state now yields no changes, a first sync lists everything, and
     * any older token is refused (403 valid-sync-token), which RFC 6578 §3.2 lets a server do, so the client lists
     * again
     */
    static Source inbox(List<ObjectSummary> items, Function<String, Optional<StoredObject>> read) {
        String state = inboxToken(items.stream().map(ObjectSummary::etag).toList());
        Map<String, ObjectSummary> byName = new HashMap<>();
        items.forEach(i -> byName.put(i.name(), i));
        return new Source() {
            @Override
            public Optional<StoredObject> object(String name) {
                return byName.containsKey(name) ? read.apply(name) : Optional.empty();
            }

            @Override
            public Optional<Listed> listed(String name) {
                return Optional.ofNullable(byName.get(name)).map(s -> new Listed(s, () -> read.apply(name)));
            }

            @Override
            public Iterable<StoredObject> all() {
                // an item removed since the listing is passed over
                return () -> items.stream().map(i -> read.apply(i.name())).filter(Optional::isPresent)
                        .map(Optional::get).iterator();
            }

            @Override
            public Iterable<StoredObject> in(String kind, long from, long to) {
                return all();
            }

            @Override
            public Optional<Sync> since(String token, int limit, boolean texts) {
                // each text is read as the answer comes to it, so "texts" changes nothing here. The token is a
                // digest of all the inbox holds: it has no pages, and a limit below its size is refused by the caller
                if (token.isEmpty()) {
                    return Optional.of(new Sync(state, items, read, List.of(), false));
                }
                return token.equals(state) ? Optional.of(new Sync(state, List.of(), read, List.of(), false))
                        : Optional.empty();
            }

            @Override
            public Optional<StoredCalendar> calendar() {
                return Optional.empty();
            }
        };
    }

    /** @return the inbox's sync token and CTag: a digest of what it holds */
    static String inboxToken(List<String> etags) {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            etags.stream().sorted().forEach(e -> sha.update((e + "\n")
                    .getBytes(StandardCharsets.UTF_8)));
            return "urn:inboxguard:inbox:" + java.util.HexFormat.of().formatHex(sha.digest(), 0, 12);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    void report(byte[] body, HttpServletResponse resp, Source source, String collectionHref)
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
        boolean dav = CaldavNames.DAV.getURI().equals(root.getNamespaceURI());
        String report = root.getLocalName();
        java.time.ZoneId zone = zone(root, source);
        if (caldav && "free-busy-query".equals(report) && source.calendar().isPresent()) {
            freeBusy(root, resp, source.calendar().get(), zone);
            return;
        }
        if (!(caldav && ("calendar-multiget".equals(report) || "calendar-query".equals(report))
                || dav && "sync-collection".equals(report))) {
            DavError.dav(resp, HttpServletResponse.SC_FORBIDDEN, "supported-report", source.calendar().isPresent()
                    ? "a calendar answers calendar-query, calendar-multiget, free-busy-query and sync-collection"
                    : "the inbox answers calendar-query, calendar-multiget and sync-collection");
            return;
        }
        Element propElement = DomUtil.getChildElement(root, "prop", CaldavNames.DAV);
        List<Multistatus.Name> props = propElement == null ? List.of(GETETAG) : Multistatus.names(propElement);
        if (props == null) {
            resp.sendError(HttpServletResponse.SC_FORBIDDEN, "At most " + Multistatus.MAX_PROPERTIES
                    + " properties per request");
            return;
        }
        Answer answer;
        try {
            Element data = propElement == null ? null
                    : DomUtil.getChildElement(propElement, "calendar-data", CaldavNames.CALDAV);
            answer = new Answer(props, data == null ? CalendarData.WHOLE : CalendarData.read(data), zone);
        } catch (QueryFilter.Refused e) {
            DavError.caldav(resp, HttpServletResponse.SC_FORBIDDEN, e.precondition(), e.getMessage());
            return;
        }
        if ("calendar-multiget".equals(report)) {
            NodeList hrefs = root.getElementsByTagNameNS(CaldavNames.DAV.getURI(), "href");
            if (hrefs.getLength() > MAX_HREFS) {
                resp.sendError(HttpServletResponse.SC_FORBIDDEN, "At most " + MAX_HREFS + " hrefs per multiget");
                return;
            }
            Set<String> seen = new HashSet<>();
            String collectionPath = DavHrefs.decode(collectionHref).orElse(collectionHref);
            try (Multistatus out = new Multistatus(resp, maxAnswer)) {
                for (int i = 0; i < hrefs.getLength() && out.room(collectionHref); i++) {
                    String href = hrefs.item(i).getTextContent().strip();
                    Optional<String> path = DavHrefs.path(href);
                    String member = path.filter(p -> p.startsWith(collectionPath))
                            .map(p -> p.substring(collectionPath.length())).orElse("");
                    if (!seen.add(member.isEmpty() ? "?" + href : member)) {
                        continue;
                    }
                    Optional<Listed> o = member.isEmpty() || member.contains("/") ? Optional.empty()
                            : source.listed(member);
                    if (o.isEmpty() || !answer.write(out, collectionHref + DavHrefs.segment(member),
                            o.get().summary(), o.get().text(), null)) {
                        out.status(href, 404, "Not Found");
                    }
                }
                out.finish();
            }
        } else if ("calendar-query".equals(report)) {
            Element filterElement = DomUtil.getChildElement(root, "filter", CaldavNames.CALDAV);
            QueryFilter filter;
            try {
                if (filterElement == null) {
                    throw new QueryFilter.Refused("valid-filter", "a calendar-query has a filter (RFC 4791 §7.8)");
                }
                filter = QueryFilter.read(filterElement).in(zone);
            } catch (QueryFilter.Refused e) {
                DavError.caldav(resp, HttpServletResponse.SC_FORBIDDEN, e.precondition(), e.getMessage());
                return;
            }
            Optional<QueryFilter.Hint> hint = filter.hint();
            Iterable<StoredObject> candidates = hint.isPresent()
                    ? source.in(hint.get().kind(), hint.get().from(), hint.get().to())
                    : source.all();
            // the first page is read before the answer begins: a database that fails then gets its 503, not a
            // 207 cut off; and a full answer reads no further page
            java.util.Iterator<StoredObject> each = candidates.iterator();
            each.hasNext();
            try (Multistatus out = new Multistatus(resp, maxAnswer)) {
                while (out.room(collectionHref) && each.hasNext()) {
                    StoredObject o = each.next();
                    Optional<Calendar> parsed = parse(o);
                    // an object that no longer reads (stored before a stricter limit) is listed, never lost
                    if (parsed.isEmpty() || filter.matches(parsed.get())) {
                        answer.write(out, collectionHref + DavHrefs.segment(o.name()), o, parsed.orElse(null));
                    }
                }
                out.finish();
            }
        } else {
            syncCollection(root, resp, source, collectionHref, answer);
        }
    }

    /**
     * The zone floating and all-day times are read in: the query's own (RFC 7809 CALDAV:timezone-id, RFC 4791 §9.8
     * CALDAV:timezone), else the calendar's (calendar-timezone-id, calendar-timezone, §5.2.2), else UTC. Only zones
     * known by name are used; a made-up VTIMEZONE is never built into rules (see KnownZones).
     */
    private java.time.ZoneId zone(Element root, Source source) {
        Element id = DomUtil.getChildElement(root, "timezone-id", CaldavNames.CALDAV);
        if (id != null) {
            return known(id.getTextContent().strip());
        }
        Element timezone = DomUtil.getChildElement(root, "timezone", CaldavNames.CALDAV);
        if (timezone != null) {
            return known(tzid(timezone.getTextContent()));
        }
        if (source.calendar().isEmpty()) {
            return java.time.ZoneOffset.UTC;
        }
        StoredCalendar calendar = source.calendar().get();
        Map<String, String> props = store.properties(calendar.owner(), calendar.name());
        String byId = props.get("{" + CaldavNames.CALDAV.getURI() + "}calendar-timezone-id");
        if (byId != null) {
            return known(text(byId).strip());
        }
        String vtimezone = props.get("{" + CaldavNames.CALDAV.getURI() + "}calendar-timezone");
        return vtimezone == null ? java.time.ZoneOffset.UTC : known(tzid(text(vtimezone)));
    }

    private static final java.util.regex.Pattern TZID = java.util.regex.Pattern.compile("(?m)^TZID:([^\\r\\n]{1,100})");

    private static String tzid(String vcalendar) {
        java.util.regex.Matcher m = TZID.matcher(vcalendar.length() > 65536 ? vcalendar.substring(0, 65536)
                : vcalendar);
        return m.find() ? m.group(1).strip() : "";
    }

    private static java.time.ZoneId known(String tzid) {
        try {
            return tzid.isEmpty() ? java.time.ZoneOffset.UTC : dev.inboxguard.ical.KnownZones.INSTANCE.getZoneId(tzid);
        } catch (java.time.DateTimeException e) {
            return java.time.ZoneOffset.UTC;
        }
    }

    /** @return the text of a stored property element */
    private static String text(String xml) {
        try {
            return DomUtil.parseDocument(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)))
                    .getDocumentElement().getTextContent();
        } catch (Exception e) {
            return "";
        }
    }

    private static final Multistatus.Name GETETAG = new Multistatus.Name("DAV:", "getetag");

    private Optional<Calendar> parse(StoredObject o) {
        return reader.read(o.data()) instanceof CalendarRead.Parsed p ? Optional.of(p.calendar()) : Optional.empty();
    }

    /** The properties asked for, and how to answer each for one object. */
    private final class Answer {
        private final List<Multistatus.Name> props;
        private final CalendarData data;
        private final java.time.ZoneId zone;

        Answer(List<Multistatus.Name> props, CalendarData data, java.time.ZoneId zone) {
            this.props = props;
            this.data = data;
            this.zone = zone;
        }

        /** @return true if the answer carries each object's calendar data */
        boolean carriesData() {
            return props.contains(CALENDAR_DATA);
        }

        /** @return true if the answer may need objects' texts: their calendar data, or whether to show a tag */
        boolean needsTexts() {
            return carriesData() || props.contains(SCHEDULE_TAG);
        }

        void write(Multistatus out, String href, StoredObject o, Calendar parsed) throws IOException {
            write(out, href, ObjectSummary.of(o), () -> Optional.of(o), parsed);
        }

        /**
         * Answers for one object from what a listing says of it, reading its text only for a property that needs
         * it (calendar-data, and a Schedule-Tag, which only a scheduling object shows).
         *
         * @return false if the text was needed and the object went since the listing: then nothing is written
         */
        boolean write(Multistatus out, String href, ObjectSummary s, Supplier<Optional<StoredObject>> text,
                      Calendar parsed) throws IOException {
            Optional<StoredObject> whole = null;
            List<String> found = new ArrayList<>();
            List<Multistatus.Name> missing = new ArrayList<>();
            Map<String, List<String>> failed = new LinkedHashMap<>();
            for (Multistatus.Name p : props) {
                boolean data = CALENDAR_DATA.equals(p);
                boolean tagged = SCHEDULE_TAG.equals(p) && !s.scheduleTag().isEmpty();
                if ((data || tagged) && whole == null) {
                    whole = text.get();
                    if (whole.isEmpty()) {
                        return false;
                    }
                }
                String value = switch (p.namespace() + p.local()) {
                    case "DAV:getetag" -> "<D:getetag>" + DavError.escape(s.etag()) + "</D:getetag>";
                    case "DAV:getcontenttype" -> "<D:getcontenttype>text/calendar; charset=utf-8</D:getcontenttype>";
                    case "DAV:getcontentlength" -> "<D:getcontentlength>" + s.size() + "</D:getcontentlength>";
                    case "DAV:getlastmodified" -> "<D:getlastmodified>" + CalendarRequests.httpDate(s.modified())
                            + "</D:getlastmodified>";
                    case "DAV:resourcetype" -> "<D:resourcetype/>";
                    case "urn:ietf:params:xml:ns:caldavschedule-tag" -> tagged
                            && CalendarRequests.isSchedulingObject(whole.get().data())
                            ? "<C:schedule-tag>" + DavError.escape(s.scheduleTag()) + "</C:schedule-tag>" : null;
                    default -> data ? calendarData(whole.get(), parsed, failed) : null;
                };
                if (value != null) {
                    found.add(value);
                } else if (!data) {
                    missing.add(p);
                }
            }
            out.response(href, found, missing, failed);
            return true;
        }

        private String calendarData(StoredObject o, Calendar parsed, Map<String, List<String>> failed) {
            if (data.whole()) {
                return "<C:calendar-data>" + DavError.escape(new String(o.data(), StandardCharsets.UTF_8))
                        + "</C:calendar-data>";
            }
            Calendar calendar = parsed != null ? parsed : parse(o).orElse(null);
            if (calendar == null) {
                // stored before a stricter limit: the whole object is still the client's
                return "<C:calendar-data>" + DavError.escape(new String(o.data(), StandardCharsets.UTF_8))
                        + "</C:calendar-data>";
            }
            try {
                return "<C:calendar-data>" + DavError.escape(data.render(calendar, zone)) + "</C:calendar-data>";
            } catch (CalendarData.TooCostly e) {
                failed.computeIfAbsent("507 Insufficient Storage", k -> new ArrayList<>()).add("<C:calendar-data/>");
                return null;
            }
        }
    }

    private static final Multistatus.Name CALENDAR_DATA =
            new Multistatus.Name("urn:ietf:params:xml:ns:caldav", "calendar-data");
    private static final Multistatus.Name SCHEDULE_TAG =
            new Multistatus.Name("urn:ietf:params:xml:ns:caldav", "schedule-tag");

    /**
     * RFC 4791 §7.10: the calendar's busy time in a range, as one VFREEBUSY. At most 367 days are looked at, like
     * a scheduling free-busy query.
     */
    private void freeBusy(Element root, HttpServletResponse resp, StoredCalendar calendar, java.time.ZoneId zone)
            throws IOException {
        Element rangeElement = DomUtil.getChildElement(root, "time-range", CaldavNames.CALDAV);
        Instant from;
        Instant to;
        try {
            from = Instant.from(UTC.parse(rangeElement.getAttribute("start").strip()));
            to = Instant.from(UTC.parse(rangeElement.getAttribute("end").strip()));
        } catch (RuntimeException e) {
            DavError.caldav(resp, HttpServletResponse.SC_FORBIDDEN, "valid-filter", "a free-busy-query has one "
                    + "time-range with a start and an end in UTC");
            return;
        }
        if (!to.isAfter(from) || to.isAfter(from.plus(java.time.Duration.ofDays(367)))) {
            DavError.caldav(resp, HttpServletResponse.SC_FORBIDDEN, "valid-filter", "a free-busy-query covers more "
                    + "than nothing and at most 367 days");
            return;
        }
        FreeBusy busy = new FreeBusy(from, to, zone);
        for (String kind : List.of("VEVENT", "VFREEBUSY")) {
            if (!calendar.components().contains(kind)) {
                continue;
            }
            // the stored span only narrows the search (TimeSpan.SLACK); FreeBusy keeps what really overlaps
            for (StoredObject o : store.objectsIn(calendar.owner(), calendar.name(), kind,
                    from.minus(TimeSpan.SLACK).toEpochMilli(), to.plus(TimeSpan.SLACK).toEpochMilli())) {
                parse(o).ifPresent(busy::add);
            }
        }
        String now = FreeBusy.utc(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        String text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//InboxGuard//Free-busy//EN\r\n"
                + "BEGIN:VFREEBUSY\r\nDTSTAMP:" + now + "\r\nDTSTART:" + FreeBusy.utc(from) + "\r\nDTEND:"
                + FreeBusy.utc(to) + "\r\n" + busy.lines() + "END:VFREEBUSY\r\nEND:VCALENDAR\r\n";
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        resp.setStatus(HttpServletResponse.SC_OK);
        resp.setContentType("text/calendar; charset=utf-8");
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

    /** RFC 6578: what changed since the client's token; an unknown token gets 403 DAV:valid-sync-token. */
    private void syncCollection(Element root, HttpServletResponse resp, Source source, String collectionHref,
                                Answer answer) throws IOException {
        Element tokenElement = DomUtil.getChildElement(root, "sync-token", CaldavNames.DAV);
        String token = tokenElement == null ? "" : tokenElement.getTextContent().strip();
        Element level = DomUtil.getChildElement(root, "sync-level", CaldavNames.DAV);
        if (level != null && !"1".equals(level.getTextContent().strip())) {
            resp.sendError(HttpServletResponse.SC_FORBIDDEN, "Only sync-level 1: calendars have no sub-collections");
            return;
        }
        int requested = Integer.MAX_VALUE;
        Element limitElement = DomUtil.getChildElement(root, "limit", CaldavNames.DAV);
        if (limitElement != null) {
            // RFC 6578 §3.7: no more results than the client asked for
            Element n = DomUtil.getChildElement(limitElement, "nresults", CaldavNames.DAV);
            String text = n == null ? "" : n.getTextContent().strip();
            if (!text.matches("[0-9]{1,9}") || Integer.parseInt(text) == 0) {
                resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "DAV:limit needs a DAV:nresults of 1 or more");
                return;
            }
            requested = Integer.parseInt(text);
        }
        // a calendar pages at the smaller of ours and the client's; the inbox cannot page, and is held only to the
        // client's own limit
        int limit = Math.min(SYNC_PAGE, requested);
        Optional<Sync> changes = token.length() > 200 ? Optional.empty()
                : source.since(token, limit, answer.needsTexts());
        if (changes.isEmpty()) {
            DavError.dav(resp, HttpServletResponse.SC_FORBIDDEN, "valid-sync-token",
                    "this sync token is not one this collection gave out, or no longer one it can answer");
            return;
        }
        if (changes.get().changed().size() + changes.get().deleted().size() > requested) {
            // a collection that cannot cut its answer at the limit must say so (RFC 6578 §3.7)
            DavError.dav(resp, 507, "number-of-matches-within-limits",
                    "this collection cannot answer in pages of " + requested);
            return;
        }
        if (source.calendar().isEmpty() && !withinOneAnswer(changes.get(), answer)) {
            // the inbox cannot page, and an answer cut at the cap would come with a token claiming all of it: it is
            // held to what a calendar's page may carry, and past that the client syncs ETags and GETs each item
            DavError.dav(resp, 507, "number-of-matches-within-limits",
                    "this inbox's items pass what one answer carries; sync their ETags and fetch them one by one");
            return;
        }
        try (Multistatus out = new Multistatus(resp, maxAnswer)) {
            for (ObjectSummary changed : changes.get().changed()) {
                // from the listing, the text read only if the answer needs it; an inbox item removed since the
                // listing is left out: the token then names a state that is gone, and the next sync lists again
                answer.write(out, collectionHref + DavHrefs.segment(changed.name()), changed,
                        () -> changes.get().read().apply(changed.name()), null);
            }
            // a first sync lists what exists; deletions matter only to a client that saw the objects
            for (String name : changes.get().deleted()) {
                out.status(collectionHref + DavHrefs.segment(name), 404, "Not Found");
            }
            if (changes.get().truncated()) {
                // RFC 6578 §3.6: the token covers this page; the client asks again with it for the rest
                out.cutShort(collectionHref, "More changes follow; ask again with this answer's sync token");
            }
            out.syncToken(changes.get().token());
            out.finish();
        }
    }

    /**
     * @return true if a sync's answer stays within what one page of a calendar's may carry. Sizes from the listing
     * settle most cases; only between the least and the most that escaping can make of them is each text read, one
     * at a time, and counted
     */
    private boolean withinOneAnswer(Sync sync, Answer answer) {
        long budget = maxAnswer / 2;
        long least = 0;
        for (ObjectSummary o : sync.changed()) {
            least += RESPONSE_CHARS + (answer.carriesData() ? o.size() : 0);
        }
        if (least > budget) {
            return false;
        }
        if (!answer.carriesData() || least + (least - RESPONSE_CHARS * (long) sync.changed().size())
                * (MOST_ESCAPED - 1) <= budget) {
            return true;
        }
        long exact = 0;
        for (ObjectSummary o : sync.changed()) {
            exact += RESPONSE_CHARS + sync.read().apply(o.name()).map(s -> escapedLength(s.data())).orElse(0L);
            if (exact > budget) {
                return false;
            }
        }
        return true;
    }

    /** The most characters one byte of text can take once escaped ({@code "} as {@code &quot;}). */
    private static final int MOST_ESCAPED = 6;

    /** @return about how many characters the text takes in an answer, escaped as {@link DavError#escape} does */
    static long escapedLength(byte[] text) {
        long length = text.length;
        for (byte b : text) {
            switch (b) {
                case '<', '>' -> length += 3;
                case '&', '\r' -> length += 4;
                case '"' -> length += 5;
                default -> {
                }
            }
        }
        return length;
    }

    /** @return the calendar's sync token for a revision: a URI, as RFC 6578 §3.2 requires */
    static String token(long revision) {
        return SYNC_TOKEN + revision;
    }

}
