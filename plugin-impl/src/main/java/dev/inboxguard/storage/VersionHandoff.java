package dev.inboxguard.storage;

import java.lang.reflect.Field;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;

/**
 * Tells a checkpoint the moment H2 has taken the picture of its version, so that {@link CheckpointGate} can open
 * before the version is serialized, compressed, written and fsynced rather than after.
 *
 * <p>H2 takes a version's picture (the root of every changed map) on the committing thread, under its store lock,
 * and then hands the version to its serialization thread; a commit that waits then waits for the serialization and
 * the write. A picture's pages never change afterwards (H2 copies a page on every change), which is why H2's
 * background writer may serialize while transactions go on. Only taking the picture must see no transaction half
 * done. With the gate shut until the write returned, every statement waited for the serialization too: with
 * compressed pages, H2's serialization thread had 22-46 % of the CPU samples of a scheduling load run.
 *
 * <p>The hand-over is the first moment past the picture that can be seen from outside H2: the submission to the
 * store's serialization executor from {@code FileStore.storeIt}. So the executor is swapped for one that reports such
 * a submission to a listener set for the submitting thread. If a later H2 keeps the swap from working, or submits
 * from elsewhere, nothing is reported, and the gate opens once the write has returned, as before.
 */
final class VersionHandoff {
    private static final Field EXECUTOR = field(FileStore.class, "serializationExecutor", ThreadPoolExecutor.class);
    /** H2's store lock, under which H2 reads the executor to hand a version over. */
    private static final Field STORE_LOCK = field(MVStore.class, "storeLock", ReentrantLock.class);
    /** What the current thread wants to hear when its commit hands a version over. */
    private static final ThreadLocal<Runnable> LISTENER = new ThreadLocal<>();

    private VersionHandoff() {
    }

    /**
     * Runs a step on this thread and calls {@code pictureTaken} (at most once) as soon as a commit of the step hands
     * its version to H2's serialization thread: from then on, nothing done to the store changes that version.
     */
    static void run(MVStore store, Runnable pictureTaken, Runnable step) {
        install(store);
        LISTENER.set(pictureTaken);
        try {
            step.run();
        } finally {
            LISTENER.remove();
        }
    }

    /**
     * Puts the reporting executor in place of the store's serialization executor, unless it is there already or H2
     * runs none (no background writer). Tasks the old executor holds run first: the new one's thread waits for the
     * old one to finish them, so H2's versions are still serialized one at a time and in order.
     *
     * @return whether the store's serialization now reports its hand-overs
     */
    static boolean install(MVStore store) {
        if (EXECUTOR == null || STORE_LOCK == null) {
            return false;
        }
        FileStore<?> files = store.getFileStore();
        if (files == null) {
            return false;
        }
        try {
            if (EXECUTOR.get(files) instanceof Reporting) {
                return true;
            }
            // under H2's store lock, under which H2 reads the field to hand a version over. H2 stops its threads (a
            // close, a change of its write delay) without it; here the swap is made once, at a store's first
            // checkpoint, long before GroupCommit's close sets the write delay to 0
            ReentrantLock lock = (ReentrantLock) STORE_LOCK.get(store);
            lock.lock();
            try {
                Object current = EXECUTOR.get(files);
                if (current instanceof Reporting) {
                    return true;
                }
                if (!(current instanceof ThreadPoolExecutor old) || old.isShutdown()) {
                    return false;
                }
                EXECUTOR.set(files, new Reporting(old));
                // no new task for the old executor: one submitted in the meantime is refused, and H2 then runs it on
                // the submitting thread, after what is queued there has run (the refusal waits for the old executor)
                old.shutdown();
                return true;
            } finally {
                lock.unlock();
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }

    private static Field field(Class<?> owner, String name, Class<?> type) {
        try {
            Field f = owner.getDeclaredField(name);
            if (f.getType() != type) {
                return null;
            }
            f.setAccessible(true);
            return f;
        } catch (ReflectiveOperationException | RuntimeException e) {
            // a later H2 without the field: the gate opens after the write, as before
            return null;
        }
    }

    /** H2's single serialization thread, which tells the submitting thread's listener about a version handed to it. */
    private static final class Reporting extends ThreadPoolExecutor {
        /** The executor this one replaced, until it has finished what it held. */
        private volatile ThreadPoolExecutor predecessor;

        Reporting(ThreadPoolExecutor predecessor) {
            super(1, 1, 0L, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), predecessor.getThreadFactory());
            this.predecessor = predecessor;
        }

        @Override
        public Future<?> submit(Runnable task) {
            Future<?> queued = super.submit(task);
            Runnable listener = LISTENER.get();
            if (listener != null && fromStoreIt()) {
                LISTENER.remove();
                listener.run();
            }
            return queued;
        }

        /** Whether H2's hand-over of a version submits, rather than a flush of the executor or a file operation. */
        private static boolean fromStoreIt() {
            return StackWalker.getInstance().walk(frames -> frames.limit(6).anyMatch(
                    f -> f.getClassName().equals(FileStore.class.getName()) && f.getMethodName().equals("storeIt")));
        }

        @Override
        protected void beforeExecute(Thread t, Runnable r) {
            ThreadPoolExecutor old = predecessor;
            if (old != null) {
                while (true) {
                    try {
                        if (old.awaitTermination(1, TimeUnit.SECONDS)) {
                            break;
                        }
                    } catch (InterruptedException e) {
                        // not given back: an interrupt in H2's file operations would close the store. No one here
                        // interrupts H2's threads; H2 stops them with shutdown(), which lets the queue run out
                    }
                }
                predecessor = null;
            }
            super.beforeExecute(t, r);
        }
    }
}
