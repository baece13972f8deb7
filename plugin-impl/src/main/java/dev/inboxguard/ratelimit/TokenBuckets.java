package dev.inboxguard.ratelimit;

import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * In-memory token buckets, one per key. Memory is bounded: past {@code maxKeys} buckets, those that have refilled
 * completely (their senders have gone quiet, so forgetting them changes nothing) are dropped; if that is not enough,
 * the oldest are. A flood from many addresses therefore cannot grow the table without bound.
 */
public final class TokenBuckets implements RateLimiter {
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final int maxKeys;
    private final AtomicBoolean sweeping = new AtomicBoolean();

    /** @param maxKeys how many buckets to keep at most */
    public TokenBuckets(int maxKeys) {
        this.maxKeys = maxKeys;
    }

    @Override
    public boolean tryTake(String key, int burst, int perHour, Instant now) {
        long nowMillis = now.toEpochMilli();
        Bucket bucket = buckets.computeIfAbsent(key, k -> new Bucket(burst, nowMillis));
        boolean taken = bucket.take(burst, perHour, nowMillis);
        if (buckets.size() > maxKeys && sweeping.compareAndSet(false, true)) {
            try {
                sweep(nowMillis);
            } finally {
                sweeping.set(false);
            }
        }
        return taken;
    }

    /** @return how many buckets are kept */
    public int size() {
        return buckets.size();
    }

    /** Frees a tenth of the table at once, so a sweep's cost is spread over many insertions. */
    private void sweep(long nowMillis) {
        int target = maxKeys - maxKeys / 10;
        buckets.values().removeIf(b -> b.isFull(nowMillis));
        Iterator<Map.Entry<String, Bucket>> it = buckets.entrySet().iterator();
        while (buckets.size() > target && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    /** One key's tokens; refilled lazily when read. */
    private static final class Bucket {
        private double tokens;
        private long updated;
        private int burst;
        private int perHour;

        Bucket(int burst, long now) {
            this.tokens = burst;
            this.updated = now;
            this.burst = burst;
        }

        synchronized boolean take(int burst, int perHour, long now) {
            this.burst = burst;
            this.perHour = perHour;
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }

        synchronized boolean isFull(long now) {
            refill(now);
            return tokens >= burst;
        }

        private void refill(long now) {
            if (now > updated) {
                tokens = Math.min(burst, tokens + (now - updated) * (perHour / 3_600_000.0));
                updated = now;
            }
        }
    }
}
