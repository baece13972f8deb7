package dev.inboxguard.engine;

import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.Severity;
import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.mime.CalendarPart;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.ComponentContainer;
import net.fortuna.ical4j.model.Parameter;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.component.CalendarComponent;

/**
 * The guard judges one calendar part of an e-mail, but a client may act on another: a second text/calendar part,
 * an {@code application/ics} or {@code .ics} attachment. When the parts differ (another ORGANIZER, another rule,
 * an alarm, a link, a CANCEL beside a REQUEST, another definition of the same time zone) the verdict on one says
 * nothing about the other, so that is reported as {@code message.conflicting-parts}. Parts that agree (Google
 * sends the same object twice) pass.
 *
 * <p>What counts: METHOD where both parts have one, and every component (scheduling components by UID and
 * RECURRENCE-ID, time zones by TZID) with all its properties and sub-components, except the stamps that say when
 * a copy was written (DTSTAMP, CREATED, LAST-MODIFIED) and vendors' X- properties. A part that lists one component
 * twice, or cannot be read by the same bounded reader, does not agree.
 */
final class CalendarPartsAgreement {
    private static final Set<String> IGNORED = Set.of(Property.DTSTAMP, Property.CREATED, Property.LAST_MODIFIED);

    private final CalendarReader reader;

    CalendarPartsAgreement(CalendarReader reader) {
        this.reader = reader;
    }

    /**
     * @param judged the part the guard judges
     * @param others the e-mail's other calendar parts
     * @return a finding for the first part that disagrees with the judged one
     */
    Optional<Finding> inspect(Calendar judged, List<CalendarPart> others) {
        Summary mine = Summary.of(judged);
        for (CalendarPart other : others) {
            CalendarRead read = reader.read(other.bytes());
            if (!(read instanceof CalendarRead.Parsed parsed)) {
                return Optional.of(conflict(other.name() + " cannot be read, while the part judged can; a client "
                        + "might read it differently", other.name()));
            }
            Summary theirs = Summary.of(parsed.calendar());
            Optional<String> difference = mine.duplicate.map(d -> "the part judged lists " + d + " twice")
                    .or(() -> theirs.duplicate.map(d -> "it lists " + d + " twice"))
                    .or(() -> mine.differenceFrom(theirs));
            if (difference.isPresent()) {
                return Optional.of(conflict("the calendar part judged and " + other.name() + " disagree: "
                        + difference.get(), other.name()));
            }
        }
        return Optional.empty();
    }

    private static Finding conflict(String message, String value) {
        return Finding.of(FindingCode.MESSAGE_CONFLICTING_PARTS, Severity.HIGH, message)
                .about("Content-Type", value);
    }

    /**
     * What one part says: its METHOD, and per component its properties in a comparable form.
     *
     * @param method     METHOD, upper case
     * @param components "VEVENT uid" (with " of RECURRENCE-ID") or "VTIMEZONE tzid" to property name to values
     * @param duplicate  the first component listed twice, if any
     */
    private record Summary(Optional<String> method, Map<String, Map<String, String>> components,
                           Optional<String> duplicate) {
        static Summary of(Calendar calendar) {
            Optional<String> method = calendar.<Property>getProperty(Property.METHOD)
                    .map(p -> p.getValue().strip().toUpperCase(Locale.ROOT));
            Map<String, Map<String, String>> components = new TreeMap<>();
            Optional<String> duplicate = Optional.empty();
            for (CalendarComponent c : calendar.<CalendarComponent>getComponents()) {
                String key = c.getName().equals(Component.VTIMEZONE)
                        ? c.getName() + " " + text(c, Property.TZID)
                        : c.getName() + " " + text(c, Property.UID) + c.<Property>getProperty(Property.RECURRENCE_ID)
                        .map(p -> " of " + p.getValue()).orElse("");
                if (components.putIfAbsent(key, properties(c)) != null && duplicate.isEmpty()) {
                    duplicate = Optional.of(shorten(key));
                }
            }
            return new Summary(method, components, duplicate);
        }

        Optional<String> differenceFrom(Summary other) {
            if (method.isPresent() && other.method.isPresent() && !method.equals(other.method)) {
                return Optional.of("METHOD " + shorten(method.get()) + " against " + shorten(other.method.get()));
            }
            if (!components.keySet().equals(other.components.keySet())) {
                List<String> onlyHere = new ArrayList<>(components.keySet());
                onlyHere.removeAll(other.components.keySet());
                List<String> onlyThere = new ArrayList<>(other.components.keySet());
                onlyThere.removeAll(components.keySet());
                return Optional.of("they hold different components ("
                        + (onlyHere.isEmpty() ? "" : "only in the part judged: " + shorten(onlyHere.get(0)))
                        + (onlyHere.isEmpty() || onlyThere.isEmpty() ? "" : "; ")
                        + (onlyThere.isEmpty() ? "" : "only in the other: " + shorten(onlyThere.get(0))) + ")");
            }
            for (Map.Entry<String, Map<String, String>> e : components.entrySet()) {
                Map<String, String> theirs = other.components.get(e.getKey());
                Set<String> names = new TreeSet<>(e.getValue().keySet());
                names.addAll(theirs.keySet());
                for (String name : names) {
                    String a = e.getValue().getOrDefault(name, "");
                    String b = theirs.getOrDefault(name, "");
                    if (!a.equals(b)) {
                        return Optional.of(name + " in " + shorten(e.getKey()) + ": " + shorten(a.isEmpty() ? "(none)"
                                : a) + " against " + shorten(b.isEmpty() ? "(none)" : b));
                    }
                }
            }
            return Optional.empty();
        }

        /** Property name (sub-components as "VALARM 1 ACTION") to its values, each with its parameters. */
        private static Map<String, String> properties(Component c) {
            Map<String, List<String>> values = new TreeMap<>();
            collect(c, "", values);
            Map<String, String> out = new TreeMap<>();
            values.forEach((name, list) -> {
                list.sort(null);
                out.put(name, String.join(", ", list));
            });
            return out;
        }

        private static void collect(Component c, String prefix, Map<String, List<String>> out) {
            for (Property p : c.getProperties()) {
                String name = p.getName().toUpperCase(Locale.ROOT);
                if (IGNORED.contains(name) || name.startsWith("X-")) {
                    continue;
                }
                String v = p.getValue() == null ? "" : p.getValue().strip();
                if (name.equals(Property.ORGANIZER) || name.equals(Property.ATTENDEE)) {
                    v = v.toLowerCase(Locale.ROOT); // mailto: and host names have no case
                } else if (name.equals(Property.SEQUENCE) && v.equals("0")) {
                    continue; // SEQUENCE:0 is the default (RFC 5545 §3.8.7.4)
                }
                List<String> params = new ArrayList<>();
                for (Parameter param : p.getParameters()) {
                    params.add(param.getName().toUpperCase(Locale.ROOT) + "=" + param.getValue());
                }
                params.sort(null);
                out.computeIfAbsent(prefix + name, k -> new ArrayList<>())
                        .add((params.isEmpty() ? "" : String.join(";", params) + ":") + v);
            }
            if (c instanceof ComponentContainer<?> container) {
                int i = 0;
                for (Object child : container.getComponentList().getAll()) {
                    Component sub = (Component) child;
                    collect(sub, prefix + sub.getName() + " " + (++i) + " ", out);
                }
            }
        }

        private static String text(Component c, String name) {
            return c.<Property>getProperty(name).map(Property::getValue).orElse("");
        }

        private static String shorten(String s) {
            return s.length() <= 80 ? s : s.substring(0, 77) + "...";
        }
    }
}
