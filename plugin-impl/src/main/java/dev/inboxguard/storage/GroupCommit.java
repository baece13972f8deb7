package dev.inboxguard.storage;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.MVStore;

/**
 * The embedded store's connections, with commits made durable in groups.
 *
 * <p>H2 writes its whole store to the file at every commit when told to ({@code WRITE_DELAY=0}): a new chunk with
 * fresh copies of every B-tree page the transaction touched, tens of kilobytes each time. Its background writer,
 * which also compacts the file, then never runs, and nothing is fsynced. Here commits only end the transaction in
 * memory, and the committing thread then waits for one checkpoint ({@link #writeAndSync}, H2's {@code CHECKPOINT
 * SYNC} in three steps), which writes the store and fsyncs the file. A checkpoint started after a commit covers it,
 * so threads that commit while one runs share the next: with eight writers at once, one file write and one fsync
 * serve up to eight transactions. Nothing waiting here is
 * answered before its checkpoint has returned.
 *
 * <p>H2's background writer may already have taken the covered commits and be writing them on its own threads (H2
 * serializes and saves on one thread each, in order); a checkpoint with nothing new to write would then fsync before
 * that write landed ({@code GroupCommitTest}). So the checkpoint is made here in three steps: H2 writes a version of
 * the checkpoint's own (H2's store version, bumped, so that there is always something to write), then both of H2's
 * threads are waited for, then the fsync. The first step takes its picture with every connection's statements held
 * back ({@link CheckpointGate}), so that the version holds only whole transactions; {@link OrderedWrites} marks it as
 * such. They go on while H2 serializes and writes it ({@link VersionHandoff}). (Before the gate, a row of the
 * checkpoint's own, {@code store_checkpoints}, changed with a statement, did the bump's work; the table stays,
 * unused.)
 *
 * <p>H2 writes between checkpoints too, without an fsync: its background writer saves what a compaction rewrote, or
 * commits that did not wait. Such a version can empty a chunk that the last fsynced version still reads from, and H2
 * reuses a chunk's space once no version it keeps needs it, whether or not the version that emptied it is on the
 * disk. A power cut after the reuse, before the next fsync, then leaves the last fsynced version reading pages that
 * were overwritten, and H2 falls back to an older version: acknowledged writes are gone (found by reading H2's
 * {@code FileStore}; {@code PowerLossTest} cuts the power in such spells). So the version current when the last
 * finished checkpoint began stays registered with H2 as in use, and H2 frees only chunks that fsynced versions
 * emptied.
 */
final class GroupCommit implements DataSource {
    private final DataSource pool;
    /** Shut while a checkpoint has H2 take the picture of a version. */
    private final CheckpointGate gate = new CheckpointGate();
    private final Object lock = new Object();
    /** Commits registered so far, and how many of them the last finished checkpoint covers. */
    private long registered;
    private long covered;
    private boolean writing;
    private long checkpoints;
    /** Time spent in checkpoints so far: how much of the time the path every commit waits on is in use. */
    private long checkpointNanos;
    /** The version every older one of which is on the disk; changed only by the thread writing a checkpoint. */
    private MVStore.TxCounter durable;
    /**
     * Where each checkpoint writes and fsyncs: a thread no one interrupts. An interrupt meant for a committing thread
     * (a pool's stop, an executor's shutdownNow()) would otherwise reach the checkpoint's file operations: a JDK file
     * channel closes itself when the thread in it is interrupted, and H2's store with it; and H2's wait for its own
     * threads gives up on an interrupt without a word, so the fsync could come before their chunk
     * ({@code GroupCommitTest}). H2 still reads (and, holding back a writer, may write) the file on the committing
     * thread itself; no interrupt is sent there on purpose.
     */
    private final java.util.concurrent.ThreadPoolExecutor checkpointer = new java.util.concurrent.ThreadPoolExecutor(
            1, 1, 10, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
                Thread t = new Thread(r, "store-checkpoint");
                t.setDaemon(true);
                return t;
            });

    {
        // an idle store keeps no thread
        checkpointer.allowCoreThreadTimeOut(true);
    }

    /**
     * @param pool connections to a store whose every write so far has been fsynced (the database's open ends with a
     *             checkpoint)
     */
    GroupCommit(DataSource pool) {
        this.pool = pool;
        try (Connection c = pool.getConnection()) {
            this.durable = store(c).registerVersionUsage();
        } catch (SQLException e) {
            throw new StoreFailure("cannot open the embedded database", e);
        }
    }

    /**
     * Writes and fsyncs what is left, then releases the version held as durable: H2's close checks that no version
     * is still in use. It no longer compacts ({@code MAX_COMPACT_TIME=0}): unpinned, a compaction could free chunks
     * the version on the disk reads and write over them before its next fsync. Called
     * by the database's close, once nothing commits any more.
     */
    void close() {
        try (Connection c = pool.getConnection()) {
            MVStore store = store(c);
            // no more background writes; then everything on the disk; and from here each chunk H2's close still
            // writes (sequences, its own commits) waits for the disk first, since once the version is released a
            // second such write could go over a chunk the first one emptied and the version on the disk reads
            store.setAutoCommitDelay(0);
            checkpointNow();
            OrderedWrites.fsyncBeforeEachChunk(store.getFileStore().getFileName());
        } catch (SQLException | RuntimeException e) {
            // the store is closing anyway; what was acknowledged was fsynced before it was
        }
        try (Connection c = pool.getConnection()) {
            MVStore.TxCounter held;
            synchronized (lock) {
                held = durable;
                durable = null;
            }
            if (held != null) {
                store(c).deregisterVersionUsage(held);
            }
        } catch (SQLException | RuntimeException e) {
            // the store is closing anyway
        }
        // nothing is waiting on it any more: the close's checkpoint above has returned
        checkpointer.shutdown();
    }

    /** @return the H2 store behind a connection of the embedded database, for what SQL cannot reach */
    static MVStore store(Connection c) throws SQLException {
        return ((SessionLocal) c.unwrap(JdbcConnection.class).getSession()).getDatabase().getStore().getMvStore();
    }

    /**
     * Makes everything the store has written so far durable, as a commit's wait does; for the compaction, whose
     * rewrites no commit follows while the store is quiet, so that the chunks they empty can be freed.
     */
    void checkpointNow() throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                durable(c);
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /**
     * Returns once a checkpoint that began after this thread's commit has written the store to the file.
     *
     * @param c the connection that just committed, which runs the checkpoint if it is this thread's turn
     */
    void durable(Connection c) throws SQLException {
        boolean interrupted = Thread.interrupted();
        try {
            interrupted |= await(c);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt(); // given back on every path, a failed checkpoint's included
            }
        }
    }

    /** @return true if the thread was interrupted while it waited */
    private boolean await(Connection c) throws SQLException {
        boolean interrupted = false;
        long mine;
        synchronized (lock) {
            mine = ++registered;
        }
        while (true) {
            long target;
            synchronized (lock) {
                while (writing && covered < mine) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        // the commit is made: leaving before it is on disk would acknowledge what may be lost
                        interrupted = true;
                    }
                }
                if (covered >= mine) {
                    return interrupted;
                }
                writing = true;
                target = registered; // every commit registered by now ended before this checkpoint begins
            }
            boolean done = false;
            // A JDK file channel closes itself when the thread in it has been interrupted, and H2's store dies with
            // it for every connection (an executor's shutdownNow() during a commit did this). The fsync below runs
            // with the flag cleared, also if it came while this thread waited its turn; durable() gives it back.
            if (Thread.interrupted()) {
                interrupted = true;
            }
            MVStore.TxCounter pin = null;
            MVStore store = null;
            long began = System.nanoTime();
            try {
                store = store(c);
                // registered before the checkpoint begins: once it returns, every older version is on the disk
                pin = store.registerVersionUsage();
                // the picture is taken with the gate shut, so that it holds only whole transactions, and is always a
                // version of the checkpoint's own (capture); the fsync runs with the gate open again
                MVStore captured = store;
                // an interrupt while it waits is given back with the others, once the checkpoint is done
                interrupted |= gate.shut();
                try {
                    // open again as soon as the picture is taken: H2 serializes it meanwhile, on a copy nothing changes
                    interrupted |= apart(() -> capture(captured, gate::open));
                } finally {
                    gate.open();
                }
                interrupted |= apart(() -> sync(captured));
                done = true;
            } catch (SQLException e) {
                if (interrupted) {
                    Thread.currentThread().interrupt(); // given back on the failing path too
                }
                // the caller's transaction is committed, in memory; only its reaching the file is in doubt
                throw new SQLException("the commit stands, but the database file could not be written and synced",
                        e);
            } finally {
                if (pin != null) {
                    MVStore.TxCounter released = done ? durable : pin;
                    if (done) {
                        durable = pin;
                    }
                    if (released != null) {
                        store.deregisterVersionUsage(released);
                    }
                }
                synchronized (lock) {
                    writing = false;
                    checkpointNanos += System.nanoTime() - began;
                    if (done) {
                        covered = Math.max(covered, target);
                        checkpoints++;
                    }
                    lock.notifyAll();
                }
            }
        }
    }

    /** A checkpoint's step, run on the checkpoint's own thread. */
    private interface Step {
        void run() throws SQLException;
    }

    /**
     * Runs a step of a checkpoint on the checkpoint's own thread, waited for whatever interrupts come meanwhile.
     *
     * @return whether the calling thread was interrupted while it waited
     */
    private boolean apart(Step step) throws SQLException {
        java.util.concurrent.Future<Void> done;
        try {
            done = checkpointer.submit(() -> {
                step.run();
                return null;
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed: the store's own close writes on the closing thread
            step.run();
            return false;
        }
        boolean interrupted = false;
        while (true) {
            try {
                done.get();
                return interrupted;
            } catch (InterruptedException e) {
                // leaving before the checkpoint is done would acknowledge what may be lost
                interrupted = true;
            } catch (java.util.concurrent.ExecutionException e) {
                if (interrupted) {
                    Thread.currentThread().interrupt(); // given back on the failing path too
                }
                if (e.getCause() instanceof SQLException failed) {
                    throw failed;
                }
                throw new SQLException("the database file could not be written and synced", e.getCause());
            }
        }
    }

    /**
     * What {@code CHECKPOINT SYNC} does, with a wait between the write and the fsync for the chunks H2's background
     * writer has on its serialization and save threads, and the header each may need written after it. For a store
     * nothing else writes to meanwhile (the database's open).
     */
    static void writeAndSync(MVStore store) throws SQLException {
        capture(store, () -> { });
        sync(store);
    }

    /**
     * Has H2 write a new version of the store, with nothing else changing it until its picture is taken (the caller
     * sees to that: the gate is shut until {@code pictureTaken}, or nothing else runs), and has {@link OrderedWrites}
     * mark the chunks of the versions whose pictures were taken meanwhile. Each version's picture is taken right
     * after H2 numbers it, under H2's store lock; so every version numbered after the first count here was taken
     * whole, by the time H2's commit returns.
     */
    private static void capture(MVStore store, Runnable pictureTaken) throws SQLException {
        try {
            String file = store.getFileStore().getFileName();
            long from = store.getCurrentVersion();
            OrderedWrites.wholeVersionsFrom(file, from);
            long written = from;
            try {
                // a change of H2's own, so that this commit writes a version even if H2's background writer has
                // just taken every change there was; again if the background writer took this one too (its picture,
                // begun with the gate shut, is whole as well). H2's commit waits for the version's serialization and
                // write too: its tryCommit would not, but then the write runs on H2's save thread while the next
                // store frees chunks, and H2's own check of the file's length in use fails in that race (an
                // AssertionError with -ea, which closed the store in a test). The gate opens meanwhile, once the
                // version is handed to H2's serialization thread (VersionHandoff), and the versions taken whole end
                // there: H2's store lock, still held, keeps any other version from being numbered until then, and a
                // version numbered after it (H2's background writer, or a statement's commit) may be torn
                long[] newest = {from};
                Runnable handedOver = () -> {
                    // under H2's store lock, in the commit: the version current now is the one handed over
                    OrderedWrites.wholeVersionsUpTo(file, store.getCurrentVersion());
                    pictureTaken.run();
                };
                VersionHandoff.run(store, handedOver, () -> {
                    for (int i = 0; newest[0] <= from; i++) {
                        if (i == 100) {
                            throw new IllegalStateException("H2 wrote no version for a checkpoint");
                        }
                        store.setStoreVersion(store.getStoreVersion() + 1);
                        newest[0] = store.commit();
                    }
                });
                written = newest[0];
            } finally {
                // when no hand-over was seen (H2 without a serialization thread; the commit failed), with the gate
                // still shut. Not the version current now: H2's background writer may have numbered one more since
                // this commit returned, and may still be taking its picture when the gate opens. Once the range is
                // ended, this does nothing
                OrderedWrites.wholeVersionsUpTo(file, written);
            }
        } catch (RuntimeException e) {
            throw new SQLException("the database file could not be written and synced", e);
        }
    }

    /** Waits for H2's serialization and save threads, then fsyncs. */
    private static void sync(MVStore store) throws SQLException {
        try {
            store.getFileStore().executeFileStoreOperation(() -> { });
            store.sync();
        } catch (RuntimeException e) {
            throw new SQLException("the database file could not be written and synced", e);
        }
    }

    /** @return checkpoints written so far (for tests: fewer than commits under concurrent load) */
    long checkpoints() {
        synchronized (lock) {
            return checkpoints;
        }
    }

    /** @return nanoseconds spent writing and fsyncing checkpoints so far */
    long checkpointNanos() {
        synchronized (lock) {
            return checkpointNanos;
        }
    }

    /** @return units of work made durable so far, reads that ran as a transaction included */
    long commits() {
        synchronized (lock) {
            return covered;
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        return gate.guard(pool.getConnection());
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return gate.guard(pool.getConnection(username, password));
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return pool.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        pool.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        pool.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return pool.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return pool.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        return pool.unwrap(type);
    }

    @Override
    public boolean isWrapperFor(Class<?> type) throws SQLException {
        return pool.isWrapperFor(type);
    }
}
