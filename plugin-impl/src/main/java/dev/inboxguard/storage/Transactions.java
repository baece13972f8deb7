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
}
