package dev.inboxguard.storage;

/**
 * The store could not do its work (disk full, database broken); nothing was changed, unless {@link #committed} says
 * the changes were committed and only their wait for the disk failed. The server answers 500/503.
 */
public final class StoreFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean committed;

    /**
     * @param what  what failed
     * @param cause the database's reason
     */
    public StoreFailure(String what, Throwable cause) {
        this(what, cause, false);
    }

    /**
     * @param what      what failed
     * @param cause     the database's reason
     * @param committed whether the transaction was committed before the failure (its wait for the disk failed)
     */
    StoreFailure(String what, Throwable cause, boolean committed) {
        super(cause == null ? what : what + ": " + cause.getMessage(), cause);
        this.committed = committed;
    }

    /**
     * @return true if the transaction was committed and only its wait for the disk failed: its changes stand in the
     *         database, and may or may not survive a crash
     */
    public boolean committed() {
        return committed;
    }

    /**
     * @return true if trying again later may succeed: the database is unreachable, shutting down, or chose this
     *         transaction as a deadlock or serialization victim. False for errors that would recur (a value too
     *         wide for its column, a broken constraint).
     */
    public boolean isTransient() {
        for (Throwable t = getCause(); t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLTransientException) {
                return true;
            }
            if (t instanceof java.sql.SQLException e && e.getSQLState() != null) {
                String state = e.getSQLState();
                if (state.startsWith("08") || state.startsWith("57P") || state.equals("40001")
                        || state.equals("40P01") || state.equals("HYT00")) {
                    return true;
                }
            }
        }
        return getCause() == null;
    }
}
