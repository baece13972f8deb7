package dev.inboxguard.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** The two ways the stores talk to the database: a read, and a unit of work that commits or rolls back whole. */
final class Sql {
    private Sql() {
    }

    interface Row<T> {
        T read(ResultSet r) throws SQLException;
    }

    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** @return true if the statement broke a primary key or unique constraint (the same SQLSTATE in H2 and PostgreSQL) */
    static boolean isDuplicate(SQLException e) {
        return "23505".equals(e.getSQLState());
    }

    /** The atomic unit this thread is in, if any: reads and writes on the same database join its connection. */
    private record Unit(DataSource db, Connection connection) {
    }

    private static final ThreadLocal<Unit> CURRENT = new ThreadLocal<>();

    /** @return the connection of this thread's atomic unit on {@code db}, or null */
    private static Connection joined(DataSource db) {
        Unit u = CURRENT.get();
        return u != null && u.db() == db ? u.connection() : null;
    }

    static <T> List<T> query(DataSource db, String sql, List<?> args, Row<T> row) {
        Connection joined = joined(db);
        if (joined != null) {
            try {
                return read(joined, sql, args, row);
            } catch (SQLException e) {
                throw new StoreFailure("a read failed", e);
            }
        }
        boolean interrupted = Thread.interrupted(); // see giveBack()
        try (Connection c = db.getConnection()) {
            return read(c, sql, args, row);
        } catch (SQLException e) {
            throw new StoreFailure("a read failed", e);
        } finally {
            giveBack(interrupted);
        }
    }

    // A JDK file channel closes itself when a thread with its interrupt flag set reads or writes through it, and
    // H2's embedded store then dies for every connection. Each way into the database therefore clears a pending
    // interrupt first and gives it back on the way out, so the caller still sees it.
    private static void giveBack(boolean interrupted) {
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    static <T> List<T> read(Connection c, String sql, List<?> args, Row<T> row) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            bind(p, args);
            List<T> out = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.add(row.read(r));
                }
            }
            return out;
        }
    }

    /**
     * Runs work as one unit: every read and write the stores make on this thread meanwhile, through any store,
     * commits together or not at all. A unit of work inside it that fails is rolled back to where it began (a
     * savepoint), so that a conflict one store reports and its caller handles does not spoil the rest.
     */
    static <T> T atomically(DataSource db, java.util.function.Supplier<T> work) {
        if (joined(db) != null) {
            return work.get();
        }
        if (CURRENT.get() != null) {
            throw new IllegalStateException("one atomic unit at a time on a thread, on one database");
        }
        boolean interrupted = Thread.interrupted(); // see giveBack()
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            CURRENT.set(new Unit(db, c));
            try {
                T result = work.get();
                c.commit();
                try {
                    durable(db, c);
                } catch (SQLException e) {
                    throw new StoreFailure("a write was committed but could not be made durable", e, true);
                }
                return result;
            } catch (RuntimeException | Error e) {
                try {
                    c.rollback();
                } catch (SQLException again) {
                    e.addSuppressed(again); // the connection is closed below either way; the first failure matters
                }
                throw e;
            } finally {
                CURRENT.remove();
            }
        } catch (SQLException e) {
            throw new StoreFailure("a write failed", e);
        } finally {
            giveBack(interrupted);
        }
    }

    /** Returns once the commit just made on {@code c} is in the file, where the database defers that (H2). */
    private static void durable(DataSource db, Connection c) throws SQLException {
        if (db instanceof GroupCommit group) {
            SyncedOnce scope = SYNCED_ONCE.get();
            if (scope != null && scope.db == db) {
                scope.owed = true; // the scope waits once, at its end, before anything is answered
                return;
            }
            group.durable(c);
        }
    }

    /** A stretch of work on this thread whose commits wait for the file together, at its end. */
    private static final class SyncedOnce {
        private final DataSource db;
        private boolean owed;

        private SyncedOnce(DataSource db) {
            this.db = db;
        }
    }

    private static final ThreadLocal<SyncedOnce> SYNCED_ONCE = new ThreadLocal<>();

    /**
     * Runs work that may commit several times and returns once every one of those commits is durable. Each commit
     * inside ends its transaction at once; one wait for the file at the end covers them all, since a checkpoint
     * begun after a commit writes it. Whatever the work committed is made durable before this returns, also when
     * the work fails.
     */
    static <T> T syncedOnce(DataSource db, java.util.function.Supplier<T> work) {
        if (!(db instanceof GroupCommit group) || SYNCED_ONCE.get() != null) {
            // inside another scope: on this database its end waits for these commits too; on another, each
            // commit here waits for itself (durable() compares the database)
            return work.get();
        }
        SyncedOnce scope = new SyncedOnce(db);
        SYNCED_ONCE.set(scope);
        T result;
        try {
            result = work.get();
        } catch (Throwable e) {
            SYNCED_ONCE.remove();
            try {
                settle(group, scope);
            } catch (Throwable again) {
                e.addSuppressed(again); // the work's own failure is what the caller must see
            }
            throw e;
        } finally {
            SYNCED_ONCE.remove(); // a pooled thread must never keep a scope: its later commits would not wait
        }
        settle(group, scope);
        return result;
    }

    private static void settle(GroupCommit group, SyncedOnce scope) {
        if (!scope.owed) {
            return;
        }
        boolean interrupted = Thread.interrupted(); // see giveBack()
        try (Connection c = group.getConnection()) {
            c.setAutoCommit(false);
            group.durable(c);
        } catch (SQLException e) {
            throw new StoreFailure("a write failed", e);
        } finally {
            giveBack(interrupted);
        }
    }

    static <T> T transaction(DataSource db, Work<T> work) {
        return transaction(db, work, true);
    }

    /**
     * A unit of work whose loss in a crash harms nothing, so its commit does not wait for the file: a claim on an
     * incoming message, which the MTA's retry makes again. Whatever commits after it and waits (the delivery) takes
     * it to the file too, since a checkpoint writes everything committed before it.
     */
    static <T> T provisionally(DataSource db, Work<T> work) {
        return transaction(db, work, false);
    }

    private static <T> T transaction(DataSource db, Work<T> work, boolean durable) {
        Connection joined = joined(db);
        if (joined != null) {
            return nested(joined, work);
        }
        boolean interrupted = Thread.interrupted(); // see giveBack()
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                if (durable) {
                    durable(db, c);
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreFailure("a write failed", e);
        } finally {
            giveBack(interrupted);
        }
    }

    private static <T> T nested(Connection c, Work<T> work) {
        try {
            java.sql.Savepoint start = c.setSavepoint();
            try {
                T result = work.run(c);
                c.releaseSavepoint(start);
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback(start);
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreFailure("a write failed", e);
        }
    }

    /** Rows one pruning statement removes at most: a first sweep over a large table is many short transactions. */
    static final int PRUNE_BATCH = 5_000;

    /**
     * Deletes old rows a batch at a time, each batch its own transaction, so that no sweep holds a long lock or a
     * large undo log.
     *
     * @param table the table
     * @param key   its primary key column (one column)
     * @param where the condition, with its arguments
     * @return rows removed
     */
    static int prune(DataSource db, String table, String key, String where, Object... args) {
        int total = 0;
        while (true) {
            int removed = transaction(db, c -> update(c, "DELETE FROM " + table + " WHERE " + key + " IN (SELECT "
                    + key + " FROM " + table + " WHERE " + where + " FETCH FIRST " + PRUNE_BATCH + " ROWS ONLY)",
                    args));
            total += removed;
            if (removed < PRUNE_BATCH) {
                return total;
            }
        }
    }

    static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            bind(p, java.util.Arrays.asList(args));
            return p.executeUpdate();
        }
    }

    private static void bind(PreparedStatement p, List<?> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            Object a = args.get(i);
            if (a instanceof String s) {
                setText(p, i + 1, s);
            } else {
                p.setObject(i + 1, a);
            }
        }
    }

    /**
     * Binds text. PostgreSQL cannot store U+0000 in text, and hostile input carries it; it becomes U+FFFD on every
     * database, so the two stores keep the same data.
     */
    static void setText(PreparedStatement p, int index, String s) throws SQLException {
        p.setString(index, asStored(s));
    }

    /** @return the text as {@link #setText} stores it, and as it reads back: NUL replaced */
    static String asStored(String s) {
        return s == null || s.indexOf('\0') < 0 ? s : s.replace('\0', '\ufffd');
    }

    /**
     * A value that a sender chooses and that the database indexes (a rate-limit key, a correspondent's address):
     * kept as it is when short, else replaced by its SHA-256, so that it fits the column and the index.
     */
    static String shortKey(String s) {
        if (s.length() <= 200 && s.indexOf('\0') < 0) {
            return s;
        }
        try {
            return "sha256:" + java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return {@code s} cut to a column's width */
    static String clip(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
