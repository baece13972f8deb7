package dev.inboxguard.ratelimit;

import java.time.Instant;

/**
 * Counts messages against limits. In memory on one node now ({@link TokenBuckets}); a store shared by several
 * nodes implements the same interface later, so the limits hold across the cluster.
 */
public interface RateLimiter {

    /**
     * Takes one message from the bucket for this key, if there is one to take.
     *
     * @param key     what is counted, e.g. {@code sender:mailto:mallory@example.net}
     * @param burst   the bucket's size: messages allowed at once
     * @param perHour how fast the bucket refills
     * @param now     the time of the message
     * @return true if the message is within the limit
     */
    boolean tryTake(String key, int burst, int perHour, Instant now);
}
