package dev.inboxguard.storage;

/** The store could not do its work (disk full, database broken); nothing was changed. The server answers 500/503. */
public final class StoreFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param what  what failed
     * @param cause the database's reason
     */
    public StoreFailure(String what, Throwable cause) {
        super(what + ": " + cause.getMessage(), cause);
    }
}
