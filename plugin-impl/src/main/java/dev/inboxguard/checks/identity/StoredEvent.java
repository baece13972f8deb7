package dev.inboxguard.checks.identity;

import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.api.SchedulingMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.component.CalendarComponent;

/** The recipient's stored copy of the event a message is about: its master and its overridden instances. */
record StoredEvent(List<Component> components) {

    /**
     * @param message   the inbound message
     * @param recipient the recipient
     * @return the stored copy with the message's UID, if the recipient holds one
     */
    static Optional<StoredEvent> of(SchedulingMessage message, RecipientContext recipient) {
        return of(message.uid(), recipient);
    }

    /**
     * @param component a component of the message
     * @param recipient the recipient
     * @return the stored copy with that component's UID (a PUBLISH may carry several UIDs)
     */
    static Optional<StoredEvent> of(Component component, RecipientContext recipient) {
        return of(component.<Property>getProperty(Property.UID).map(Property::getValue), recipient);
    }

    private static Optional<StoredEvent> of(Optional<String> uid, RecipientContext recipient) {
        if (uid.isEmpty()) {
            return Optional.empty();
        }
        Optional<Calendar> stored = recipient.storedCopy(uid.get());
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        List<Component> same = new ArrayList<>();
        for (CalendarComponent c : stored.get().<CalendarComponent>getComponents()) {
            if (c.<Property>getProperty(Property.UID).map(Property::getValue).filter(uid.get()::equals).isPresent()) {
                same.add(c);
            }
        }
        return same.isEmpty() ? Optional.empty() : Optional.of(new StoredEvent(same));
    }

    /** @return the master component (no RECURRENCE-ID), or the first one */
    Component master() {
        return components.stream().filter(c -> c.getProperty(Property.RECURRENCE_ID).isEmpty()).findFirst()
                .orElse(components.get(0));
    }

    /**
     * @param incoming a component of the message
     * @return the stored component for the same instance: the override with its RECURRENCE-ID, else the master
     */
    Component matching(Component incoming) {
        Optional<String> id = incoming.<Property>getProperty(Property.RECURRENCE_ID).map(Property::getValue);
        if (id.isPresent()) {
            for (Component c : components) {
                if (c.<Property>getProperty(Property.RECURRENCE_ID).map(Property::getValue).equals(id)) {
                    return c;
                }
            }
        }
        return master();
    }

    /** @return every attendee of every stored instance */
    List<Participant> attendees() {
        List<Participant> out = new ArrayList<>();
        for (Component c : components) {
            out.addAll(Participant.attendees(c));
        }
        return out;
    }
}
