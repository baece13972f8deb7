package dev.inboxguard.api;

/** How a scheduling message reached the guard. */
public enum Transport {
    /** RFC 6638: a local user's CalDAV client scheduled it (implicitly, or by POST to its outbox). */
    CALDAV,
    /** RFC 6047: it arrived by e-mail. */
    IMIP;

    /** @return the lower-case name used in configuration and JSON ({@code caldav}, {@code imip}) */
    public String id() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
