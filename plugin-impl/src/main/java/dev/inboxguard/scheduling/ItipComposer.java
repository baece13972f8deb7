package dev.inboxguard.scheduling;

import dev.inboxguard.api.CalendarUserAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.ParameterList;
import net.fortuna.ical4j.model.PropertyContainer;
import net.fortuna.ical4j.model.property.RecurrenceId;
import net.fortuna.ical4j.model.component.CalendarComponent;
import net.fortuna.ical4j.model.property.Attendee;
import net.fortuna.ical4j.model.property.Method;
import net.fortuna.ical4j.model.property.Sequence;
import net.fortuna.ical4j.model.property.Status;

/**
 * Writes the iTIP messages implicit scheduling sends (RFC 6638 §3), each from a fresh copy of the stored object,
 * and each shaped to pass the RFC 5546 restriction tables the receiving guard holds it to: alarms and the
 * server-only scheduling parameters are removed, DTSTAMP says when the message was made.
 */
final class ItipComposer {
    // RFC 5546 §3.2.3 (REPLY) and §3.2.5 (CANCEL): what the message carries; the rest stays with the organizer
    private static final Set<String> REPLY = Set.of(Property.UID, Property.DTSTAMP, Property.ORGANIZER,
            Property.ATTENDEE, Property.SEQUENCE, Property.RECURRENCE_ID, Property.DTSTART, Property.DTEND,
            Property.DURATION, Property.DUE, Property.SUMMARY, Property.COMMENT, Property.REQUEST_STATUS);
    private static final Set<String> CANCEL = Set.of(Property.UID, Property.DTSTAMP, Property.ORGANIZER,
            Property.ATTENDEE, Property.SEQUENCE, Property.RECURRENCE_ID, Property.DTSTART, Property.DTEND,
            Property.DURATION, Property.DUE, Property.SUMMARY, Property.COMMENT, Property.STATUS);

    private ItipComposer() {
    }

    /** METHOD:REQUEST with every component of the organizer's copy (RFC 6638 §3.2.1). */
    static byte[] request(ScheduledObject organizerCopy, Instant now) {
        return request(organizerCopy, Set.of(), now);
    }

    /**
     * METHOD:REQUEST for attendees who are not in some instances (RFC 6638 §3.2): those overrides are left out,
     * and the master, if they are in it, excludes them (EXDATE), so that they see only the instances they attend.
     *
     * @param without the RECURRENCE-IDs of the components the recipients are not in ("" for the master)
     */
    static byte[] request(ScheduledObject organizerCopy, Set<String> without, Instant now) {
        Calendar cal = organizerCopy.calendar();
        withMethod(cal, Method.VALUE_REQUEST);
        if (!without.isEmpty()) {
            CalendarComponent master = organizerCopy.master().orElse(null);
            for (CalendarComponent c : organizerCopy.components()) {
                String rid = ScheduledObject.recurrenceId(c);
                if (!without.contains(rid)) {
                    continue;
                }
                cal.remove(c);
                if (c != master && master != null && !without.contains("")) {
                    Property id = c.<Property>getProperty(Property.RECURRENCE_ID).orElseThrow();
                    ((PropertyContainer) master).add(new net.fortuna.ical4j.model.property.ExDate<>(
                            new ParameterList(id.getParameters()), id.getValue()));
                }
            }
        }
        for (CalendarComponent c : organizerCopy.components()) {
            ScheduledObject.removeAlarms(c);
            ScheduledObject.stripServerParameters(c);
            ScheduledObject.stamp(c, now);
        }
        return organizerCopy.bytes();
    }

    /**
     * METHOD:CANCEL of the whole event for these attendees: the master component, reduced to what a CANCEL
     * carries, with STATUS:CANCELLED.
     */
    static byte[] cancel(ScheduledObject organizerCopy, Set<CalendarUserAddress> attendees, Instant now) {
        Calendar cal = organizerCopy.calendar();
        withMethod(cal, Method.VALUE_CANCEL);
        List<CalendarComponent> components = organizerCopy.components();
        CalendarComponent master = components.stream()
                .filter(c -> c.getProperty(Property.RECURRENCE_ID).isEmpty()).findFirst().orElse(components.get(0));
        for (CalendarComponent c : components) {
            if (c != master) {
                cal.remove(c);
            }
        }
        ScheduledObject.removeAlarms(master);
        PropertyContainer props = master;
        props.removeIf(p -> !CANCEL.contains(p.getName().toUpperCase(Locale.ROOT))
                || (p.getName().equalsIgnoreCase(Property.ATTENDEE)
                && !CalendarUserAddress.parse(p.getValue()).map(attendees::contains).orElse(false)));
        Set<CalendarUserAddress> named = new java.util.HashSet<>();
        for (Property p : master.<Property>getProperties(Property.ATTENDEE)) {
            CalendarUserAddress.parse(p.getValue()).ifPresent(named::add);
        }
        for (CalendarUserAddress a : attendees) {
            if (!named.contains(a)) {
                props.add(new Attendee(java.net.URI.create(a.uri())));
            }
        }
        // RFC 5546 §2.1.4: a cancellation is a change attendees must not mistake for an older message
        props.replace(new Sequence(ScheduledObject.sequence(master) + 1));
        props.replace(new Status(Status.VALUE_CANCELLED));
        ScheduledObject.stripServerParameters(master);
        ScheduledObject.stamp(master, now);
        return organizerCopy.bytes();
    }

    /**
     * METHOD:CANCEL of some instances of a series for these attendees (RFC 5546 §3.2.5): one component per
     * instance, named by its RECURRENCE-ID in UTC (or as a date, for an all-day series).
     */
    static byte[] cancelInstances(ScheduledObject organizerCopy, Set<CalendarUserAddress> attendees,
                                  Set<Instant> instances, Instant now) {
        Calendar cal = organizerCopy.calendar();
        withMethod(cal, Method.VALUE_CANCEL);
        List<CalendarComponent> components = organizerCopy.components();
        CalendarComponent master = components.stream()
                .filter(c -> c.getProperty(Property.RECURRENCE_ID).isEmpty()).findFirst().orElse(components.get(0));
        boolean allDay = ScheduledObject.allDay(master);
        for (CalendarComponent c : components) {
            cal.remove(c);
        }
        int sequence = ScheduledObject.sequence(master) + 1;
        for (Instant at : new java.util.TreeSet<>(instances)) {
            CalendarComponent one = (CalendarComponent) master.copy();
            ScheduledObject.removeAlarms(one);
            PropertyContainer props = one;
            props.removeIf(p -> !CANCEL.contains(p.getName().toUpperCase(Locale.ROOT))
                    || p.getName().equalsIgnoreCase(Property.DTSTART) || p.getName().equalsIgnoreCase(Property.DTEND)
                    || p.getName().equalsIgnoreCase(Property.DURATION)
                    || (p.getName().equalsIgnoreCase(Property.ATTENDEE)
                    && !CalendarUserAddress.parse(p.getValue()).map(attendees::contains).orElse(false)));
            props.replace(new RecurrenceId<>(ScheduledObject.instanceParameters(allDay),
                    ScheduledObject.instanceValue(at, allDay)));
            props.replace(new Sequence(sequence));
            props.replace(new Status(Status.VALUE_CANCELLED));
            ScheduledObject.stripServerParameters(one);
            ScheduledObject.stamp(one, now);
            cal.add(one);
        }
        return organizerCopy.bytes();
    }



    /**
     * METHOD:REPLY from one attendee (RFC 6638 §3.2.2): each component that names them, with their ATTENDEE line
     * only.
     */
    static byte[] reply(ScheduledObject attendeeCopy, Set<CalendarUserAddress> attendee, Instant now) {
        Calendar cal = attendeeCopy.calendar();
        withMethod(cal, Method.VALUE_REPLY);
        for (CalendarComponent c : attendeeCopy.components()) {
            List<Property> mine = ScheduledObject.attendees(c, attendee);
            if (mine.isEmpty()) {
                cal.remove(c);
                continue;
            }
            Property me = mine.get(0);
            ScheduledObject.removeAlarms(c);
            PropertyContainer props = c;
            props.removeIf(p -> !REPLY.contains(p.getName().toUpperCase(Locale.ROOT))
                    || (p.getName().equalsIgnoreCase(Property.ATTENDEE) && p != me));
            ScheduledObject.stripServerParameters(c);
            ScheduledObject.stamp(c, now);
        }
        // a REPLY may carry one VTIMEZONE (RFC 5546 §3.2.3); recipients resolve standard zone names themselves
        List<CalendarComponent> zones = new ArrayList<>();
        for (CalendarComponent c : cal.<CalendarComponent>getComponents()) {
            if (c.getName().equals(Component.VTIMEZONE)) {
                zones.add(c);
            }
        }
        for (int i = 1; i < zones.size(); i++) {
            cal.remove(zones.get(i));
        }
        return attendeeCopy.bytes();
    }

    private static void withMethod(Calendar cal, String method) {
        cal.removeAll(Property.METHOD);
        cal.add(new Method(method));
    }
}
