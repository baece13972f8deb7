package dev.inboxguard.server;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the server's background workers stop: no new work, no waiting for work only scheduled for later, and the work
 * in progress finishes. A worker still busy after the wait is left to finish on its own (every one is a daemon
 * thread, and the process is exiting), never interrupted: a JDK file channel closes itself when the thread in it is
 * interrupted, and the embedded database's file with it, for every thread.
 */
public final class GracefulStop {
    private static final Logger LOG = LoggerFactory.getLogger(GracefulStop.class);

    private GracefulStop() {
    }

    /**
     * @param name the thread's name
     * @return a timer of one daemon thread that {@link #stop} can stop without waiting for its delayed work
     */
    public static ScheduledThreadPoolExecutor timer(String name) {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
        // a retry due in a minute is not work in progress: the next start picks it up from the store
        timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        timer.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        return timer;
    }

    /**
     * @param workers the executor to stop; a timer from {@link #timer} drops its delayed work (one of
     *                {@code Executors}' wrappers would run it first)
     * @param wait    how long the work in progress may take
     * @return true if every worker finished within the wait
     */
    public static boolean stop(ExecutorService workers, Duration wait) {
        workers.shutdown();
        try {
            if (workers.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                return true;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.warn("a background worker was still busy when the stop's time ran out; it is left to finish");
        return false;
    }
}
