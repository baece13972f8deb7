package dev.inboxguard.ratelimit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * In-memory token buckets, one per key. Memory is bounded: past {@code maxKeys} buckets, a sweep frees a tenth of
 * the table, dropping the fullest buckets first. A full bucket means a sender who has gone quiet, so forgetting it
 * changes nothing; a drained bucket (someone being limited) is the last to go, so churning through fresh keys
 * cannot reset a limit that is in force.
 */
public final class TokenBuckets implements RateLimiter {
    /** How many buckets one node keeps, unless told otherwise: about 10 MB. */
    public static final int DEFAULT_KEYS = 100_000;

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final int maxKeys;
    private final AtomicBoolean sweeping = new AtomicBoolean();

    /** @param maxKeys how many buckets to keep at most */
    public TokenBuckets(int maxKeys) {
        this.maxKeys = maxKeys;
    }

    @Override
    public List<Limit> tryTakeAll(List<Limit> limits, Instant now) {
        long nowMillis = now.toEpochMilli();
        List<Bucket> taken = new ArrayList<>(limits.size());
        List<Limit> over = new ArrayList<>();
        // buckets are locked in key order, so two messages never wait on each other in a circle
        List<Limit> ordered = limits.stream().sorted(Comparator.comparing(Limit::key)).toList();
        for (Limit l : ordered) {
            taken.add(buckets.computeIfAbsent(l.key(), k -> new Bucket(l.burst(), nowMillis)));
        }
        lockAndTake(taken, ordered, 0, nowMillis, over);
        if (buckets.size() > maxKeys && sweeping.compareAndSet(false, true)) {
            try {
                sweep(nowMillis);
            } finally {
                sweeping.set(false);
            }
        }
        return over;
    }

    @Override
    public void giveBack(List<Limit> limits, Instant now) {
        for (Limit l : limits) {
            Bucket b = buckets.get(l.key());
            if (b != null) {
                b.giveBack(l.burst(), l.perHour(), now.toEpochMilli());
            }
        }
    }

    private static void lockAndTake(List<Bucket> buckets, List<Limit> limits, int i, long now, List<Limit> over) {
        if (i < buckets.size()) {
            synchronized (buckets.get(i)) {
                lockAndTake(buckets, limits, i + 1, now, over);
            }
            return;
        }
        for (int j = 0; j < buckets.size(); j++) {
            if (!buckets.get(j).has(limits.get(j).burst(), limits.get(j).perHour(), now)) {
                over.add(limits.get(j));
            }
        }
        if (over.isEmpty()) {
            buckets.forEach(Bucket::take);
        }
    }

    /** @return how many buckets are kept */
    public int size() {
        return buckets.size();
    }

    /** Frees a tenth of the table at once, fullest buckets first, so a sweep's cost is spread over many insertions. */
    private void sweep(long nowMillis) {
        int target = maxKeys - maxKeys / 10;
        buckets.values().removeIf(b -> b.fullness(nowMillis) >= 1.0);
        if (buckets.size() <= target) {
            return;
        }
        List<Map.Entry<String, Bucket>> entries = new ArrayList<>(buckets.entrySet());
        entries.sort(Comparator.comparingDouble((Map.Entry<String, Bucket> e) -> e.getValue().fullness(nowMillis))
                .reversed());
        Iterator<Map.Entry<String, Bucket>> it = entries.iterator();
        while (buckets.size() > target && it.hasNext()) {
            buckets.remove(it.next().getKey());
        }
    }

    /** One key's tokens; refilled lazily when read. Guarded by its own monitor. */
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

        /** Refills and tells whether one message may be taken. */
        boolean has(int burst, int perHour, long now) {
            this.burst = burst;
            this.perHour = perHour;
            refill(now);
            return tokens >= 1;
        }

        void take() {
            tokens -= 1;
        }

        synchronized void giveBack(int burst, int perHour, long now) {
            has(burst, perHour, now);
            tokens = Math.min(burst, tokens + 1);
        }

        synchronized double fullness(long now) {
            refill(now);
            return burst == 0 ? 1.0 : tokens / burst;
        }

        private void refill(long now) {
            if (now > updated) {
                tokens = Math.min(burst, tokens + (now - updated) * (perHour / 3_600_000.0));
                updated = now;
            }
        }
    }
}
