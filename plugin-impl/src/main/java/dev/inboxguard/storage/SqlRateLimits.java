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
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SqlRateLimits.class);
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
        List<Limit> ordered = limits.stream().sorted(Comparator.comparing(Limit::key)).toList();
        List<String> keys = ordered.stream().map(l -> Sql.shortKey(l.key())).toList();
        List<Limit> over = Sql.transaction(db, c -> {
            List<double[]> refilled = new ArrayList<>(ordered.size());
            List<Limit> empty = new ArrayList<>();
            for (int i = 0; i < ordered.size(); i++) {
                Limit l = ordered.get(i);
                double[] state = lockOrCreate(c, keys.get(i), l, at);
                // a clock behind the last writer's refills nothing rather than going back in time
                double tokens = Math.min(l.burst(), state[0] + Math.max(0, at - (long) state[1])
                        * (l.perHour() / 3_600_000.0));
                refilled.add(new double[] {tokens, Math.max(at, (long) state[1])});
                if (tokens < 1) {
                    empty.add(l);
                }
            }
            // a refused message changes no bucket: refilling is worked out from (tokens, updated) next time anyway
            for (int i = 0; empty.isEmpty() && i < ordered.size(); i++) {
                double[] r = refilled.get(i);
                Limit l = ordered.get(i);
                Sql.update(c, "UPDATE rate_buckets SET tokens = ?, updated = ?, burst = ?, per_hour = ? WHERE "
                        + "bucket = ?", r[0] - 1, (long) r[1], l.burst(), l.perHour(), keys.get(i));
            }
            return empty;
        });
        if (calls.incrementAndGet() % PRUNE_EVERY == 0) {
            try {
                prune(at);
            } catch (StoreFailure e) {
                // the message is counted; tidying up can wait for the next round
                LOG.warn("pruning rate-limit buckets failed: {}", e.getMessage());
            }
        }
        return over;
    }

    @Override
    public void giveBack(List<Limit> limits, Instant now) {
        long at = now.toEpochMilli();
        List<Limit> ordered = limits.stream().sorted(Comparator.comparing(Limit::key)).toList();
        Sql.transaction(db, c -> {
            for (Limit l : ordered) {
                // refilled to now first, as a take does, so that the token put back is not lost to the cap later; a
                // pruned (full) bucket has no row and stays so
                Sql.update(c, "UPDATE rate_buckets SET tokens = LEAST(?, tokens + GREATEST(0, ? - updated) * ? "
                        + "/ 3600000.0 + 1), updated = GREATEST(updated, ?), burst = ?, per_hour = ? WHERE bucket = ?",
                        l.burst(), at, l.perHour(), at, l.burst(), l.perHour(), Sql.shortKey(l.key()));
            }
            return null;
        });
    }

    /**
     * Deletes buckets that have refilled completely; they are as good as absent. Rows a message holds are skipped
     * rather than waited for, so pruning never waits on (or deadlocks with) the messages being counted.
     */
    int prune(long now) {
        String full = "SELECT bucket FROM rate_buckets WHERE tokens + (? - updated) * per_hour / 3600000.0 >= burst";
        // H2 is one process: nothing else holds its rows for long, and it has no SKIP LOCKED in a subquery
        String sql = "DELETE FROM rate_buckets WHERE bucket IN (" + full
                + (dialect == Dialect.POSTGRESQL ? " FOR UPDATE SKIP LOCKED)" : ")");
        return Sql.transaction(db, c -> Sql.update(c, sql, now));
    }

    /** @return how many buckets are stored */
    int size() {
        return Sql.query(db, "SELECT COUNT(*) FROM rate_buckets", List.of(), r -> r.getInt(1)).get(0);
    }

    /**
     * Locks the bucket's row, creating it full if it is absent. A prune on another node may delete the row between
     * the insert and the lock; then the insert is simply done again.
     */
    private double[] lockOrCreate(Connection c, String key, Limit l, long at) throws SQLException {
        for (int attempt = 0; ; attempt++) {
            dialect.insertIfAbsent(c, "INSERT INTO rate_buckets (bucket, tokens, updated, burst, per_hour) VALUES "
                    + "(?, ?, ?, ?, ?)", key, (double) l.burst(), at, l.burst(), l.perHour());
            try (PreparedStatement p = c.prepareStatement("SELECT tokens, updated FROM rate_buckets WHERE bucket = ? "
                    + "FOR UPDATE")) {
                p.setString(1, key);
                try (ResultSet r = p.executeQuery()) {
                    if (r.next()) {
                        return new double[] {r.getDouble(1), r.getLong(2)};
                    }
                }
            }
            if (attempt == 3) {
                throw new SQLException("the rate-limit bucket " + key + " keeps vanishing");
            }
        }
    }
}
