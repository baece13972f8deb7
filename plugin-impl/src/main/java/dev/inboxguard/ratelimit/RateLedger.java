package dev.inboxguard.ratelimit;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Remembers what the rate limits counted for the message screened on this thread, so that a delivery that then fails
 * can give it back. A delivery whose transaction the database fails is tried again (by the hidden directory's queue,
 * or by the MTA after a 451), and the guard counts it at each attempt: a database that failed for a while left a
 * message that arrived once counted as many times as it was tried, and the message itself, or its sender's next ones
 * to that recipient, were refused as a flood. {@code SchedulingInbox} decides which failures give back.
 *
 * <p>Counting happens in {@link RateLimiter#tryTakeAll}; this limiter passes each call on and records the limits a
 * counted message took, while a {@link Scope} is open on the thread.
 */
public final class RateLedger implements RateLimiter {
    private static final Logger LOG = LoggerFactory.getLogger(RateLedger.class);
    private static final ThreadLocal<Scope> OPEN = new ThreadLocal<>();

    private final RateLimiter limiter;

    /** @param limiter where the counts are kept */
    public RateLedger(RateLimiter limiter) {
        this.limiter = limiter;
    }

    @Override
    public List<Limit> tryTakeAll(List<Limit> limits, Instant now) {
        List<Limit> over = limiter.tryTakeAll(limits, now);
        Scope scope = OPEN.get();
        if (over.isEmpty() && scope != null) {
            scope.taken.add(new Taken(limiter, List.copyOf(limits)));
        }
        return over;
    }

    @Override
    public void giveBack(List<Limit> limits, Instant now) {
        limiter.giveBack(limits, now);
    }

    /**
     * Begins recording what this thread's screenings count; a scope opened inside another one records apart from it.
     *
     * @return the scope, to close when the delivery is done
     */
    public static Scope open() {
        Scope scope = new Scope(OPEN.get());
        OPEN.set(scope);
        return scope;
    }

    private record Taken(RateLimiter limiter, List<Limit> limits) {
    }

    /** What was counted on this thread since it was opened. */
    public static final class Scope implements AutoCloseable {
        private final Scope outer;
        private final List<Taken> taken = new ArrayList<>();

        private Scope(Scope outer) {
            this.outer = outer;
        }

        /**
         * Gives back everything counted in this scope: the delivery it was counted for did not happen. A store that
         * fails meanwhile keeps its counts, which refill with time.
         *
         * @param now the time
         */
        public void giveBack(Instant now) {
            giveBack(now, key -> true);
        }

        /**
         * Gives back what was counted in this scope against the limits whose keys match; the others stay counted.
         *
         * @param now  the time
         * @param keys which limits, by key
         */
        public void giveBack(Instant now, java.util.function.Predicate<String> keys) {
            List<Taken> kept = new ArrayList<>();
            for (Taken t : taken) {
                List<Limit> back = t.limits().stream().filter(l -> keys.test(l.key())).toList();
                List<Limit> stay = t.limits().stream().filter(l -> !keys.test(l.key())).toList();
                if (!stay.isEmpty()) {
                    kept.add(new Taken(t.limiter(), stay));
                }
                if (back.isEmpty()) {
                    continue;
                }
                try {
                    t.limiter().giveBack(back, now);
                } catch (RuntimeException e) {
                    LOG.warn("could not give back a failed delivery's count to the rate limits: {}", e.toString());
                }
            }
            taken.clear();
            taken.addAll(kept);
        }

        @Override
        public void close() {
            if (outer == null) {
                OPEN.remove();
            } else {
                OPEN.set(outer);
            }
        }
    }
}
