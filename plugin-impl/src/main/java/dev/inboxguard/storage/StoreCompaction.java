package dev.inboxguard.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.RandomAccessStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gives the embedded store's file back the space its dead pages hold, while the server runs.
 *
 * <p>H2 writes copy-on-write: each commit stores fresh copies of the B-tree pages it touched, in a new chunk of the
 * file. A chunk is freed only once none of its pages is live, and a chunk with a few live pages left keeps all of its
 * space; under steady writes most of the file is such chunks, 10-20 % live. H2's own background writer compacts only
 * while the store is idle, and gives up for good after an idle round that found nothing to move (which happens when
 * that round falls within the retention time of the last write), so the file kept its largest size: 24× the data
 * after a burst of writes, until the next restart.
 *
 * <p>Here, a timer does what that writer would: it rewrites the live pages of chunks less than {@value #TARGET_FILL}
 * % live ({@link MVStore#compact}), then moves chunks into the holes and cuts the file's end
 * ({@link RandomAccessStore#compactMoveChunks}). These are H2's own housekeeping operations: the rewrite goes
 * through a normal store, and the move fsyncs before it overwrites anything, whatever the retention time. The work
 * is paced by what it costs: after a round that took {@code t}, the next comes after {@code 20 t} or a second,
 * whichever is longer, so that compaction takes at most a twentieth of one thread under any load.
 */
final class StoreCompaction implements AutoCloseable {
    /** Below this percentage of live data, in the chunks or in the file, a round compacts. */
    static final int TARGET_FILL = 80;
    private static final Logger LOG = LoggerFactory.getLogger(StoreCompaction.class);
    // bytes rewritten and moved per round: bounded, so that one round holds H2's locks briefly
    private static final int ROUND_BYTES = 16 << 20;
    // a smaller file is not worth a round
    private static final long SMALL_FILE = 4 << 20;
    private static final long PAUSE_NANOS = Duration.ofSeconds(1).toNanos();
    private static final int PACE = 20;

    private final DataSource pool;
    private final ScheduledThreadPoolExecutor timer;
    private final AtomicLong rounds = new AtomicLong();
    private volatile boolean warned;

    private StoreCompaction(DataSource pool) {
        this.pool = pool;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "store-compaction");
            t.setDaemon(true);
            return t;
        });
        // a stop does not wait for the next round
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * @param pool connections to the embedded database
     * @return the compaction, running
     */
    static StoreCompaction start(DataSource pool) {
        StoreCompaction c = new StoreCompaction(pool);
        c.timer.schedule(c::tick, PAUSE_NANOS, TimeUnit.NANOSECONDS);
        return c;
    }

    /** @return rounds that compacted something, for tests and metrics */
    long rounds() {
        return rounds.get();
    }

    private void tick() {
        long spent = 0;
        try {
            spent = round();
        } catch (RuntimeException | SQLException e) {
            // the store closing under it, or H2 refusing: the next round tries again, and one line is enough
            if (!warned) {
                warned = true;
                LOG.warn("cannot compact the embedded database's file: {}", e.toString());
            }
        }
        try {
            timer.schedule(this::tick, Math.max(PAUSE_NANOS, PACE * spent), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException stopping) {
            // closed while this round ran
        }
    }

    /**
     * One round, if the file is large enough and has enough dead space to be worth it.
     *
     * @return the nanoseconds it took, or 0 if there was nothing to do
     */
    long round() throws SQLException {
        // a connection held for the round keeps the database open while the round runs
        try (Connection c = pool.getConnection()) {
            MVStore store = ((SessionLocal) c.unwrap(JdbcConnection.class).getSession()).getDatabase().getStore()
                    .getMvStore();
            FileStore<?> file = store.getFileStore();
            if (store.isClosed() || file == null || file.size() < SMALL_FILE
                    || store.getFillRate() >= TARGET_FILL && file.getChunksFillRate() >= TARGET_FILL) {
                return 0;
            }
            long start = System.nanoTime();
            store.compact(TARGET_FILL, ROUND_BYTES);
            if (file instanceof RandomAccessStore movable) {
                movable.compactMoveChunks(TARGET_FILL, ROUND_BYTES, store);
            }
            rounds.incrementAndGet();
            return System.nanoTime() - start;
        }
    }

    /**
     * Lets a round in progress finish, then stops. Never interrupts it: an interrupt inside a file operation closes
     * the database's file.
     */
    @Override
    public void close() {
        timer.shutdown();
        try {
            timer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
