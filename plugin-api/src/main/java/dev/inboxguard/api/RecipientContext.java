package dev.inboxguard.api;

import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import net.fortuna.ical4j.model.Calendar;

/**
 * What a check may read about the recipient of a message. Implementations answer from the recipient's own data
 * only; a check never sees another user's calendar.
 */
public interface RecipientContext {

    /** @return the recipient's address the message was addressed to */
    CalendarUserAddress address();

    /**
     * @return every address of the recipient (the calendar-user-address-set), including {@link #address()}, so
     * checks can recognise the recipient under an alias
     */
    Set<CalendarUserAddress> addresses();

    /**
     * @param uid an iCalendar UID
     * @return the recipient's stored copy of the object with this UID (for an organizer, the organizer's copy), or
     * empty if the recipient holds none. Treat it as read-only.
     */
    Optional<Calendar> storedCopy(String uid);

    /**
     * @param sender a calendar user address
     * @return true if the recipient knows this sender (an entry on their own allow list, or someone they scheduled
     * with before: invited, answered, or took an invitation from)
     */
    boolean knowsSender(CalendarUserAddress sender);

    /**
     * @param sender a calendar user address
     * @return true if the recipient has blocked this sender, by address or by domain. The default blocks nobody.
     */
    default boolean blocks(CalendarUserAddress sender) {
        return false;
    }

    /**
     * @return the recipient's own choice of which invitations are added automatically: {@code everyone},
     * {@code known} (senders only) or {@code never}; empty to follow the operator's setting (the default)
     */
    default Optional<String> invitations() {
        return Optional.empty();
    }

    /** @return the clock to use as "now", so checks are reproducible */
    Clock clock();
}
