package dev.inboxguard.scheduling;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.engine.InboxCopy;
import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.fortuna.ical4j.data.CalendarOutputter;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.ComponentContainer;
import net.fortuna.ical4j.model.Parameter;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.PropertyContainer;
import net.fortuna.ical4j.model.component.CalendarComponent;
import net.fortuna.ical4j.model.parameter.PartStat;
import net.fortuna.ical4j.model.parameter.XParameter;
import net.fortuna.ical4j.model.property.DtStamp;

/**
 * A calendar object read for scheduling: its scheduling components (VEVENT, VTODO, VJOURNAL), who organizes and
 * who attends. Each instance wraps a model that belongs to one caller, so it may be changed and written out again:
 * a fresh parse ({@link #read}), or a model that caller read already ({@link #of}), whose earlier users only look.
 */
final class ScheduledObject {
    static final String SCHEDULE_AGENT = "SCHEDULE-AGENT";
    static final String SCHEDULE_STATUS = "SCHEDULE-STATUS";
    static final String SCHEDULE_FORCE_SEND = "SCHEDULE-FORCE-SEND";
    private static final Set<String> KINDS = Set.of(Component.VEVENT, Component.VTODO, Component.VJOURNAL);

    private final Calendar calendar;

    private ScheduledObject(Calendar calendar) {
        this.calendar = calendar;
    }

    /** @return an object already read, which the caller now owns and may change */
    static ScheduledObject of(Calendar calendar) {
        return new ScheduledObject(calendar);
    }

    /** @return the object, or empty if it cannot be read within the limits */
    static Optional<ScheduledObject> read(CalendarReader reader, byte[] data) {
        CalendarRead read = reader.read(data);
        if (read instanceof CalendarRead.Parsed parsed) {
            return Optional.of(new ScheduledObject(parsed.calendar()));
        }
        return Optional.empty();
    }

    Calendar calendar() {
        return calendar;
    }

    List<CalendarComponent> components() {
        List<CalendarComponent> out = new ArrayList<>();
        for (CalendarComponent c : calendar.<CalendarComponent>getComponents()) {
            if (KINDS.contains(c.getName())) {
                out.add(c);
            }
        }
        return out;
    }

    Optional<String> uid() {
        for (CalendarComponent c : components()) {
            Optional<Property> uid = c.getProperty(Property.UID);
            if (uid.isPresent()) {
                return Optional.of(uid.get().getValue());
            }
        }
        return Optional.empty();
    }

    Optional<String> method() {
        return calendar.<Property>getProperty(Property.METHOD).map(p -> p.getValue().toUpperCase(Locale.ROOT));
    }

    Optional<String> summary() {
        for (CalendarComponent c : components()) {
            Optional<Property> p = c.getProperty(Property.SUMMARY);
            if (p.isPresent()) {
                return Optional.of(p.get().getValue());
            }
        }
        return Optional.empty();
    }

    Optional<Property> organizerProperty() {
        for (CalendarComponent c : components()) {
            Optional<Property> p = c.getProperty(Property.ORGANIZER);
            if (p.isPresent()) {
                return p;
            }
        }
        return Optional.empty();
    }

    Optional<CalendarUserAddress> organizer() {
        return organizerProperty().flatMap(p -> CalendarUserAddress.parse(p.getValue()));
    }

    /** @return true if the server schedules for this property (SCHEDULE-AGENT absent or SERVER, RFC 6638 §7.1) */
    static boolean serverSchedules(Property p) {
        return p.<Parameter>getParameter(SCHEDULE_AGENT).map(a -> a.getValue().equalsIgnoreCase("SERVER"))
                .orElse(true);
    }

    /** @return the attendees the server schedules, in order of appearance, across all components */
    Set<CalendarUserAddress> scheduledAttendees() {
        Set<CalendarUserAddress> out = new LinkedHashSet<>();
        for (CalendarComponent c : components()) {
            for (Property p : c.<Property>getProperties(Property.ATTENDEE)) {
                if (serverSchedules(p)) {
                    CalendarUserAddress.parse(p.getValue()).ifPresent(out::add);
                }
            }
        }
        return out;
    }

    /**
     * @param property ATTENDEE or ORGANIZER
     * @param value    REQUEST or REPLY
     * @return the addresses of those properties that carry SCHEDULE-FORCE-SEND with that value (RFC 6638 §7.2)
     */
    Set<CalendarUserAddress> forced(String property, String value) {
        Set<CalendarUserAddress> out = new LinkedHashSet<>();
        for (CalendarComponent c : components()) {
            for (Property p : c.<Property>getProperties(property)) {
                if (p.<Parameter>getParameter(SCHEDULE_FORCE_SEND).map(x -> x.getValue().equalsIgnoreCase(value))
                        .orElse(false)) {
                    CalendarUserAddress.parse(p.getValue()).ifPresent(out::add);
                }
            }
        }
        return out;
    }

    /** @return the ATTENDEE properties of one component naming any of these addresses */
    static List<Property> attendees(CalendarComponent c, Set<CalendarUserAddress> who) {
        List<Property> out = new ArrayList<>();
        for (Property p : c.<Property>getProperties(Property.ATTENDEE)) {
            if (CalendarUserAddress.parse(p.getValue()).map(who::contains).orElse(false)) {
                out.add(p);
            }
        }
        return out;
    }

    /** @return each component's PARTSTAT for this attendee, keyed by RECURRENCE-ID ("" for the master) */
    Map<String, String> partstats(Set<CalendarUserAddress> who) {
        Map<String, String> out = new LinkedHashMap<>();
        for (CalendarComponent c : components()) {
            for (Property p : attendees(c, who)) {
                out.put(recurrenceId(c), p.<Parameter>getParameter(Parameter.PARTSTAT).map(Parameter::getValue)
                        .orElse("NEEDS-ACTION").toUpperCase(Locale.ROOT));
            }
        }
        return out;
    }

    /** @return the component's SEQUENCE, 0 when absent or unreadable */
    static int sequence(CalendarComponent c) {
        try {
            return c.<Property>getProperty(Property.SEQUENCE).map(p -> Integer.parseInt(p.getValue().strip()))
                    .orElse(0);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** @return the instant a RECURRENCE-ID names (dates at midnight UTC), if the component has one */
    static Optional<java.time.Instant> recurrenceInstant(CalendarComponent c) {
        return c.<Property>getProperty(Property.RECURRENCE_ID).flatMap(dev.inboxguard.calendar.ObjectSpan::instant);
    }

    /** @return true if the component's DTSTART is a DATE (an all-day event) */
    static boolean allDay(CalendarComponent c) {
        return c.<Property>getProperty(Property.DTSTART).map(p -> p.getValue().strip().length() == 8).orElse(false);
    }

    /**
     * The parameters of a date property that names one instance, as this server writes it: VALUE=DATE for an
     * all-day series, none for a time, which {@link #instanceValue} writes in UTC.
     */
    static net.fortuna.ical4j.model.ParameterList instanceParameters(boolean allDay) {
        return allDay ? new net.fortuna.ical4j.model.ParameterList(List.of(
                net.fortuna.ical4j.model.parameter.Value.DATE)) : new net.fortuna.ical4j.model.ParameterList();
    }

    /** @return an instant as this server writes a RECURRENCE-ID, EXDATE, DTSTART or DTEND: UTC, or a date */
    static String instanceValue(java.time.Instant at, boolean allDay) {
        return (allDay ? INSTANCE_DATE : INSTANCE_UTC).format(at);
    }

    private static final java.time.format.DateTimeFormatter INSTANCE_UTC = java.time.format.DateTimeFormatter
            .ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(java.time.ZoneOffset.UTC);
    private static final java.time.format.DateTimeFormatter INSTANCE_DATE = java.time.format.DateTimeFormatter
            .ofPattern("yyyyMMdd", Locale.ROOT).withZone(java.time.ZoneOffset.UTC);

    /** @return the master component (no RECURRENCE-ID), if there is one */
    Optional<CalendarComponent> master() {
        return components().stream().filter(c -> c.getProperty(Property.RECURRENCE_ID).isEmpty()).findFirst();
    }

    /** @return the instants the master's EXDATEs exclude */
    static Set<java.time.Instant> exdates(CalendarComponent c) {
        Set<java.time.Instant> out = new java.util.HashSet<>();
        for (Property p : c.<Property>getProperties(Property.EXDATE)) {
            if (p instanceof net.fortuna.ical4j.model.property.DateListProperty<?> list) {
                try {
                    for (Object d : list.getDates()) {
                        instantOf((java.time.temporal.Temporal) d).ifPresent(out::add);
                    }
                } catch (RuntimeException e) {
                    // an EXDATE that cannot be read excludes nothing the server can name
                }
            }
        }
        return out;
    }

    private static Optional<java.time.Instant> instantOf(java.time.temporal.Temporal t) {
        if (t instanceof java.time.ZonedDateTime z) {
            return Optional.of(z.toInstant());
        }
        if (t instanceof java.time.OffsetDateTime o) {
            return Optional.of(o.toInstant());
        }
        if (t instanceof java.time.Instant i) {
            return Optional.of(i);
        }
        if (t instanceof java.time.LocalDateTime l) {
            return Optional.of(l.toInstant(java.time.ZoneOffset.UTC));
        }
        if (t instanceof java.time.LocalDate d) {
            return Optional.of(d.atStartOfDay().toInstant(java.time.ZoneOffset.UTC));
        }
        return Optional.empty();
    }

    static String recurrenceId(CalendarComponent c) {
        return c.<Property>getProperty(Property.RECURRENCE_ID).map(Property::getValue).orElse("");
    }

    /**
     * What an attendee must be told about when it changes: everything but replies' traces (PARTSTAT, RSVP,
     * SCHEDULE-STATUS), DTSTAMP, LAST-MODIFIED and alarms. An organizer's client that only records a reply sends
     * no new REQUEST.
     */
    String fingerprint() {
        StringBuilder b = new StringBuilder();
        for (CalendarComponent c : components()) {
            b.append(c.getName()).append('\n');
            for (Property p : c.<Property>getProperties()) {
                String name = p.getName().toUpperCase(Locale.ROOT);
                if (name.equals(Property.DTSTAMP) || name.equals(Property.LAST_MODIFIED) || name.startsWith("X-")) {
                    continue;
                }
                if (name.equals(Property.ATTENDEE) || name.equals(Property.ORGANIZER)) {
                    // ical4j shares constant instances of some properties (STATUS, TRANSP), never of these two
                    Property copy = p.copy();
                    copy.removeAll(Parameter.PARTSTAT, Parameter.RSVP, SCHEDULE_STATUS, SCHEDULE_FORCE_SEND);
                    b.append(copy);
                } else {
                    b.append(p);
                }
            }
        }
        return b.toString();
    }

    /** Removes the scheduling parameters that are for the organizer's server only (RFC 6638 §7). */
    static void stripServerParameters(CalendarComponent c) {
        for (Property p : c.<Property>getProperties(Property.ATTENDEE, Property.ORGANIZER)) {
            p.removeAll(SCHEDULE_AGENT, SCHEDULE_STATUS, SCHEDULE_FORCE_SEND);
        }
    }

    @SuppressWarnings("unchecked")
    static void removeAlarms(CalendarComponent c) {
        if (c instanceof ComponentContainer<?> container) {
            ComponentContainer<Component> children = (ComponentContainer<Component>) container;
            for (Component child : new ArrayList<>(children.getComponentList().getAll())) {
                if (child.getName().equals(Component.VALARM)) {
                    children.remove(child);
                }
            }
        }
    }

    static void stamp(CalendarComponent c, Instant now) {
        ((PropertyContainer) c).replace(new DtStamp(now));
    }

    /**
     * Accepting a flagged invitation ends its quarantine from free-busy: the TRANSP the organizer sent comes back
     * (it was kept in {@link InboxCopy#ORIGINAL_TRANSP}), unless the attendee chose another one meanwhile.
     *
     * @param c        the attendee's component, as it is about to be stored
     * @param original the TRANSP the organizer sent, from this component or the stored copy before it
     */
    static void restoreTransparency(CalendarComponent c, Optional<String> original) {
        Optional<String> own = c.<Property>getProperty(InboxCopy.ORIGINAL_TRANSP).map(Property::getValue);
        Optional<String> value = own.or(() -> original);
        ((PropertyContainer) c).removeAll(InboxCopy.ORIGINAL_TRANSP);
        if (value.isEmpty()) {
            return;
        }
        boolean stillTransparent = c.<Property>getProperty(Property.TRANSP).map(Property::getValue)
                .map(v -> v.equalsIgnoreCase("TRANSPARENT")).orElse(true);
        if (stillTransparent) {
            ((PropertyContainer) c).removeAll(Property.TRANSP);
            ((PropertyContainer) c).add(new net.fortuna.ical4j.model.property.Transp(
                    value.get().equalsIgnoreCase("TRANSPARENT") ? "TRANSPARENT" : "OPAQUE"));
        }
    }

    /**
     * @param object an object
     * @param rid    a RECURRENCE-ID value, or empty for the master
     * @return the TRANSP the guard set aside in that instance, if it did
     */
    static Optional<String> originalTransparency(ScheduledObject object, String rid) {
        for (CalendarComponent c : object.components()) {
            if (recurrenceId(c).equals(rid)) {
                return c.<Property>getProperty(InboxCopy.ORIGINAL_TRANSP).map(Property::getValue);
            }
        }
        return Optional.empty();
    }

    static void setPartstat(Property attendee, String partstat) {
        attendee.replace(new PartStat(partstat));
    }

    static void setScheduleStatus(Property p, String code) {
        p.removeAll(SCHEDULE_STATUS);
        p.add(new XParameter(SCHEDULE_STATUS, code));
    }

    byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStreamWriter writer = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
            new CalendarOutputter(false).output(calendar, writer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
