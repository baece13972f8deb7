package dev.inboxguard.ratelimit;

import java.time.Instant;
import java.util.List;

/**
 * Counts messages against limits: in memory on a single node ({@link TokenBuckets}), or in the database that
 * several nodes share ({@code dev.inboxguard.storage.SqlRateLimits}), so that the limits hold across the cluster.
 */
public interface RateLimiter {

    /**
     * One limit a message counts against.
     *
     * @param key     what is counted, e.g. {@code sender:mailto:mallory@example.net}
     * @param burst   the bucket's size: messages allowed at once
     * @param perHour how fast the bucket refills
     */
    record Limit(String key, int burst, int perHour) {
    }

    /**
     * Takes one message from every bucket, or from none: a message refused by one limit does not use up the
     * others, so a sender over its own limit cannot also drain a recipient's.
     *
     * @param limits the limits the message counts against
     * @param now    the time of the message
     * @return the limits it is over; empty if it was counted
     */
    List<Limit> tryTakeAll(List<Limit> limits, Instant now);

    /**
     * Puts back the token a message took from each bucket, for a message that was counted and then went nowhere: the
     * database failed to deliver or queue it. A bucket holds no more than its burst, and one forgotten meanwhile
     * (pruned or swept) is not made again.
     *
     * @param limits the limits the message was counted against
     * @param now    the time
     */
    void giveBack(List<Limit> limits, Instant now);
}
