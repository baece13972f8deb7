package dev.inboxguard.scheduling;

import dev.inboxguard.api.CalendarUserAddress;

/**
 * An iTIP message for a calendar user on another system, to be sent as iMIP (RFC 6047).
 *
 * @param from     the local calendar user it is from (the organizer, or the replying attendee)
 * @param to       the remote calendar user
 * @param method   its METHOD
 * @param uid      the UID it schedules
 * @param calendar the iCalendar text
 */
public record OutgoingItip(CalendarUserAddress from, CalendarUserAddress to, String method, String uid,
                           byte[] calendar) {
}
