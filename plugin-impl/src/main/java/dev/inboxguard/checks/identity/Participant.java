package dev.inboxguard.checks.identity;

import dev.inboxguard.api.CalendarUserAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Parameter;
import net.fortuna.ical4j.model.Property;

/**
 * An ORGANIZER or ATTENDEE of a component, with the parameters that say who acts for whom.
 *
 * @param address       the calendar user
 * @param sentBy        SENT-BY, if any
 * @param partstat      PARTSTAT, upper case, empty if absent
 * @param delegatedTo   DELEGATED-TO addresses
 * @param delegatedFrom DELEGATED-FROM addresses
 */
record Participant(CalendarUserAddress address, Optional<CalendarUserAddress> sentBy, String partstat,
                   List<CalendarUserAddress> delegatedTo, List<CalendarUserAddress> delegatedFrom) {

    static Optional<Participant> organizer(Component c) {
        return c.<Property>getProperty(Property.ORGANIZER).flatMap(Participant::of);
    }

    static List<Participant> attendees(Component c) {
        List<Participant> out = new ArrayList<>();
        for (Property p : c.<Property>getProperties(Property.ATTENDEE)) {
            of(p).ifPresent(out::add);
        }
        return out;
    }

    static Optional<Participant> of(Property p) {
        return CalendarUserAddress.parse(p.getValue()).map(address -> new Participant(address,
                parameter(p, Parameter.SENT_BY).flatMap(CalendarUserAddress::parse),
                parameter(p, Parameter.PARTSTAT).map(v -> v.toUpperCase(Locale.ROOT)).orElse(""),
                addresses(parameter(p, Parameter.DELEGATED_TO)), addresses(parameter(p, Parameter.DELEGATED_FROM))));
    }

    boolean delegated() {
        return partstat.equals("DELEGATED");
    }

    private static Optional<String> parameter(Property p, String name) {
        return p.getParameter(name).map(Parameter::getValue);
    }

    /** A parameter list such as {@code "mailto:a@x","mailto:b@x"}; unreadable entries are left out. */
    private static List<CalendarUserAddress> addresses(Optional<String> value) {
        List<CalendarUserAddress> out = new ArrayList<>();
        value.ifPresent(v -> {
            for (String part : v.split(",")) {
                CalendarUserAddress.parse(part.strip().replace("\"", "")).ifPresent(out::add);
            }
        });
        return out;
    }
}
