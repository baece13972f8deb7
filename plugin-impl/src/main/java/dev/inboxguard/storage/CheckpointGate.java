package dev.inboxguard.storage;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;

/**
 * Holds every statement, commit and rollback of the embedded store back while a checkpoint takes its picture of
 * the store, so that the picture is of whole transactions.
 *
 * <p>H2 takes the pages of a version to write one B-tree (map) at a time, and nothing stops transactions meanwhile
 * (H2 issue 2080): a version can hold a transaction's row in one map and not its index entry in another, or the
 * end of its commit in some maps and not in others. H2's next version usually makes up for it; after a crash the
 * torn version is the one recovery opens. {@code PowerLossTest} found it at the restart of a killed writer: an
 * index entry whose row was missing ({@code Row not found in primary index}), a calendar its own primary key no
 * longer found. With the gate shut, no statement changes any map while {@link GroupCommit} has H2 take the picture
 * of a version (it opens once H2 has handed the version to its serialization thread, {@link VersionHandoff});
 * {@link OrderedWrites} marks the chunks of such versions, and recovery after a crash that went to an unmarked
 * version goes back to the marked one its chunk names ({@link OrderedWrites#closeCleanlyAfterACrash}), which holds
 * every commit acknowledged before it.
 *
 * <p>A connection inside a transaction that has already run a statement may still be holding row locks that a
 * statement in flight waits for, so it may go on while the gate is shutting; everything else waits. Once nothing
 * is in flight the gate is shut, for as long as H2 takes the picture. So a thread must not wait for a checkpoint
 * (commit on one connection) while a transaction it holds open on another has run statements: a statement in
 * flight that waits for that transaction's locks would hold the checkpoint until H2's lock timeout. {@link Sql}
 * keeps one connection per thread for nested work. Connections reached past the proxy ({@code unwrap}, a result
 * set's statement) are not gated; nothing here uses them to write. H2's own LOB clean-up thread is not gated
 * either: a version may hold half of one, which leaves unreferenced LOB data, never a half-written row.
 */
final class CheckpointGate {
    private final Object lock = new Object();
    /** Calls inside the store now. */
    private int inFlight;
    /** A checkpoint waits for the calls in flight: new work waits, transactions already under way go on. */
    private boolean shutting;
    /** A checkpoint is taking its picture: every call waits. */
    private boolean shut;

    /**
     * @param midTransaction whether the caller's connection has run a statement in a transaction not yet ended
     * @return whether the thread was interrupted while it waited: given back only once the call has left the store,
     *     since a JDK file channel that H2 reads on an interrupted thread closes itself, and the store with it
     */
    boolean enter(boolean midTransaction) {
        boolean interrupted = false;
        synchronized (lock) {
            while (shut || shutting && !midTransaction) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    // a statement refused for an interrupt would fail a request that has done nothing wrong
                    interrupted = true;
                }
            }
            inFlight++;
        }
        return interrupted;
    }

    void leave() {
        synchronized (lock) {
            if (--inFlight == 0) {
                lock.notifyAll();
            }
        }
    }

    /**
     * Waits until nothing is in flight and shuts the gate; one checkpoint at a time ({@link GroupCommit}).
     *
     * @return whether the thread was interrupted while it waited, for the caller to give back once it is done
     */
    boolean shut() {
        boolean interrupted = false;
        synchronized (lock) {
            shutting = true;
            while (inFlight > 0) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            shutting = false;
            shut = true;
        }
        return interrupted;
    }

    void open() {
        synchronized (lock) {
            shut = false;
            shutting = false;
            lock.notifyAll();
        }
    }

    /** @return the connection with its statements, commits and rollbacks passing through this gate */
    Connection guard(Connection c) {
        return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                new GuardedConnection(c));
    }

    private final class GuardedConnection implements InvocationHandler {
        private final Connection c;
        /** Whether a statement has run since the connection's last commit or rollback, with auto-commit off. */
        private boolean midTransaction;

        GuardedConnection(Connection c) {
            this.c = c;
        }

        @Override
        public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
            switch (m.getName()) {
                case "createStatement", "prepareStatement", "prepareCall" -> {
                    Statement s = (Statement) call(c, m, args);
                    Class<?> type = s instanceof CallableStatement ? CallableStatement.class
                            : s instanceof PreparedStatement ? PreparedStatement.class : Statement.class;
                    return Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {type},
                            (p, sm, sargs) -> switch (sm.getName()) {
                                case "equals" -> p == sargs[0];
                                case "hashCode" -> System.identityHashCode(p);
                                case "getConnection" -> proxy;
                                default -> sm.getName().startsWith("execute") ? gated(s, sm, sargs, false)
                                        : call(s, sm, sargs);
                            });
                }
                // each may end a transaction, and so change the maps: a commit, a rollback, auto-commit switched on,
                // a close (which rolls back), an abort, and in H2 a change of isolation level (which commits)
                case "commit", "setAutoCommit", "close", "abort", "setTransactionIsolation" -> {
                    boolean ends = !m.getName().equals("setAutoCommit") || Boolean.TRUE.equals(args[0]);
                    return gated(c, m, args, ends);
                }
                case "rollback" -> {
                    // a rollback to a savepoint leaves the transaction and its locks
                    return gated(c, m, args, args == null || args.length == 0);
                }
                case "releaseSavepoint" -> {
                    return gated(c, m, args, false);
                }
                case "equals" -> {
                    return proxy == args[0];
                }
                case "hashCode" -> {
                    return System.identityHashCode(proxy);
                }
                default -> {
                    return call(c, m, args);
                }
            }
        }

        /**
         * @param ends whether the call ends the connection's transaction; otherwise whether one is under way is read
         *             after it
         */
        private Object gated(Object target, Method m, Object[] args, boolean ends) throws Throwable {
            boolean interrupted = enter(midTransaction);
            try {
                return call(target, m, args);
            } finally {
                try {
                    midTransaction = !ends && underWay();
                } finally {
                    leave();
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        }

        /** @return whether a transaction is open; also if the connection cannot say (it may hold locks) */
        private boolean underWay() {
            try {
                return !c.getAutoCommit();
            } catch (java.sql.SQLException | RuntimeException e) {
                return true;
            }
        }
    }

    private static Object call(Object target, Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
