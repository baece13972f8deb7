package dev.inboxguard.storage;

import dev.inboxguard.ratelimit.RateLimiter;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;

/**
 * Token buckets in the database, so that every node sharing it draws from the same buckets and a limit holds for
 * the cluster, not per node. One transaction per message locks its buckets' rows in key order (so two messages
 * never wait on each other in a circle), refills them by the time passed, and takes a token from each only if
 * every one has a token: the same all-or-nothing rule as the in-memory {@code TokenBuckets}.
 *
 * <p>The table stays small: a bucket that has refilled to its burst says nothing a fresh bucket would not, so every
 * {@value #PRUNE_EVERY}th message on a node deletes the full ones.
 */
final class SqlRateLimits implements RateLimiter {
    static final int PRUNE_EVERY = 1024;

    private final DataSource db;
    private final Dialect dialect;
    private final AtomicLong calls = new AtomicLong();

    SqlRateLimits(DataSource db, Dialect dialect) {
        this.db = db;
        this.dialect = dialect;
    }

    @Override
    public List<Limit> tryTakeAll(List<Limit> limits, Instant now) {
        long at = now.toEpochMilli();
        List<Limit> ordered = limits.stream().sorted(Comparator.comparing((Limit l) -> Sql.shortKey(l.key()))).toList();
        List<Limit> over = Sql.transaction(db, c -> {
            List<double[]> refilled = new ArrayList<>(ordered.size());
            List<Limit> empty = new ArrayList<>();
            for (Limit l : ordered) {
                String key = Sql.shortKey(l.key());
                dialect.insertIfAbsent(c, "INSERT INTO rate_buckets (bucket, tokens, updated, burst, per_hour) VALUES "
                        + "(?, ?, ?, ?, ?)", key, (double) l.burst(), at, l.burst(), l.perHour());
                double[] state = lock(c, key);
                // a clock behind the last writer's refills nothing rather than going back in time
                double tokens = Math.min(l.burst(), state[0] + Math.max(0, at - (long) state[1])
                        * (l.perHour() / 3_600_000.0));
                refilled.add(new double[] {tokens, Math.max(at, (long) state[1])});
                if (tokens < 1) {
                    empty.add(l);
                }
            }
            for (int i = 0; i < ordered.size(); i++) {
                double[] r = refilled.get(i);
                Limit l = ordered.get(i);
                Sql.update(c, "UPDATE rate_buckets SET tokens = ?, updated = ?, burst = ?, per_hour = ? WHERE "
                        + "bucket = ?", empty.isEmpty() ? r[0] - 1 : r[0], (long) r[1], l.burst(), l.perHour(),
                        Sql.shortKey(l.key()));
            }
            return empty;
        });
        if (calls.incrementAndGet() % PRUNE_EVERY == 0) {
            prune(at);
        }
        return over;
    }

    /** Deletes buckets that have refilled completely; they are as good as absent. */
    int prune(long now) {
        return Sql.transaction(db, c -> Sql.update(c, "DELETE FROM rate_buckets WHERE tokens + (? - updated) * "
                + "per_hour / 3600000.0 >= burst", now));
    }

    /** @return how many buckets are stored */
    int size() {
        return Sql.query(db, "SELECT COUNT(*) FROM rate_buckets", List.of(), r -> r.getInt(1)).get(0);
    }

    private static double[] lock(Connection c, String key) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT tokens, updated FROM rate_buckets WHERE bucket = ? "
                + "FOR UPDATE")) {
            p.setString(1, key);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return new double[] {r.getDouble(1), r.getLong(2)};
            }
        }
    }
}
