package dev.inboxguard.checks.identity;

import dev.inboxguard.api.Check;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.ItipMethod;
import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.api.RequestStatus;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.api.Severity;
import dev.inboxguard.identity.CalendarUserDirectory;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Property;

/**
 * Holds a message against the recipient's stored copy (RFC 5546 §2.1.5 and §6.1.3): a message about an event the
 * recipient does not hold ({@code event.unknown}), one older than the stored copy ({@code event.stale}: SEQUENCE,
 * then DTSTAMP for the organizer's messages), and one that would replace the ORGANIZER ({@code organizer.changed}).
 */
public final class StoredCopyCheck implements Check {
    static final RequestStatus INVALID_VALUE = RequestStatus.INVALID_PROPERTY_VALUE;
    /** Methods that only make sense for an event the recipient already holds. */
    private static final Set<ItipMethod> NEED_STORED = EnumSet.of(ItipMethod.REPLY, ItipMethod.COUNTER,
            ItipMethod.REFRESH, ItipMethod.CANCEL, ItipMethod.ADD, ItipMethod.DECLINECOUNTER);

    private final CalendarUserDirectory directory;

    /** @param directory who is who */
    @Inject
    public StoredCopyCheck(CalendarUserDirectory directory) {
        this.directory = directory;
    }

    @Override
    public List<Finding> inspect(SchedulingMessage message, RecipientContext recipient) {
        Optional<ItipMethod> method = message.method();
        if (method.isEmpty()) {
            return List.of();
        }
        List<Finding> out = new ArrayList<>();
        for (Component c : message.schedulingComponents()) {
            // looked up per component: a PUBLISH may carry several UIDs
            Optional<StoredEvent> stored = StoredEvent.of(c, recipient);
            if (stored.isEmpty()) {
                if (NEED_STORED.contains(method.get())) {
                    String uid = c.<Property>getProperty(Property.UID).map(Property::getValue).orElse("?");
                    out.add(Finding.of(FindingCode.EVENT_UNKNOWN, Severity.MEDIUM, "a " + method.get()
                            + " for an event the recipient does not hold (UID " + uid + ")")
                            .about(Property.UID, uid).withRequestStatus(INVALID_VALUE));
                }
                continue;
            }
            Optional<Participant> storedOrganizer = Participant.organizer(stored.get().master());
            Component mine = stored.get().matching(c);
            int incoming = sequence(c);
            int current = sequence(mine);
            // a REFRESH asks for the current version and carries no version of its own
            boolean versioned = method.get() != ItipMethod.REFRESH;
            if (versioned && incoming < current) {
                out.add(Finding.of(FindingCode.EVENT_STALE, Severity.MEDIUM, "SEQUENCE " + incoming
                        + " is older than the recipient's copy (SEQUENCE " + current + ")")
                        .about(Property.SEQUENCE, String.valueOf(incoming)).withRequestStatus(INVALID_VALUE));
            } else if (incoming == current && method.get().fromOrganizer()) {
                Optional<String> stamp = value(c, Property.DTSTAMP);
                Optional<String> storedStamp = value(mine, Property.DTSTAMP);
                // DTSTAMP values are UTC and written alike, so they order as text
                if (stamp.isPresent() && storedStamp.isPresent() && stamp.get().compareTo(storedStamp.get()) < 0) {
                    out.add(Finding.of(FindingCode.EVENT_STALE, Severity.MEDIUM, "same SEQUENCE as the recipient's "
                            + "copy but an older DTSTAMP (" + stamp.get() + " before " + storedStamp.get() + ")")
                            .about(Property.DTSTAMP, stamp.get()).withRequestStatus(INVALID_VALUE));
                }
            }
            Optional<Participant> organizer = Participant.organizer(c);
            if (organizer.isPresent() && storedOrganizer.isPresent()
                    && !directory.same(organizer.get().address(), storedOrganizer.get().address())) {
                out.add(Finding.of(FindingCode.ORGANIZER_CHANGED, Severity.HIGH, "the message names "
                        + organizer.get().address() + " as organizer of an event that " + storedOrganizer.get()
                        .address() + " organizes").about(Property.ORGANIZER, organizer.get().address().uri())
                        .withRequestStatus(RequestStatus.NO_AUTHORITY));
            }
        }
        return out.stream().distinct().toList();
    }

    private static int sequence(Component c) {
        try {
            return value(c, Property.SEQUENCE).map(String::strip).map(Integer::parseInt).orElse(0);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Optional<String> value(Component c, String name) {
        return c.<Property>getProperty(name).map(Property::getValue);
    }
}
