package dev.inboxguard.storage;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The embedded store's connections, with commits made durable in groups.
 *
 * <p>H2 writes its whole store to the file at every commit when told to ({@code WRITE_DELAY=0}): a new chunk with
 * fresh copies of every B-tree page the transaction touched, tens of kilobytes each time, and its background writer,
 * which also compacts the file, never runs. Instead, commits here only end the transaction in memory, and the
 * committing thread then waits for one {@code CHECKPOINT} that writes the store to the file. A checkpoint started
 * after a commit covers it, so threads that commit while one runs share the next: with eight writers at once, one
 * file write serves up to eight transactions. Nothing is answered before its checkpoint has returned, so an
 * acknowledged write survives {@code kill -9} as before. The background writer still runs every
 * {@code WRITE_DELAY} and compacts when the store is quiet.
 */
final class GroupCommit implements DataSource {
    private final DataSource pool;
    private final Object lock = new Object();
    /** Commits registered so far, and how many of them the last finished checkpoint covers. */
    private long registered;
    private long covered;
    private boolean writing;
    private long checkpoints;

    GroupCommit(DataSource pool) {
        this.pool = pool;
    }

    /**
     * Returns once a checkpoint that began after this thread's commit has written the store to the file.
     *
     * @param c the connection that just committed, which runs the checkpoint if it is this thread's turn
     */
    void durable(Connection c) throws SQLException {
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
                        Thread.currentThread().interrupt();
                        throw new SQLException("interrupted while the store was written", e);
                    }
                }
                if (covered >= mine) {
                    return;
                }
                writing = true;
                target = registered; // every commit registered by now ended before this checkpoint begins
            }
            boolean done = false;
            try (Statement s = c.createStatement()) {
                s.execute("CHECKPOINT SYNC");
                done = true;
            } finally {
                synchronized (lock) {
                    writing = false;
                    if (done) {
                        covered = Math.max(covered, target);
                        checkpoints++;
                    }
                    lock.notifyAll();
                }
            }
        }
    }

    /** @return checkpoints written so far (for tests: fewer than commits under concurrent load) */
    long checkpoints() {
        synchronized (lock) {
            return checkpoints;
        }
    }

    /** @return commits made durable so far */
    long commits() {
        synchronized (lock) {
            return covered;
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        return pool.getConnection();
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return pool.getConnection(username, password);
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
