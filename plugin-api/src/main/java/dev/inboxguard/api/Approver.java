package dev.inboxguard.api;

import java.util.Locale;

/** Who decides about a held message. */
public enum Approver {
    /** The owner of the inbox, e.g. for an invitation from an unknown sender. */
    RECIPIENT,
    /** The organizer of the event, e.g. for a reply from a party crasher. */
    ORGANIZER;

    /** @return the lower-case name used in configuration and JSON */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
