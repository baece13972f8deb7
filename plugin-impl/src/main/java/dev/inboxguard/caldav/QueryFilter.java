package dev.inboxguard.caldav;

import dev.inboxguard.calendar.ComponentInstances;
import dev.inboxguard.calendar.FreeBusy;
import dev.inboxguard.calendar.ObjectSpan;
import dev.inboxguard.storage.TimeSpan;
import java.text.Normalizer;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Parameter;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.component.CalendarComponent;
import net.fortuna.ical4j.model.parameter.Related;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * A calendar-query filter (RFC 4791 §9.7), read from its XML and applied to one calendar object: nested
 * comp-filters, prop-filters and param-filters, is-not-defined, text-match with negate-condition and the
 * collations of RFC 4790 and RFC 5051, and time-range on events, to-dos, journals, free-busy, alarms (their trigger
 * times, repeats included) and date properties (§9.9). What it cannot evaluate is refused when the filter is read,
 * never silently widened. Reading is bounded: a filter has at most {@value #MAX_ELEMENTS} elements.
 */
final class QueryFilter {
    static final int MAX_ELEMENTS = 100;
    private static final int MAX_TEXT = 1000;
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);
    private static final Instant FIRST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LAST = Instant.parse("9999-12-31T23:59:59Z");
    private static final Set<String> RANGED = Set.of(Component.VEVENT, Component.VTODO, Component.VJOURNAL,
            Component.VFREEBUSY, Component.VALARM);
    /** Instants in iCalendar have whole seconds: a range widened by one finds every candidate of an inclusive test. */
    private static final Duration EDGE = Duration.ofSeconds(1);
    // an alarm may fire at most this long before or after its event: the instances looked at are widened by it
    private static final Duration ALARM_REACH = Duration.ofDays(400);

    /** Why a filter is refused: the CALDAV precondition (RFC 4791 §7.8) and a reason. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        private final String precondition;

        Refused(String precondition, String reason) {
            super(reason, null, false, false);
            this.precondition = precondition;
        }

        String precondition() {
            return precondition;
        }
    }

    /** A time range; an absent end is the edge of what iCalendar can write. */
    record Range(Instant start, Instant end) {
        boolean contains(Instant t) {
            return !t.isBefore(start) && t.isBefore(end);
        }

        Range widened(Duration by) {
            return new Range(start.equals(FIRST) ? FIRST : start.minus(by), end.equals(LAST) ? LAST : end.plus(by));
        }
    }

    record TextMatch(String text, String collation, boolean negate) {
        boolean matches(String value) {
            boolean found = switch (collation) {
                case "i;octet" -> value.contains(text);
                case "i;unicode-casemap" -> fold(value).contains(fold(text));
                default -> asciiLower(value).contains(asciiLower(text));
            };
            return found != negate;
        }

        /** RFC 4790 §9.2: i;ascii-casemap maps A to Z only; every other character stays as it is. */
        private static String asciiLower(String s) {
            StringBuilder b = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                b.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
            }
            return b.toString();
        }

        /** RFC 5051's fold, as far as the JDK has it: compatibility decomposition, then case folding. */
        private static String fold(String s) {
            return Normalizer.normalize(s, Normalizer.Form.NFKD).toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT);
        }
    }

    record ParamFilter(String name, boolean notDefined, Optional<TextMatch> text) {
    }

    record PropFilter(String name, boolean notDefined, Optional<Range> range, Optional<TextMatch> text,
                      List<ParamFilter> params) {
    }

    record CompFilter(String name, boolean notDefined, Optional<Range> range, List<CompFilter> comps,
                      List<PropFilter> props) {
    }

    private final CompFilter root;
    private final java.time.ZoneId floating;
    // per object being matched; a filter serves one request, on one thread
    private final java.util.Map<String, Optional<List<ComponentInstances.Instance>>> expansions =
            new java.util.HashMap<>();

    private QueryFilter(CompFilter root, java.time.ZoneId floating) {
        this.root = root;
        this.floating = floating;
    }

    /**
     * @param zone the zone floating and all-day times are read in: the query's CALDAV:timezone (§9.8), else the
     *             calendar's (§5.2.2), else UTC
     * @return this filter, reading times in that zone
     */
    QueryFilter in(java.time.ZoneId zone) {
        return new QueryFilter(root, zone);
    }

    /**
     * @param filter the CALDAV:filter element
     * @return the filter
     * @throws Refused if it is malformed (valid-filter), uses what this server does not evaluate (supported-filter)
     *                 or a collation it does not know (supported-collation)
     */
    static QueryFilter read(Element filter) throws Refused {
        int[] budget = {MAX_ELEMENTS};
        List<Element> children = children(filter, budget);
        if (children.size() != 1 || !isCaldav(children.get(0), "comp-filter")) {
            throw new Refused("valid-filter", "a filter holds exactly one comp-filter");
        }
        CompFilter top = comp(children.get(0), budget, 0);
        if (!top.name().equals("VCALENDAR")) {
            throw new Refused("valid-filter", "the outer comp-filter names VCALENDAR");
        }
        if (top.range().isPresent()) {
            throw new Refused("valid-filter", "a time-range does not apply to VCALENDAR");
        }
        return new QueryFilter(top, java.time.ZoneOffset.UTC);
    }

    private static CompFilter comp(Element e, int[] budget, int depth) throws Refused {
        String name = name(e);
        boolean notDefined = false;
        Optional<Range> range = Optional.empty();
        List<CompFilter> comps = new ArrayList<>();
        List<PropFilter> props = new ArrayList<>();
        for (Element child : children(e, budget)) {
            if (isCaldav(child, "is-not-defined")) {
                notDefined = true;
            } else if (isCaldav(child, "time-range")) {
                if (!RANGED.contains(name)) {
                    throw new Refused("supported-filter", "a time-range on " + name + " is not evaluated here; "
                            + "it applies to VEVENT, VTODO, VJOURNAL, VFREEBUSY and VALARM");
                }
                range = Optional.of(range(child));
            } else if (isCaldav(child, "comp-filter")) {
                if (depth >= 4) {
                    throw new Refused("supported-filter", "comp-filters nest at most four deep");
                }
                comps.add(comp(child, budget, depth + 1));
            } else if (isCaldav(child, "prop-filter")) {
                props.add(prop(child, budget));
            } else {
                throw new Refused("supported-filter", "comp-filter " + name + " holds an element this server does "
                        + "not know: " + child.getLocalName());
            }
        }
        if (notDefined && (range.isPresent() || !comps.isEmpty() || !props.isEmpty())) {
            throw new Refused("valid-filter", "is-not-defined stands alone in its comp-filter");
        }
        return new CompFilter(name, notDefined, range, comps, props);
    }

    private static PropFilter prop(Element e, int[] budget) throws Refused {
        String name = name(e);
        boolean notDefined = false;
        Optional<Range> range = Optional.empty();
        Optional<TextMatch> text = Optional.empty();
        List<ParamFilter> params = new ArrayList<>();
        for (Element child : children(e, budget)) {
            if (isCaldav(child, "is-not-defined")) {
                notDefined = true;
            } else if (isCaldav(child, "time-range")) {
                range = Optional.of(range(child));
            } else if (isCaldav(child, "text-match")) {
                text = Optional.of(text(child));
            } else if (isCaldav(child, "param-filter")) {
                params.add(param(child, budget));
            } else {
                throw new Refused("supported-filter", "prop-filter " + name + " holds an element this server does "
                        + "not know: " + child.getLocalName());
            }
        }
        if (notDefined && (range.isPresent() || text.isPresent() || !params.isEmpty())) {
            throw new Refused("valid-filter", "is-not-defined stands alone in its prop-filter");
        }
        if (range.isPresent() && text.isPresent()) {
            throw new Refused("valid-filter", "a prop-filter has a time-range or a text-match, not both");
        }
        return new PropFilter(name, notDefined, range, text, params);
    }

    private static ParamFilter param(Element e, int[] budget) throws Refused {
        String name = name(e);
        boolean notDefined = false;
        Optional<TextMatch> text = Optional.empty();
        for (Element child : children(e, budget)) {
            if (isCaldav(child, "is-not-defined")) {
                notDefined = true;
            } else if (isCaldav(child, "text-match")) {
                text = Optional.of(text(child));
            } else {
                throw new Refused("supported-filter", "param-filter " + name + " holds an element this server "
                        + "does not know: " + child.getLocalName());
            }
        }
        if (notDefined && text.isPresent()) {
            throw new Refused("valid-filter", "is-not-defined stands alone in its param-filter");
        }
        return new ParamFilter(name, notDefined, text);
    }

    private static TextMatch text(Element e) throws Refused {
        String collation = e.hasAttribute("collation") ? e.getAttribute("collation").strip() : "i;ascii-casemap";
        if (!Set.of("i;ascii-casemap", "i;octet", "i;unicode-casemap").contains(collation)) {
            throw new Refused("supported-collation", "collations here are i;ascii-casemap, i;octet and "
                    + "i;unicode-casemap, not " + collation.substring(0, Math.min(collation.length(), 60)));
        }
        String negate = e.getAttribute("negate-condition").strip();
        if (!negate.isEmpty() && !negate.equals("yes") && !negate.equals("no")) {
            throw new Refused("valid-filter", "negate-condition is yes or no");
        }
        String text = e.getTextContent();
        if (text.length() > MAX_TEXT) {
            throw new Refused("valid-filter", "a text-match has at most " + MAX_TEXT + " characters");
        }
        return new TextMatch(text, collation, negate.equals("yes"));
    }

    private static Range range(Element e) throws Refused {
        String start = e.getAttribute("start").strip();
        String end = e.getAttribute("end").strip();
        if (start.isEmpty() && end.isEmpty()) {
            throw new Refused("valid-filter", "a time-range has a start, an end, or both");
        }
        try {
            Instant s = start.isEmpty() ? FIRST : Instant.from(UTC.parse(start));
            Instant t = end.isEmpty() ? LAST : Instant.from(UTC.parse(end));
            if (!t.isAfter(s)) {
                throw new Refused("valid-filter", "a time-range ends after it starts");
            }
            return new Range(s, t);
        } catch (DateTimeParseException ex) {
            throw new Refused("valid-filter", "time-range start and end are UTC date-times, like 20261201T000000Z");
        }
    }

    private static String name(Element e) throws Refused {
        String name = e.getAttribute("name").strip().toUpperCase(Locale.ROOT);
        if (name.isEmpty() || name.length() > 64) {
            throw new Refused("valid-filter", e.getLocalName() + " needs a name");
        }
        return name;
    }

    private static List<Element> children(Element e, int[] budget) throws Refused {
        List<Element> out = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element child) {
                if (--budget[0] < 0) {
                    throw new Refused("supported-filter", "a filter has at most " + MAX_ELEMENTS + " elements");
                }
                out.add(child);
            }
        }
        return out;
    }

    private static boolean isCaldav(Element e, String local) {
        return CaldavNames.CALDAV.getURI().equals(e.getNamespaceURI()) && local.equals(e.getLocalName());
    }

    /**
     * What the stored index can narrow the search to: one kind of component in a time range (widened to cover every
     * candidate), if the filter asks for exactly that.
     *
     * @return the kind and the range to look in, or empty to look at every object
     */
    Optional<Hint> hint() {
        if (root.comps().size() != 1 || !root.props().isEmpty()) {
            return Optional.empty();
        }
        CompFilter kind = root.comps().get(0);
        if (kind.notDefined() || kind.range().isEmpty() || kind.name().equals(Component.VALARM)) {
            return Optional.empty();
        }
        // the stored span only narrows the search (TimeSpan.SLACK); the filter then reads the object itself
        Range r = kind.range().get().widened(EDGE.plus(TimeSpan.SLACK));
        return Optional.of(new Hint(kind.name(), r.start().equals(FIRST) ? Long.MIN_VALUE : r.start().toEpochMilli(),
                r.end().equals(LAST) ? Long.MAX_VALUE : r.end().toEpochMilli()));
    }

    /** The index's part: a kind and epoch-millisecond bounds ({@link Long#MIN_VALUE}, {@link Long#MAX_VALUE}: open). */
    record Hint(String kind, long from, long to) {
    }

    /**
     * @param calendar a stored calendar object
     * @return true if it matches; a series too costly to expand within the bounds counts as matching, so that a
     * query never loses an object it cannot rule out
     */
    boolean matches(Calendar calendar) {
        expansions.clear();
        for (PropFilter p : root.props()) {
            if (!prop(p, calendar.getProperties())) {
                return false;
            }
        }
        for (CompFilter c : root.comps()) {
            if (!comp(c, calendar.<CalendarComponent>getComponents(), calendar.<CalendarComponent>getComponents())) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param siblings the components among which the filter looks for its kind
     * @param object   every top-level component of the object, for expanding series
     */
    private boolean comp(CompFilter f, List<? extends Component> siblings, List<CalendarComponent> object) {
        List<Component> named = new ArrayList<>();
        for (Component c : siblings) {
            if (c.getName().equalsIgnoreCase(f.name())) {
                named.add(c);
            }
        }
        if (f.notDefined()) {
            return named.isEmpty();
        }
        for (Component c : named) {
            if (f.range().isPresent() && !inRange(c, f.range().get(), object)) {
                continue;
            }
            if (nested(f, c, object)) {
                return true;
            }
        }
        return false;
    }

    private boolean nested(CompFilter f, Component c, List<CalendarComponent> object) {
        for (PropFilter p : f.props()) {
            if (!prop(p, c.getProperties())) {
                return false;
            }
        }
        for (CompFilter sub : f.comps()) {
            if (sub.name().equals(Component.VALARM) && sub.range().isPresent() && !sub.notDefined()) {
                if (!alarms(sub, c, object)) {
                    return false;
                }
            } else if (!comp(sub, subComponents(c), object)) {
                return false;
            }
        }
        return true;
    }

    private boolean prop(PropFilter f, List<Property> properties) {
        List<Property> named = properties.stream().filter(p -> p.getName().equalsIgnoreCase(f.name())).toList();
        if (f.notDefined()) {
            return named.isEmpty();
        }
        for (Property p : named) {
            if (f.text().isPresent() && !f.text().get().matches(p.getValue())) {
                continue;
            }
            if (f.range().isPresent()) {
                Optional<Instant> at = ObjectSpan.instant(p, floating);
                if (at.isEmpty() || !f.range().get().contains(at.get())) {
                    continue;
                }
            }
            if (f.params().stream().allMatch(pf -> param(pf, p))) {
                return true;
            }
        }
        return false;
    }

    private static boolean param(ParamFilter f, Property p) {
        List<Parameter> named = p.getParameters().stream()
                .filter(x -> x.getName().equalsIgnoreCase(f.name())).toList();
        if (f.notDefined()) {
            return named.isEmpty();
        }
        if (named.isEmpty()) {
            return false;
        }
        return f.text().isEmpty() || named.stream().anyMatch(x -> f.text().get().matches(x.getValue()));
    }

    /** RFC 4791 §9.9, per kind, over every instance of a recurring component. */
    private boolean inRange(Component c, Range r, List<CalendarComponent> object) {
        String kind = c.getName().toUpperCase(Locale.ROOT);
        if (kind.equals(Component.VFREEBUSY)) {
            return freeBusyInRange(c, r);
        }
        for (Optional<ComponentInstances.Instance> i : instances(c, r.widened(EDGE), object)) {
            if (i.isEmpty()) {
                return true; // too costly to expand: kept, never lost
            }
            if (instanceInRange(kind, c, i.get(), r)) {
                return true;
            }
        }
        return false;
    }

    /** The instances of one component near a range; an empty element stands for "could not be expanded". */
    private List<Optional<ComponentInstances.Instance>> instances(Component c, Range r,
                                                                         List<CalendarComponent> object) {
        if (!(c instanceof CalendarComponent cc)) {
            return List.of();
        }
        String uid = cc.<Property>getProperty(Property.UID).map(Property::getValue).orElse("");
        List<CalendarComponent> series = object.stream().filter(o -> o.getName().equals(cc.getName())
                && o.<Property>getProperty(Property.UID).map(Property::getValue).orElse("").equals(uid)).toList();
        // one expansion per series and range within an object, however many components and filters ask for it
        Optional<List<ComponentInstances.Instance>> all = expansions.computeIfAbsent(
                cc.getName() + "\n" + uid + "\n" + r.start() + "\n" + r.end(),
                k -> ComponentInstances.between(series, r.start(), r.end(), floating));
        if (all.isEmpty()) {
            return List.of(Optional.empty());
        }
        List<Optional<ComponentInstances.Instance>> out = new ArrayList<>();
        for (ComponentInstances.Instance i : all.get()) {
            if (i.component() == cc) {
                out.add(Optional.of(i));
            }
        }
        if (out.isEmpty() && ObjectSpan.instant(cc, Property.DTSTART, floating).isEmpty()) {
            // no start: ComponentInstances lists it whatever the range; the kind's own rule decides
            out.add(Optional.of(new ComponentInstances.Instance(cc, Optional.empty(), Instant.MAX, Optional.empty())));
        }
        return out;
    }

    private boolean instanceInRange(String kind, Component c, ComponentInstances.Instance i, Range r) {
        Instant s = r.start();
        Instant e = r.end();
        return switch (kind) {
            case Component.VEVENT -> i.start().isPresent()
                    && ComponentInstances.overlaps(i.start().get(), i.end(), s, e);
            case Component.VJOURNAL -> {
                if (i.start().isEmpty()) {
                    yield false;
                }
                Instant start = i.start().get();
                boolean date = c.getProperty(Property.DTSTART).map(p -> p.getValue().strip().length() == 8)
                        .orElse(false);
                yield date ? s.isBefore(start.plus(Duration.ofDays(1))) && e.isAfter(start)
                        : !s.isAfter(start) && e.isAfter(start);
            }
            case Component.VTODO -> todoInRange(c, i, s, e);
            default -> false;
        };
    }

    /** The VTODO table of RFC 4791 §9.9. */
    private boolean todoInRange(Component c, ComponentInstances.Instance i, Instant s, Instant e) {
        boolean hasDuration = c.getProperty(Property.DURATION).isPresent();
        boolean hasDue = c.getProperty(Property.DUE).isPresent();
        if (i.start().isPresent()) {
            Instant start = i.start().get();
            if (hasDuration) {
                Instant end = i.end();
                return !s.isAfter(end) && (e.isAfter(start) || !e.isBefore(end));
            }
            if (hasDue) {
                Instant due = i.end();
                return (s.isBefore(due) || !s.isAfter(start)) && (e.isAfter(start) || !e.isBefore(due));
            }
            return !s.isAfter(start) && e.isAfter(start);
        }
        if (hasDue) {
            Optional<Instant> due = ObjectSpan.instant(c, Property.DUE, floating);
            return due.isPresent() && s.isBefore(due.get()) && !e.isBefore(due.get());
        }
        Optional<Instant> completed = ObjectSpan.instant(c, Property.COMPLETED, floating);
        Optional<Instant> created = ObjectSpan.instant(c, Property.CREATED, floating);
        if (completed.isPresent() && created.isPresent()) {
            return (!s.isAfter(created.get()) || !s.isAfter(completed.get()))
                    && (!e.isBefore(created.get()) || !e.isBefore(completed.get()));
        }
        if (completed.isPresent()) {
            return !s.isAfter(completed.get()) && !e.isBefore(completed.get());
        }
        if (created.isPresent()) {
            return e.isAfter(created.get());
        }
        return true;
    }

    private boolean freeBusyInRange(Component c, Range r) {
        Optional<Instant> start = ObjectSpan.instant(c, Property.DTSTART, floating);
        Optional<Instant> end = ObjectSpan.instant(c, Property.DTEND, floating);
        if (start.isPresent() && end.isPresent()) {
            return !r.start().isAfter(end.get()) && r.end().isAfter(start.get());
        }
        for (Property p : c.<Property>getProperties(Property.FREEBUSY)) {
            for (String period : p.getValue().split(",", 1000)) {
                Optional<Instant[]> ps = FreeBusy.parsePeriod(period.strip());
                if (ps.isPresent() && r.start().isBefore(ps.get()[1]) && r.end().isAfter(ps.get()[0])) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * A VALARM time-range (RFC 4791 §9.9): an alarm matches if it fires in the range, for any instance of its
     * component, repeats included.
     */
    private boolean alarms(CompFilter f, Component parent, List<CalendarComponent> object) {
        Range r = f.range().get();
        for (Component alarm : subComponents(parent)) {
            if (!alarm.getName().equalsIgnoreCase(Component.VALARM)) {
                continue;
            }
            Optional<Property> trigger = alarm.getProperty(Property.TRIGGER);
            if (trigger.isEmpty()) {
                continue;
            }
            List<Instant> fires = new ArrayList<>();
            Optional<Instant> absolute = ObjectSpan.instant(trigger.get());
            Optional<Duration> offset = absolute.isPresent() ? Optional.empty() : offset(trigger.get().getValue());
            if (absolute.isPresent()) {
                fires.add(absolute.get());
            } else if (offset.isPresent()) {
                boolean fromEnd = trigger.get().<Parameter>getParameter(Parameter.RELATED)
                        .map(p -> p.getValue().equalsIgnoreCase(Related.END.getValue())).orElse(false);
                for (Optional<ComponentInstances.Instance> i : instances(parent, r.widened(ALARM_REACH), object)) {
                    if (i.isEmpty()) {
                        return true;
                    }
                    Optional<Instant> base = fromEnd ? Optional.of(i.get().end()).filter(x -> !x.equals(Instant.MAX))
                            : i.get().start();
                    base.ifPresent(b -> fires.add(b.plus(offset.get())));
                }
            }
            int repeat = alarm.<Property>getProperty(Property.REPEAT).map(p -> parseInt(p.getValue())).orElse(0);
            Optional<Duration> every = alarm.<Property>getProperty(Property.DURATION)
                    .flatMap(p -> offset(p.getValue()));
            boolean fired = false;
            for (Instant first : fires) {
                // REPEAT is bounded at 100 by the alarm check; more is read as 100 here
                for (int k = 0; !fired && k <= (every.isPresent() ? Math.min(repeat, 100) : 0); k++) {
                    fired = r.contains(every.isPresent() ? first.plus(every.get().multipliedBy(k)) : first);
                }
            }
            if (fired && f.props().stream().allMatch(p -> prop(p, alarm.getProperties()))) {
                return true;
            }
        }
        return false;
    }

    /** @return the components nested in a component (a VEVENT's alarms, a VTIMEZONE's rules) */
    static List<? extends Component> subComponents(Component c) {
        return c instanceof net.fortuna.ical4j.model.ComponentContainer<?> container ? container.getComponents()
                : List.of();
    }

    private static int parseInt(String s) {
        try {
            return Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** An iCalendar DURATION (RFC 5545 §3.3.6) such as {@code -PT15M} or {@code P1W}. */
    static Optional<Duration> offset(String value) {
        String v = value.strip().toUpperCase(Locale.ROOT);
        boolean negative = v.startsWith("-");
        if (v.startsWith("-") || v.startsWith("+")) {
            v = v.substring(1);
        }
        if (!v.startsWith("P") || v.length() > 40) {
            return Optional.empty();
        }
        try {
            Duration d;
            if (v.endsWith("W")) {
                d = Duration.ofDays(7L * Long.parseLong(v.substring(1, v.length() - 1)));
            } else {
                int t = v.indexOf('T');
                String days = t < 0 ? v.substring(1) : v.substring(1, t);
                d = days.isEmpty() ? Duration.ZERO : Duration.ofDays(Long.parseLong(days.substring(0,
                        days.length() - 1)));
                if (t >= 0 && t + 1 < v.length()) {
                    d = d.plus(Duration.parse("PT" + v.substring(t + 1)));
                }
            }
            return Optional.of(negative ? d.negated() : d);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

}
