package dev.inboxguard.api;

import java.util.Locale;

/** What happens to a message. Declared from least to most severe; a verdict takes the most severe. */
public enum Action {
    /** Into the inbox untouched (apart from the guard's sanitising). */
    DELIVER,
    /** Delivered, with the findings kept beside it and visible to the recipient. */
    FLAG,
    /** Kept in quarantine until the approver approves or denies it. */
    HOLD,
    /** Not delivered; the sender is told why through the REQUEST-STATUS. */
    REJECT;

    /** @return the lower-case name used in configuration and JSON */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param other another action
     * @return the more severe of the two
     */
    public Action max(Action other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
