package dev.inboxguard.api;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Property;

/**
 * One inbound iTIP message on its way to one recipient's scheduling inbox.
 *
 * <p>The guard builds it only from input that passed its size limits, with ical4j hardened (no network, no
 * timezone registration). Checks must treat {@link #calendar()} as read-only: the same object is shown to every
 * check in the chain.
 */
public final class SchedulingMessage {
    private final Calendar calendar;
    private final Optional<ItipMethod> method;
    private final byte[] raw;
    private final CalendarUserAddress recipient;
    private final TransportFacts transport;

    /**
     * @param calendar  the parsed iTIP object
     * @param raw       the iCalendar bytes it was parsed from (copied)
     * @param recipient the calendar user whose inbox it is for
     * @param transport how it arrived
     */
    public SchedulingMessage(Calendar calendar, byte[] raw, CalendarUserAddress recipient,
                             TransportFacts transport) {
        this.calendar = Objects.requireNonNull(calendar, "calendar");
        this.raw = raw.clone();
        this.recipient = Objects.requireNonNull(recipient, "recipient");
        this.transport = Objects.requireNonNull(transport, "transport");
        this.method = calendar.getProperty(Property.METHOD).flatMap(p -> ItipMethod.parse(p.getValue()));
    }

    /** @return the parsed iTIP object; do not modify it */
    public Calendar calendar() {
        return calendar;
    }

    /** @return the METHOD, or empty if it is missing or not one of RFC 5546's */
    public Optional<ItipMethod> method() {
        return method;
    }

    /** @return the raw iCalendar bytes, read-only */
    public ByteBuffer raw() {
        return ByteBuffer.wrap(raw).asReadOnlyBuffer();
    }

    /** @return the recipient: the owner of the scheduling inbox */
    public CalendarUserAddress recipient() {
        return recipient;
    }

    /** @return how the message arrived */
    public TransportFacts transport() {
        return transport;
    }

    /**
     * @return the scheduling components (VEVENT, VTODO, VJOURNAL, VFREEBUSY), in message order; VTIMEZONE and
     * other supporting components are left out
     */
    public List<Component> schedulingComponents() {
        return calendar.getComponents().stream()
                .filter(c -> SCHEDULING_COMPONENTS.contains(c.getName()))
                .map(c -> (Component) c)
                .toList();
    }

    /** @return the UID of the first scheduling component, if any */
    public Optional<String> uid() {
        return schedulingComponents().stream()
                .map(c -> c.<Property>getProperty(Property.UID))
                .flatMap(Optional::stream)
                .map(Property::getValue)
                .findFirst();
    }

    private static final List<String> SCHEDULING_COMPONENTS =
            List.of(Component.VEVENT, Component.VTODO, Component.VJOURNAL, Component.VFREEBUSY);
}
