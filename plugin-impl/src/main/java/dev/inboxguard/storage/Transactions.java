package dev.inboxguard.storage;

import java.util.function.Supplier;

/** Runs work as one transaction across the stores: what it writes commits together or not at all. */
public interface Transactions {
    /** For stores that are not a database (tests): the work runs as it is. */
    Transactions NONE = new Transactions() {
        @Override
        public <T> T atomically(Supplier<T> work) {
            return work.get();
        }
    };

    /**
     * @param work what to do, on this thread
     * @param <T>  its result
     * @return its result, once committed
     */
    <T> T atomically(Supplier<T> work);

    /**
     * Runs work that may commit several times (a PUT that stores the organizer's copy, delivers to each attendee
     * and adds their statuses) and returns once all of it is durable. Each commit inside ends its transaction at
     * once, visible to other requests; one wait for the disk at the end covers them all, instead of one wait per
     * commit. Answer the client only after this returns: what the work committed is made durable before it
     * returns, also when the work fails. Other requests may see those commits a moment before they are durable.
     * Inside another such scope it runs the work as it is, and the outer scope's end covers it.
     *
     * @param work what to do, on this thread
     * @param <T>  its result
     * @return its result, once everything it committed is durable
     */
    default <T> T syncedOnce(Supplier<T> work) {
        return work.get();
    }
}
