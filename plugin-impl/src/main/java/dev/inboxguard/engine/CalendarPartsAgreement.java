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
import java.util.TreeMap;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Parameter;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.component.CalendarComponent;

/**
 * The guard judges one calendar part of an e-mail, but a client may act on another: a second text/calendar part,
 * an {@code application/ics} or {@code .ics} attachment. When the parts schedule different things (another
 * ORGANIZER, another rule, a CANCEL beside a REQUEST) the verdict on one says nothing about the other, so that is
 * reported as {@code message.conflicting-parts}. Parts that agree (Google sends the same object twice) pass.
 *
 * <p>What counts: METHOD where both parts have one, and per scheduled component (UID and RECURRENCE-ID) its
 * ORGANIZER, SEQUENCE, DTSTART and recurrence (RRULE, RDATE). Other parts are read by the same bounded reader.
 */
final class CalendarPartsAgreement {
    private static final List<String> COMPARED = List.of(Property.ORGANIZER, Property.SEQUENCE, Property.DTSTART,
            Property.RRULE, Property.RDATE);
    private static final List<String> SCHEDULED = List.of(Component.VEVENT, Component.VTODO, Component.VJOURNAL,
            Component.VFREEBUSY);

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
                        + "might read it differently", null));
            }
            Optional<String> difference = mine.differenceFrom(Summary.of(parsed.calendar()));
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

    /** What one part schedules: its METHOD, and per component the properties compared. */
    private record Summary(Optional<String> method, Map<String, Map<String, String>> components) {
        static Summary of(Calendar calendar) {
            Optional<String> method = calendar.<Property>getProperty(Property.METHOD)
                    .map(p -> p.getValue().strip().toUpperCase(Locale.ROOT));
            Map<String, Map<String, String>> components = new TreeMap<>();
            for (CalendarComponent c : calendar.<CalendarComponent>getComponents()) {
                if (!SCHEDULED.contains(c.getName())) {
                    continue;
                }
                String key = c.getName() + " " + value(c, Property.UID)
                        + c.<Property>getProperty(Property.RECURRENCE_ID).map(p -> " of " + p.getValue()).orElse("");
                Map<String, String> props = new TreeMap<>();
                for (String name : COMPARED) {
                    props.put(name, value(c, name));
                }
                components.putIfAbsent(key, props);
            }
            return new Summary(method, components);
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
                return Optional.of("they schedule different objects ("
                        + (onlyHere.isEmpty() ? "" : "only in the part judged: " + shorten(onlyHere.get(0)))
                        + (onlyHere.isEmpty() || onlyThere.isEmpty() ? "" : "; ")
                        + (onlyThere.isEmpty() ? "" : "only in the other: " + shorten(onlyThere.get(0))) + ")");
            }
            for (Map.Entry<String, Map<String, String>> e : components.entrySet()) {
                Map<String, String> theirs = other.components.get(e.getKey());
                for (String name : COMPARED) {
                    String a = e.getValue().get(name);
                    String b = theirs.get(name);
                    if (!a.equals(b)) {
                        return Optional.of(name + " " + shorten(a.isEmpty() ? "(none)" : a) + " against "
                                + shorten(b.isEmpty() ? "(none)" : b));
                    }
                }
            }
            return Optional.empty();
        }

        /**
         * A property's comparable form: its values with the parameters that change their meaning (TZID, VALUE),
         * addresses without case, and SEQUENCE 0 for none (RFC 5545 §3.8.7.4).
         */
        private static String value(Component c, String name) {
            List<String> values = new ArrayList<>();
            for (Property p : c.<Property>getProperties(name)) {
                String v = p.getValue() == null ? "" : p.getValue().strip();
                if (name.equals(Property.ORGANIZER)) {
                    v = v.toLowerCase(Locale.ROOT);
                } else if (name.equals(Property.SEQUENCE) && v.equals("0")) {
                    v = "";
                }
                String tzid = p.getParameter(Parameter.TZID).map(Parameter::getValue).orElse("");
                values.add(tzid.isEmpty() ? v : "TZID=" + tzid + ":" + v);
            }
            values.sort(null);
            return String.join(",", values);
        }

        private static String shorten(String s) {
            return s.length() <= 80 ? s : s.substring(0, 77) + "...";
        }
    }
}
