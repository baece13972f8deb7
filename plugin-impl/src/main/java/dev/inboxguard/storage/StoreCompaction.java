package dev.inboxguard.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
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
 * space. After a burst of writes the file was many times what it holds (8× for events of 1.5 KB, 24× for events of
 * 200 bytes) and stayed so until the next start: H2's own background writer compacts mostly while the store is idle,
 * and skips idle rounds after one that found nothing to do.
 *
 * <p>Here, a timer does the same two things H2's writer does, once a second while the store is quiet (fewer than
 * {@value #QUIET_COMMITS} commits in the last second) or writes going on leave the machine room (see
 * {@link #spare}; then it only rewrites): it moves chunks into the file's holes and cuts the file's end
 * ({@link RandomAccessStore#compactMoveChunks}, which fsyncs before it overwrites anything), and it rewrites the live
 * pages of the emptiest, oldest chunks ({@link MVStore#compact}), which the next commit stores like any change. Under
 * full load a round would free little, since the writes make dead space as fast, and it cost the writers 5-12 %; so a
 * busy store is left alone, and its file comes back within seconds of the burst's end. After a round that took
 * {@code t}, the next comes no sooner than {@code 20 t}. Once rounds stop paying, they stop until a burst's worth
 * of commits or a doubled file: an idle store's file is then left alone.
 */
final class StoreCompaction implements AutoCloseable {
    /** Below this percentage of live data, in the chunks or in the file, a round compacts. */
    static final int TARGET_FILL = 90;
    private static final Logger LOG = LoggerFactory.getLogger(StoreCompaction.class);
    // chunks rewritten per round, emptiest and oldest first: a few, so that a round holds H2's locks briefly
    private static final int REWRITE_BYTES = 2 << 20;
    // chunks moved per round: more than H2's largest chunk (its own idle rewrite writes up to about 20 MB in one),
    // or the chunk at the end of the file never moves and the file never shrinks
    private static final int MOVE_BYTES = 64 << 20;
    // a smaller file is not worth a round
    private static final long SMALL_FILE = 4 << 20;
    private static final long PAUSE_NANOS = Duration.ofSeconds(1).toNanos();
    private static final int PACE = 20;
    // rounds in a row that made the chunks no fuller and the file no smaller: the compaction has done what it can
    private static final int FRUITLESS = 3;
    // commits after which a compaction at rest looks again: a burst's worth, not an idle installation's trickle
    private static final int WAKE_COMMITS = 500;

    // commits a second below which the store counts as quiet: a burst's end, or an installation's normal traffic
    private static final int QUIET_COMMITS = 50;

    // below this share, of the cores this process uses, of the whole machine's CPU, and of the time checkpoints (the
    // path every commit waits on) are running, writes that go on do not hold rounds off: under steady churn the
    // file otherwise stayed at 6-7 times what it holds for 200-byte events for as long as the churn went on
    private static final double SPARE = 0.5;

    // H2's FileStore.autoCompactFillRate (H2 2.4.240), final there; null if this H2 has no such field
    private static final java.lang.reflect.Field H2_FILL_RATE = h2FillRateField();
    // the store whose compaction is paused, and the rate to give back; only the timer's thread changes them
    private volatile FileStore<?> pausedStore;
    private int h2FillRate;
    private boolean pauseRefused;

    private final DataSource pool;
    private final java.nio.file.Path file;
    private final GroupCommit group;
    private long commitsSeen;
    private long seenAt = System.nanoTime();
    private long cpuSeen = processCpuNanos();
    private long checkpointsSeen;
    private final ScheduledThreadPoolExecutor timer;
    private volatile String lastFailure = "";
    // rounds run on the timer's one thread; what settled() reads too is volatile
    private long versionCheckpointed = -1;
    private volatile long ownCheckpoints;
    private volatile boolean settled;
    private volatile long writesWhenSettled;
    private volatile long sizeWhenSettled;
    private int bestFill = -1;
    private long smallest = Long.MAX_VALUE;
    private int fruitless;
    // whether the last round rewrote chunks, and how many such rounds ran while writes went on
    private boolean rewrote;
    // whether a rewrite stored a chunk since the last move, which may have landed at the file's end
    private boolean rewroteSinceMove;
    // after a round that took t, the next comes no sooner than 20 t
    private long roundNotBefore = System.nanoTime();
    private volatile long roundsUnderWrites;

    private StoreCompaction(DataSource pool, java.nio.file.Path file, GroupCommit group) {
        this.pool = pool;
        this.file = file;
        this.group = group;
        this.commitsSeen = group.commits();
        this.checkpointsSeen = group.checkpointNanos();
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "store-compaction");
            t.setDaemon(true);
            return t;
        });
        // a stop does not wait for the next round
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    /**
     * @param pool    connections to the embedded database
     * @param file    its file, for the free space on its disk
     * @param group   the store's commits: rounds run while it is quiet or leaves cores spare, and a rewrite ends
     *                with a checkpoint
     * @return the compaction, running
     */
    static StoreCompaction start(DataSource pool, java.nio.file.Path file, GroupCommit group) {
        StoreCompaction c = new StoreCompaction(pool, file, group);
        c.timer.schedule(c::tick, PAUSE_NANOS, TimeUnit.NANOSECONDS);
        return c;
    }

    private void tick() {
        try {
            long now = System.nanoTime();
            long made = group.commits();
            long elapsed = now - seenAt;
            double perSecond = (made - commitsSeen) * 1e9 / Math.max(1, elapsed);
            long cpu = processCpuNanos();
            long checkpointing = group.checkpointNanos();
            boolean spare = spare(cpu - cpuSeen, checkpointing - checkpointsSeen, elapsed, cpu >= 0 && cpuSeen >= 0);
            commitsSeen = made;
            seenAt = now;
            cpuSeen = cpu;
            checkpointsSeen = checkpointing;
            // under full load a round frees little (the writes make new dead space as fast) and costs the writers
            // 5-12 %; the file's size after a burst is what a round fixes. After a long pause (the one that follows a
            // long round) the rate would be averaged over that pause, and a burst begun just before this tick
            // would look quiet: the rate is measured afresh over the next second first.
            boolean quiet = perSecond < QUIET_COMMITS;
            if (!quiet) {
                // under load H2's own compaction keeps the file bounded (without it the file grew to 1.6 GB); a rate
                // averaged over a long pause may call a busy store quiet, never a quiet one busy
                resumeH2Compaction();
            }
            if (elapsed > PAUSE_NANOS * 3 / 2) {
                return;
            }
            if ((quiet || spare) && now - roundNotBefore >= 0) {
                rewrote = false;
                long spent = round(quiet);
                roundNotBefore = System.nanoTime() + PACE * spent;
                if (rewrote && !quiet) {
                    roundsUnderWrites++;
                }
            }
        } catch (RuntimeException | SQLException e) {
            // the store closing under it, or H2 refusing: the next round tries again; a new kind of failure is
            // logged once
            String what = e.toString();
            if (!what.equals(lastFailure)) {
                lastFailure = what;
                LOG.warn("cannot compact the embedded database's file: {}", what);
            }
        } finally {
            try {
                // a tick each second, whatever the rounds' pace: a burst that comes while H2's own compaction is
                // paused gets it back within a second, not after 20 times a long round
                timer.schedule(this::tick, PAUSE_NANOS, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException stopping) {
                // closed while this round ran
            }
        }
    }

    /**
     * One round, if the file is large enough to be worth it and the compaction has not settled: chunks move into the
     * holes and the file's end is cut if less than {@value #TARGET_FILL} % of the file is in use; the live pages of
     * the emptiest chunks are rewritten if less than {@value #TARGET_FILL} % of what the chunks hold is live.
     *
     * @param quiet whether the store is quiet: only then are chunks moved (and, before the rounds rest after a
     *              rewrite, whatever the file's fill; see {@link #lastMove}). A move holds H2's store lock while it
     *              copies up to {@value #MOVE_BYTES} bytes and fsyncs, and a checkpoint waits for that lock with every
     *              statement held back ({@link CheckpointGate}); H2's rewrite waits at most 10 ms for the lock or
     *              gives up, and holds it while it rewrites up to {@value #REWRITE_BYTES} bytes (under 50 ms measured,
     *              its checkpoint included)
     * @return the nanoseconds it took, or 0 if there was nothing to do
     */
    long round(boolean quiet) throws SQLException {
        // a connection held for the round keeps the database open while the round runs
        try (Connection c = pool.getConnection()) {
            MVStore store = GroupCommit.store(c);
            FileStore<?> fileStore = store.getFileStore();
            if (store.isClosed() || fileStore == null) {
                return 0;
            }
            long writes = group.commits() - ownCheckpoints;
            if (pausedStore != null && pausedStore != fileStore) {
                // H2 closed and opened the store again: the new one has its own threshold
                pausedStore = null;
            }
            if (fileStore.size() < SMALL_FILE) {
                // rounds leave a small file alone, and H2's own compaction looks after it
                resumeH2Compaction();
                if (!settled) {
                    settle(writes, fileStore.size());
                }
                return 0;
            }
            if (quiet) {
                pauseH2Compaction(fileStore);
            }
            if (settled) {
                if (!wakes(writes, fileStore.size())) {
                    return 0;
                }
                settled = false;
                bestFill = -1;
                smallest = Long.MAX_VALUE;
                fruitless = 0;
            }
            long start = System.nanoTime();
            // The chunks H2 empties in saves no fsync followed (its background writer's, while a rewrite runs or when
            // it rewrites an idle store itself) stay in use until a checkpoint, since the fsynced version is kept
            // registered (see GroupCommit); H2's own attempts to drop them come before that. Counted as written, they
            // held both fill rates down, and rounds went on for ever to make up for them.
            if (store.getCurrentVersion() != versionCheckpointed) {
                checkpoint(store);
            }
            dropEmptied(store);
            boolean holes = store.getFillRate() <= TARGET_FILL && fileStore instanceof RandomAccessStore;
            int fill = fileStore.getChunksFillRate();
            long size = fileStore.size();
            if (!quiet) {
                // while writes go on: a rewrite, if one is due, and no verdict on whether rounds still pay (holes the
                // writes fill meanwhile, and moves, wait for a quiet round, which must not find the compaction at rest)
                if (fill < TARGET_FILL) {
                    rewrote = rewrite(store);
                }
                return System.nanoTime() - start;
            }
            if (!holes && fill >= TARGET_FILL) {
                comeToRest(store, fileStore, writes);
                return System.nanoTime() - start;
            }
            // progress since the rounds before: the chunks fuller, or the file smaller
            if (fill > bestFill || size < smallest) {
                bestFill = Math.max(bestFill, fill);
                smallest = Math.min(smallest, size);
                fruitless = 0;
            } else if (++fruitless >= FRUITLESS) {
                comeToRest(store, fileStore, writes);
                return System.nanoTime() - start;
            }
            // moved first: the chunks a rewrite empties are freed only once a checkpoint has fsynced the rewrite,
            // and are moved over in a later round
            if (holes && roomToMove()) {
                ((RandomAccessStore) fileStore).compactMoveChunks(TARGET_FILL, MOVE_BYTES, store);
                rewroteSinceMove = false;
            }
            boolean rewrite = fill < TARGET_FILL;
            if (rewrite) {
                rewrite(store);
            }
            if (LOG.isDebugEnabled()) {
                // the fill rates take H2's locks and walk every chunk: not read for a line nobody sees
                LOG.debug("compaction round: the file {} bytes, {} % in use, chunks {} % live{}{}", fileStore.size(),
                        store.getFillRate(), fileStore.getChunksFillRate(), holes ? ", moved" : "",
                        rewrite ? ", rewrote" : "");
            }
            return System.nanoTime() - start;
        }
    }

    /** The last move, if one is due, then the rest, at the file's size after it. */
    private void comeToRest(MVStore store, FileStore<?> fileStore, long writes) throws SQLException {
        lastMove(store, fileStore);
        settle(writes, fileStore.size());
    }

    /**
     * Before the rounds come to rest after a rewrite, chunks move into the holes left. A rewrite stores the pages it
     * moves in one chunk of up to {@value #REWRITE_BYTES} bytes, which lands at the file's end when no hole is that
     * large, and the next round moves it back only if under {@value #TARGET_FILL} % of the file is in use; rounds
     * that settled between the two left the file that much larger (after the benchmark of 50,000 events of
     * 200 bytes: 29.4-29.7 MB at rest in some runs, 27.4-27.7 MB in others). Only after a rewrite, as the rounds'
     * own moves follow rewrites: a move copies what it moves twice, with H2's store lock held, and must not come at
     * every rest of a large file. With a smaller budget (8 MB) H2 chose other chunks than the rewrite's, and the file
     * stayed as large. Then a checkpoint, as after a rewrite: the move's own versions are not marked whole, and the
     * chunks it emptied are freed only once one is on the disk.
     */
    private void lastMove(MVStore store, FileStore<?> fileStore) throws SQLException {
        if (rewroteSinceMove && fileStore instanceof RandomAccessStore file && store.getFillRate() < 100
                && roomToMove()) {
            file.compactMoveChunks(100, MOVE_BYTES, store);
            rewroteSinceMove = false;
            checkpoint(store);
            dropEmptied(store);
        }
    }

    /**
     * Whether writes going on leave room for a round: this process used less than half of the machine's cores, and
     * less than one core (a store at full load is held up by its one checkpoint thread and H2's one serialization and
     * save threads, so on a large machine it never uses half), the machine as a whole less than half of its CPU, and
     * checkpoints ran less than half of the time (writers waiting for the disk leave the CPU idle).
     *
     * @param cpu          CPU nanoseconds this process used since the last tick (with the last round's own)
     * @param checkpointing nanoseconds checkpoints ran since the last tick
     * @param elapsed      nanoseconds since the last tick
     * @param known        whether the JVM tells this process's CPU time; if not, there is no room
     */
    private static boolean spare(long cpu, long checkpointing, long elapsed, boolean known) {
        if (!known) {
            return false;
        }
        double cores = cpu / (double) Math.max(1, elapsed);
        int all = Runtime.getRuntime().availableProcessors();
        double machine = java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getCpuLoad() : -1;
        return cores < Math.min(1, SPARE * all) && machine >= 0 && machine < SPARE
                && checkpointing / (double) Math.max(1, elapsed) < SPARE;
    }

    private static java.lang.reflect.Field h2FillRateField() {
        try {
            java.lang.reflect.Field f = FileStore.class.getDeclaredField("autoCompactFillRate");
            f.setAccessible(true);
            return f.getType() == int.class ? f : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("H2's own compaction of an idle store cannot be paused in this H2 version: {}", e.toString());
            return null;
        }
    }

    /** @return the CPU time this process has used, or -1 where the JVM does not tell */
    private static long processCpuNanos() {
        return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : -1;
    }

    /**
     * Rewrites the live pages of the emptiest chunks, and has them on the disk: while the store is quiet no commit
     * brings a checkpoint, and without one the chunks the rewrite emptied cannot be freed (see GroupCommit).
     *
     * @return whether H2 rewrote anything (it gives up if its store lock stays taken for 10 ms)
     */
    private boolean rewrite(MVStore store) throws SQLException {
        boolean any = store.compact(TARGET_FILL, REWRITE_BYTES);
        rewroteSinceMove |= any;
        checkpoint(store);
        dropEmptied(store);
        return any;
    }

    /** Frees the chunks no version in use reads any more, under H2's locks as its own call before a move does. */
    private static void dropEmptied(MVStore store) {
        store.executeFilestoreOperation(store.getFileStore()::dropUnusedChunks);
    }

    private void checkpoint(MVStore store) throws SQLException {
        group.checkpointNow();
        ownCheckpoints++;
        versionCheckpointed = store.getCurrentVersion();
    }

    /**
     * No more rounds until the store has taken {@value #WAKE_COMMITS} commits or its file has doubled: the file is
     * as compact as rounds make it, or {@value #FRUITLESS} rounds in a row made the chunks no fuller and the file no
     * smaller. Each rewrite also writes new copies of the B-tree's inner pages above the pages it moves, which empties
     * part of the chunks written before; with compressed pages the chunks then stayed a few points under
     * {@value #TARGET_FILL} % and rounds went on for ever, each one's writes also waking H2's own rewrites of an idle
     * store. A few commits do not end the rest: under light traffic a store stuck under the target would be rewritten
     * again after each one.
     */
    private void settle(long writes, long size) {
        writesWhenSettled = writes;
        sizeWhenSettled = size;
        settled = true;
        LOG.debug("compaction at rest: the file {} bytes", size);
    }

    private boolean wakes(long writes, long size) {
        return writes - writesWhenSettled >= WAKE_COMMITS || size > 2 * sizeWhenSettled;
    }

    /**
     * Keeps H2's own background compaction from a quiet store, whose file the rounds look after. H2 rewrites an idle
     * store whose chunks it estimates under 90 % live ({@code AUTO_COMPACT_FILL_RATE}), and rounds may settle a few
     * points under that, when rewrites stop making the chunks fuller (as they did once each object's text was packed,
     * {@link PackedText}). H2's idle rewrite then wrote about 20 MB into one new chunk at the file's end and emptied a
     * dozen chunks that stayed in use, since no checkpoint followed its saves: after a full-speed churn of 50,000
     * events of 200 bytes the file came down to 2.7 times what it held and went back up to 4.8 times for good. Waking
     * the rounds for such rewrites made it worse: each round's writes let H2 rewrite the store again, and the file went
     * up and down every few seconds. H2 has no setting for its idle compaction alone, and its threshold also keeps a
     * store under full load bounded (at 50 % the file grew to 1.6 GB), so the threshold is set to 0 here, by
     * reflection, while the store is quiet, and set back as soon as commits come faster than a quiet store's
     * ({@link #resumeH2Compaction}). Files under {@value #SMALL_FILE} bytes, which rounds leave alone, keep H2's.
     */
    private void pauseH2Compaction(FileStore<?> fileStore) {
        if (H2_FILL_RATE == null || pausedStore != null || pauseRefused) {
            return;
        }
        try {
            int rate = H2_FILL_RATE.getInt(fileStore);
            if (rate == 0) {
                // paused already (a second Database on the same file, in tests): that one gives it back
                return;
            }
            h2FillRate = rate;
            H2_FILL_RATE.setInt(fileStore, 0);
            pausedStore = fileStore;
        } catch (IllegalAccessException | RuntimeException e) {
            // a JVM that refuses to change the field refuses every time: said once
            pauseRefused = true;
            LOG.warn("cannot pause H2's own compaction of an idle store: {}", e.toString());
        }
    }

    /** Gives H2 its own compaction back: writes go on. */
    private void resumeH2Compaction() {
        FileStore<?> paused = pausedStore;
        if (paused == null) {
            return;
        }
        try {
            H2_FILL_RATE.setInt(paused, h2FillRate);
        } catch (IllegalAccessException | RuntimeException e) {
            LOG.warn("cannot give H2 its own compaction back: {}", e.toString());
        }
        pausedStore = null;
    }

    /** @return whether H2's own compaction is paused (for tests) */
    boolean h2CompactionPaused() {
        return pausedStore != null;
    }

    /** @return whether the compaction is at rest and the store has not since done what wakes it (for tests) */
    boolean settled() {
        try {
            return settled && !wakes(group.commits() - ownCheckpoints, java.nio.file.Files.size(file));
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** @return how many rounds rewrote chunks while the store took more commits than a quiet one (for tests) */
    long roundsUnderWrites() {
        return roundsUnderWrites;
    }

    /**
     * A move may first write the chunks it moves past the file's end. A write that fails there would close the
     * database for everyone, so moves wait for room on the disk.
     */
    private boolean roomToMove() {
        try {
            return java.nio.file.Files.getFileStore(file.toAbsolutePath().getParent()).getUsableSpace()
                    > 2L * MOVE_BYTES;
        } catch (java.io.IOException | RuntimeException e) {
            return false;
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
            if (timer.awaitTermination(10, TimeUnit.SECONDS)) {
                // H2's close finds its own threshold, whatever it does with it
                resumeH2Compaction();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
