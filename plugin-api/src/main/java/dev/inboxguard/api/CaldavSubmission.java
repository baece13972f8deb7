package dev.inboxguard.api;

import java.util.Objects;
import java.util.Set;

/**
 * Transport facts of a message scheduled by a local CalDAV user (RFC 6638).
 *
 * @param principal          the authenticated principal's name, as the server knows it
 * @param principalAddresses the calendar user addresses the principal owns (its calendar-user-address-set)
 */
public record CaldavSubmission(String principal, Set<CalendarUserAddress> principalAddresses)
        implements TransportFacts {

    /** Copies the address set, so the facts cannot change after construction. */
    public CaldavSubmission {
        Objects.requireNonNull(principal, "principal");
        principalAddresses = Set.copyOf(principalAddresses);
    }

    @Override
    public Transport transport() {
        return Transport.CALDAV;
    }
}
