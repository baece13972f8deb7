package dev.inboxguard.approval;

import dev.inboxguard.calendar.EventDescription;

import java.util.List;

/**
 * An event's facts for the page; each part is empty when the event does not say.
 *
 * @param title      its title
 * @param when       start and end in words
 * @param recurrence how it repeats, in words
 * @param where      its place
 * @param organizer  who organizes it
 * @param guests     who else is invited
 */
public record EventView(String title, String when, String recurrence, String where, String organizer,
                        List<String> guests) {
    static EventView of(EventDescription d) {
        return new EventView(d.title(), d.when(), d.recurrence(), d.where(), d.organizer(), d.guests());
    }
}
