package dev.inboxguard.calendar;

import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.storage.TimeSpan;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.component.CalendarComponent;

/**
 * The RFC 4791 §4.1 rules for a calendar object resource a client PUTs: valid iCalendar (read within the guard's
 * limits), no METHOD, one kind of component, one UID, and a kind the calendar supports.
 */
public final class CalendarObjectRules {
    /** What the rules say of a body. */
    public sealed interface Judgement permits Refusal, Accepted {
    }

    /** A PUT body that breaks a rule: the CALDAV precondition element and a reason. */
    public record Refusal(String precondition, String reason) implements Judgement {
    }

    /**
     * A body that follows the rules, with when it happens.
     *
     * @param calendar the body as read, for the request that judged it to use rather than read it again; that
     *                 request alone owns it
     */
    public record Accepted(String uid, String kind, TimeSpan span, Calendar calendar) implements Judgement {
    }

    private final CalendarReader reader;

    public CalendarObjectRules(CalendarReader reader) {
        this.reader = reader;
    }

    /** @return the UID and kind, or why the body is refused */
    public Judgement judge(byte[] body, Set<String> supported) {
        CalendarRead read = reader.read(body);
        if (read instanceof CalendarRead.Refused refused) {
            return new Refusal("valid-calendar-data", refused.findings().get(0).message());
        }
        return rules(((CalendarRead.Parsed) read).calendar(), supported);
    }

    /**
     * The same rules for an object the server itself composed from one it read (a delivered copy, an answer merged
     * in, statuses added): the text it will store must be within the reading limits, or it could not be read again;
     * the rest is judged on the model it was written from, which is not read back.
     *
     * @param calendar the model
     * @param written  the text written from it, to be stored
     * @param supported the calendar's component kinds
     * @return the UID and kind, or why the object is refused
     */
    public Judgement judge(Calendar calendar, byte[] written, Set<String> supported) {
        Optional<dev.inboxguard.api.Finding> beyond = reader.beyondLimits(written);
        if (beyond.isPresent()) {
            return new Refusal("valid-calendar-data", beyond.get().message());
        }
        return rules(calendar, supported);
    }

    private Judgement rules(Calendar calendar, Set<String> supported) {
        if (calendar.getProperty(Property.METHOD).isPresent()) {
            return new Refusal("valid-calendar-object-resource",
                    "a stored calendar object must not have a METHOD (RFC 4791 §4.1)");
        }
        Set<String> kinds = new LinkedHashSet<>();
        Set<String> uids = new LinkedHashSet<>();
        for (CalendarComponent c : calendar.<CalendarComponent>getComponents()) {
            if (c.getName().equals(Component.VTIMEZONE)) {
                continue;
            }
            kinds.add(c.getName());
            Optional<Property> uid = c.getProperty(Property.UID);
            if (uid.isEmpty() || uid.get().getValue().isBlank()) {
                return new Refusal("valid-calendar-object-resource", "every " + c.getName() + " needs a UID");
            }
            uids.add(uid.get().getValue());
        }
        if (kinds.isEmpty()) {
            return new Refusal("valid-calendar-object-resource", "the object holds no VEVENT, VTODO or VJOURNAL");
        }
        if (kinds.size() > 1) {
            return new Refusal("valid-calendar-object-resource", "one resource holds one kind of component, not "
                    + String.join(" and ", kinds));
        }
        if (uids.size() > 1) {
            return new Refusal("valid-calendar-object-resource", "one resource holds one UID (RFC 4791 §4.1)");
        }
        String kind = kinds.iterator().next();
        if (!supported.contains(kind)) {
            return new Refusal("supported-calendar-component", "this calendar does not take " + kind);
        }
        return new Accepted(uids.iterator().next(), kind, ObjectSpan.of(calendar, kind), calendar);
    }
}
