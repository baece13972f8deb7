package dev.inboxguard.server;

import java.time.Duration;

/**
 * One time limit for a whole stop. Each of the server's parts waits for its own work in progress; with only a wait of
 * their own each, one after another, the waits added up to minutes, longer than a service manager waits before it
 * kills the process (systemd: 90 s). Each part now waits at most its own wait and at most what is left of the stop.
 */
public final class StopDeadline {
    /** No limit beyond each part's own wait: what a part's plain {@code close()} uses. */
    public static final StopDeadline NONE = new StopDeadline(Long.MAX_VALUE);

    private final long endNanos;

    private StopDeadline(long endNanos) {
        this.endNanos = endNanos;
    }

    /**
     * @param total the time the whole stop may take from now
     * @return the deadline
     */
    public static StopDeadline in(Duration total) {
        return new StopDeadline(System.nanoTime() + total.toNanos());
    }

    /**
     * @param own how long the part would wait on its own
     * @return the shorter of {@code own} and what is left before the deadline, never negative
     */
    public Duration within(Duration own) {
        if (endNanos == Long.MAX_VALUE) {
            return own;
        }
        long left = Math.max(0, endNanos - System.nanoTime());
        return Duration.ofNanos(Math.min(own.toNanos(), left));
    }
}
