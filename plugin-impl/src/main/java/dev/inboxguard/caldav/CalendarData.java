package dev.inboxguard.caldav;

import dev.inboxguard.calendar.ComponentInstances;
import dev.inboxguard.calendar.FreeBusy;
import dev.inboxguard.calendar.ObjectSpan;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.component.CalendarComponent;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * What a client asked of CALDAV:calendar-data in a REPORT (RFC 4791 §9.6), and the answer for one object: the
 * components and properties selected (§9.6.1–9.6.4, with {@code novalue}), recurring series expanded into their
 * instances in UTC (§9.6.5), or trimmed to the overrides that touch a range (§9.6.6), and free-busy periods limited
 * to a range (§9.6.7). Expansion is the bounded one every time range here uses ({@link ComponentInstances}).
 */
final class CalendarData {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyyMMdd", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final Set<String> RECURRENCE = Set.of("RRULE", "RDATE", "EXDATE", "EXRULE");
    private static final Set<String> SERIES = Set.of(Component.VEVENT, Component.VTODO, Component.VJOURNAL);
    private static final int MAX_SELECTIONS = 200;

    /** A comp element: which properties and sub-components of a component to return. */
    record Selection(String name, boolean allProperties, Map<String, Boolean> properties, boolean allComponents,
                     List<Selection> components) {
        /** @return true to keep the property; {@link #novalue} tells whether its value goes */
        boolean keeps(String property) {
            return allProperties || properties.containsKey(property);
        }

        boolean novalue(String property) {
            return !allProperties && properties.getOrDefault(property, false);
        }

        Optional<Selection> component(String kind) {
            if (allComponents) {
                return Optional.of(new Selection(kind, true, Map.of(), true, List.of()));
            }
            return components.stream().filter(c -> c.name().equals(kind)).findFirst();
        }
    }

    private final Optional<Selection> selection;
    private final Optional<QueryFilter.Range> expand;
    private final Optional<QueryFilter.Range> limitRecurrence;
    private final Optional<QueryFilter.Range> limitFreeBusy;

    private CalendarData(Optional<Selection> selection, Optional<QueryFilter.Range> expand,
                         Optional<QueryFilter.Range> limitRecurrence, Optional<QueryFilter.Range> limitFreeBusy) {
        this.selection = selection;
        this.expand = expand;
        this.limitRecurrence = limitRecurrence;
        this.limitFreeBusy = limitFreeBusy;
    }

    /** The whole object, as stored. */
    static final CalendarData WHOLE = new CalendarData(Optional.empty(), Optional.empty(), Optional.empty(),
            Optional.empty());

    /** @return true if the stored bytes are the answer */
    boolean whole() {
        return selection.isEmpty() && expand.isEmpty() && limitRecurrence.isEmpty() && limitFreeBusy.isEmpty();
    }

    /**
     * @param e the CALDAV:calendar-data element of the request's DAV:prop
     * @throws QueryFilter.Refused if it is malformed, or asks for a content type other than iCalendar 2.0
     */
    static CalendarData read(Element e) throws QueryFilter.Refused {
        String type = e.getAttribute("content-type").strip();
        String version = e.getAttribute("version").strip();
        if (!type.isEmpty() && !type.equalsIgnoreCase("text/calendar") || !version.isEmpty() && !version.equals("2.0")) {
            throw new QueryFilter.Refused("supported-calendar-data", "calendar data here is text/calendar 2.0");
        }
        int[] budget = {MAX_SELECTIONS};
        Optional<Selection> selection = Optional.empty();
        Optional<QueryFilter.Range> expand = Optional.empty();
        Optional<QueryFilter.Range> limitRecurrence = Optional.empty();
        Optional<QueryFilter.Range> limitFreeBusy = Optional.empty();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (!(n instanceof Element child) || !CaldavNames.CALDAV.getURI().equals(child.getNamespaceURI())) {
                continue;
            }
            switch (child.getLocalName()) {
                case "comp" -> {
                    Selection s = selection(child, budget, 0);
                    if (!s.name().equals("VCALENDAR")) {
                        throw new QueryFilter.Refused("valid-calendar-data", "the outer comp names VCALENDAR");
                    }
                    selection = Optional.of(s);
                }
                case "expand" -> expand = Optional.of(range(child, true));
                case "limit-recurrence-set" -> limitRecurrence = Optional.of(range(child, true));
                case "limit-freebusy-set" -> limitFreeBusy = Optional.of(range(child, true));
                default -> throw new QueryFilter.Refused("valid-calendar-data", "calendar-data holds comp, expand, "
                        + "limit-recurrence-set or limit-freebusy-set, not " + child.getLocalName());
            }
        }
        if (expand.isPresent() && limitRecurrence.isPresent()) {
            throw new QueryFilter.Refused("valid-calendar-data", "expand and limit-recurrence-set exclude each other");
        }
        return new CalendarData(selection, expand, limitRecurrence, limitFreeBusy);
    }

    private static Selection selection(Element comp, int[] budget, int depth) throws QueryFilter.Refused {
        String name = comp.getAttribute("name").strip().toUpperCase(Locale.ROOT);
        if (name.isEmpty() || depth > 4) {
            throw new QueryFilter.Refused("valid-calendar-data", "every comp has a name, and they nest at most four "
                    + "deep");
        }
        boolean allProperties = false;
        boolean allComponents = false;
        Map<String, Boolean> properties = new LinkedHashMap<>();
        List<Selection> components = new ArrayList<>();
        for (Node n = comp.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (!(n instanceof Element child) || !CaldavNames.CALDAV.getURI().equals(child.getNamespaceURI())) {
                continue;
            }
            if (--budget[0] < 0) {
                throw new QueryFilter.Refused("valid-calendar-data", "calendar-data selects at most " + MAX_SELECTIONS
                        + " components and properties");
            }
            switch (child.getLocalName()) {
                case "allprop" -> allProperties = true;
                case "allcomp" -> allComponents = true;
                case "prop" -> {
                    String prop = child.getAttribute("name").strip().toUpperCase(Locale.ROOT);
                    if (prop.isEmpty()) {
                        throw new QueryFilter.Refused("valid-calendar-data", "every prop has a name");
                    }
                    properties.put(prop, "yes".equals(child.getAttribute("novalue").strip()));
                }
                case "comp" -> components.add(selection(child, budget, depth + 1));
                default -> throw new QueryFilter.Refused("valid-calendar-data", "comp holds allprop, prop, allcomp "
                        + "or comp, not " + child.getLocalName());
            }
        }
        if (properties.isEmpty() && !allProperties && components.isEmpty() && !allComponents) {
            // <C:comp name="VEVENT"/> alone: the whole component
            allProperties = true;
            allComponents = true;
        }
        return new Selection(name, allProperties, properties, allComponents, components);
    }

    private static QueryFilter.Range range(Element e, boolean bothEnds) throws QueryFilter.Refused {
        try {
            Instant start = Instant.from(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT)
                    .withZone(ZoneOffset.UTC).parse(e.getAttribute("start").strip()));
            Instant end = Instant.from(DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT)
                    .withZone(ZoneOffset.UTC).parse(e.getAttribute("end").strip()));
            if (!end.isAfter(start)) {
                throw new QueryFilter.Refused("valid-calendar-data", e.getLocalName() + " ends after it starts");
            }
            return new QueryFilter.Range(start, end);
        } catch (RuntimeException ex) {
            throw new QueryFilter.Refused("valid-calendar-data", e.getLocalName() + " has a start and an end in "
                    + "UTC, like 20261201T000000Z");
        }
    }

    /** A component as content lines and sub-components: what the answer is built from. */
    private record Part(String name, List<String> lines, List<Part> parts) {
        Part copy() {
            return new Part(name, new ArrayList<>(lines), new ArrayList<>(parts));
        }

        /** @return the characters of its lines and those of its sub-components, line ends included */
        long length() {
            long n = 0;
            for (String l : lines) {
                n += l.length() + 2;
            }
            for (Part p : parts) {
                n += p.length();
            }
            return n;
        }

        void drop(Set<String> properties) {
            lines.removeIf(l -> properties.contains(propertyName(l)));
        }

        void set(String property, String line) {
            lines.removeIf(l -> propertyName(l).equals(property));
            lines.add(line);
        }
    }

    /** Expansion failed: too many instances, or too costly to work out. */
    static final class TooCostly extends Exception {
        private static final long serialVersionUID = 1L;

        TooCostly() {
            super("expanding this series costs more than a query may spend", null, false, false);
        }
    }

    /**
     * @param calendar the parsed stored object
     * @return the iCalendar text to return
     * @throws TooCostly if a series could not be expanded within the bounds
     */
    String render(Calendar calendar) throws TooCostly {
        return render(calendar, ZoneOffset.UTC);
    }

    /**
     * @param calendar the parsed stored object
     * @param floating the zone floating and all-day times are read in (RFC 4791 §5.2.2, §9.8)
     * @return the iCalendar text to return
     * @throws TooCostly if a series could not be expanded within the bounds
     */
    String render(Calendar calendar, java.time.ZoneId floating) throws TooCostly {
        Part root = part(calendar);
        if (expand.isPresent()) {
            root = expanded(root, calendar, expand.get(), floating);
        } else if (limitRecurrence.isPresent()) {
            root = limited(root, calendar, limitRecurrence.get(), floating);
        }
        if (limitFreeBusy.isPresent()) {
            for (Part p : root.parts()) {
                if (p.name().equals(Component.VFREEBUSY)) {
                    p.lines().removeIf(l -> propertyName(l).equals("FREEBUSY") && !periodTouches(l,
                            limitFreeBusy.get()));
                }
            }
        }
        StringBuilder out = new StringBuilder();
        write(root, selection.orElse(null), out);
        return out.toString();
    }

    private static Part part(Calendar calendar) {
        List<String> lines = new ArrayList<>();
        for (Property p : calendar.getProperties()) {
            lines.add(line(p));
        }
        List<Part> parts = new ArrayList<>();
        for (CalendarComponent c : calendar.<CalendarComponent>getComponents()) {
            parts.add(part(c));
        }
        return new Part("VCALENDAR", lines, parts);
    }

    private static Part part(Component c) {
        List<String> lines = new ArrayList<>();
        for (Property p : c.getProperties()) {
            lines.add(line(p));
        }
        List<Part> parts = new ArrayList<>();
        for (Component sub : QueryFilter.subComponents(c)) {
            parts.add(part(sub));
        }
        return new Part(c.getName(), lines, parts);
    }

    private static String line(Property p) {
        String s = p.toString();
        return s.endsWith("\r\n") ? s.substring(0, s.length() - 2) : s.strip();
    }

    /** RFC 4791 §9.6.5: every instance in the range as a component of its own, in UTC, without time zones. */
    private static Part expanded(Part root, Calendar calendar, QueryFilter.Range range, java.time.ZoneId floating)
            throws TooCostly {
        List<Part> parts = new ArrayList<>();
        List<CalendarComponent> components = calendar.getComponents();
        Map<String, List<CalendarComponent>> series = new LinkedHashMap<>();
        for (CalendarComponent c : components) {
            if (SERIES.contains(c.getName())) {
                series.computeIfAbsent(c.getName() + "\n" + c.<Property>getProperty(Property.UID)
                        .map(Property::getValue).orElse(""), k -> new ArrayList<>()).add(c);
            } else if (!c.getName().equals(Component.VTIMEZONE)) {
                parts.add(part(c));
            }
        }
        // each component's lines are read once and shared by its instances, and the instances' text is counted:
        // a long description repeated over thousands of instances would otherwise fill the heap with one object
        Map<CalendarComponent, Part> read = new java.util.IdentityHashMap<>();
        long chars = 0;
        for (List<CalendarComponent> one : series.values()) {
            Optional<List<ComponentInstances.Instance>> instances = ComponentInstances.between(one, range.start(),
                    range.end(), floating);
            if (instances.isEmpty()) {
                throw new TooCostly();
            }
            for (ComponentInstances.Instance i : instances.get()) {
                Part p = instance(i, read.computeIfAbsent(i.component(), CalendarData::part), floating);
                chars += p.length();
                if (chars > MAX_EXPANDED_CHARS) {
                    throw new TooCostly();
                }
                parts.add(p);
            }
        }
        return new Part(root.name(), root.lines(), parts);
    }

    /** The most text the instances of one object may come to when expanded: 4 MiB, about 100 times a large event. */
    static final long MAX_EXPANDED_CHARS = 4L << 20;

    private static Part instance(ComponentInstances.Instance i, Part component, java.time.ZoneId floating) {
        CalendarComponent c = i.component();
        Part p = component.copy();
        p.drop(RECURRENCE);
        if (i.start().isEmpty()) {
            return p;
        }
        Instant start = i.start().get();
        boolean date = isDate(c, Property.DTSTART);
        p.set("DTSTART", "DTSTART" + utc(start, date, floating));
        String endName = c.getName().equals(Component.VTODO) ? "DUE" : "DTEND";
        if ((c.getProperty(endName).isPresent() || c.getProperty(Property.DURATION).isPresent())
                && i.end().isAfter(start)) {
            // each instance's own end: an RDATE period may last longer than the master
            p.drop(Set.of(endName, Property.DURATION));
            p.set(endName, endName + utc(i.end(), date, floating));
        }
        i.recurrenceId().ifPresent(id -> p.set("RECURRENCE-ID", "RECURRENCE-ID" + utc(id, date, floating)));
        return p;
    }

    /** A time in UTC; a date stays a date, as it reads where the event is (RFC 4791 §9.6.5). */
    private static String utc(Instant at, boolean date, java.time.ZoneId floating) {
        return date ? ";VALUE=DATE:" + DATE.withZone(floating).format(at) : ":" + FreeBusy.utc(at);
    }

    private static boolean isDate(Component c, String name) {
        return c.<Property>getProperty(name).map(p -> p.getValue().strip().length() == 8).orElse(false);
    }

    /** RFC 4791 §9.6.6: the master, and only the overrides whose instances touch the range. */
    private static Part limited(Part root, Calendar calendar, QueryFilter.Range range, java.time.ZoneId floating) {
        List<Part> parts = new ArrayList<>();
        for (CalendarComponent c : calendar.<CalendarComponent>getComponents()) {
            Optional<Instant> id = c.<Property>getProperty(Property.RECURRENCE_ID)
                    .flatMap(p -> ObjectSpan.instant(p, floating));
            if (id.isPresent()) {
                Instant start = ObjectSpan.instant(c, Property.DTSTART, floating).orElse(id.get());
                Instant end = start.plus(ObjectSpan.length(c, floating));
                boolean moved = ComponentInstances.overlaps(start, end, range.start(), range.end());
                boolean original = ComponentInstances.overlaps(id.get(), id.get().plus(ObjectSpan.length(c,
                        floating)), range.start(), range.end());
                if (!moved && !original) {
                    continue;
                }
            }
            parts.add(part(c));
        }
        return new Part(root.name(), root.lines(), parts);
    }

    private static boolean periodTouches(String line, QueryFilter.Range range) {
        String value = line.substring(valueStart(line));
        for (String period : value.split(",", 1000)) {
            Optional<Instant[]> p = FreeBusy.parsePeriod(period.strip());
            if (p.isPresent() && p.get()[0].isBefore(range.end()) && p.get()[1].isAfter(range.start())) {
                return true;
            }
        }
        return false;
    }

    private static void write(Part part, Selection selection, StringBuilder out) {
        fold("BEGIN:" + part.name(), out);
        for (String line : part.lines()) {
            String name = propertyName(line);
            if (selection == null || selection.keeps(name)) {
                fold(selection != null && selection.novalue(name) ? line.substring(0, valueStart(line)) : line, out);
            }
        }
        for (Part sub : part.parts()) {
            if (selection == null) {
                write(sub, null, out);
            } else {
                Optional<Selection> s = selection.component(sub.name());
                if (s.isPresent()) {
                    write(sub, s.get().allProperties() && s.get().allComponents() ? null : s.get(), out);
                }
            }
        }
        fold("END:" + part.name(), out);
    }

    /** @return the property name of a content line */
    private static String propertyName(String line) {
        int end = 0;
        while (end < line.length() && line.charAt(end) != ';' && line.charAt(end) != ':') {
            end++;
        }
        return line.substring(0, end).toUpperCase(Locale.ROOT);
    }

    /** @return where the value starts: after the first colon outside a quoted parameter value */
    private static int valueStart(String line) {
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == ':' && !quoted) {
                return i + 1;
            }
        }
        return line.length();
    }

    /** RFC 5545 §3.1: lines of at most 75 octets, continued with a space, never splitting a character. */
    private static void fold(String line, StringBuilder out) {
        int octets = 0;
        for (int i = 0; i < line.length(); ) {
            int cp = line.codePointAt(i);
            int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (octets + size > 75) {
                out.append("\r\n ");
                octets = 1;
            }
            out.appendCodePoint(cp);
            octets += size;
            i += Character.charCount(cp);
        }
        out.append("\r\n");
    }
}
