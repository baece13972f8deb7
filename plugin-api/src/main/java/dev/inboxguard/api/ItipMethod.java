package dev.inboxguard.api;

import java.util.Locale;
import java.util.Optional;

/** The iTIP methods of RFC 5546 §1.4. */
public enum ItipMethod {
    /** Post an object without expecting replies. */
    PUBLISH,
    /** Invite, update or reschedule. */
    REQUEST,
    /** An attendee answers. */
    REPLY,
    /** Add instances to an existing recurring object. */
    ADD,
    /** Cancel an object or some of its instances. */
    CANCEL,
    /** An attendee asks for the latest version. */
    REFRESH,
    /** An attendee proposes a change. */
    COUNTER,
    /** The organizer declines a counter proposal. */
    DECLINECOUNTER;

    /**
     * @return true for the methods the organizer sends (PUBLISH, REQUEST, ADD, CANCEL, DECLINECOUNTER); false for
     * the attendee's (REPLY, COUNTER, REFRESH)
     */
    public boolean fromOrganizer() {
        return this != REPLY && this != COUNTER && this != REFRESH;
    }

    /**
     * @param value a METHOD property value, in any case
     * @return the method, or empty if the value names none of RFC 5546's methods
     */
    public static Optional<ItipMethod> parse(String value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(value.strip().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
