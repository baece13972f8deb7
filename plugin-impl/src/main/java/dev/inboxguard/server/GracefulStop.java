package dev.inboxguard.server;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * How the server's background workers stop: no new work, the work in progress finishes, and only a worker still busy
 * after the wait is interrupted. An interrupt is no way to stop a thread that may be committing: a JDK file channel
 * closes itself when the thread in it is interrupted, and the embedded database's file with it.
 */
public final class GracefulStop {
    private GracefulStop() {
    }

    /**
     * @param workers the executor to stop
     * @param wait    how long the work in progress may take before it is interrupted
     */
    public static void stop(ExecutorService workers, Duration wait) {
        workers.shutdown();
        try {
            if (!workers.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
