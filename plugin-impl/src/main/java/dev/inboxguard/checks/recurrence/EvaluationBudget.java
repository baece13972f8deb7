package dev.inboxguard.checks.recurrence;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A wall-clock budget for evaluating one message. Checked between instances by the caller; and, because one step of
 * ical4j's rule iterator can itself take long (a period with thousands of candidates, or a thousand empty periods),
 * a watchdog interrupts the evaluating thread when the budget runs out. ical4j's iterator stops with an exception
 * when its thread is interrupted. Closing the budget clears an interrupt that the watchdog caused, and only that.
 */
final class EvaluationBudget implements AutoCloseable {
    private static final ScheduledThreadPoolExecutor WATCHDOG = watchdog();

    private final Thread thread = Thread.currentThread();
    private final long deadline;
    private ScheduledFuture<?> alarm;
    private final boolean interruptedBefore = Thread.currentThread().isInterrupted();
    private boolean closed;
    private boolean fired;

    /** Starts the clock; the watchdog is armed only when work that needs it begins ({@link #arm()}). */
    EvaluationBudget(Duration budget) {
        this.deadline = System.nanoTime() + budget.toNanos();
    }

    /** Arms the watchdog for the rest of the budget, once; messages that expand nothing never pay for it. */
    void arm() {
        if (alarm == null) {
            alarm = WATCHDOG.schedule(this::expire, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    private synchronized void expire() {
        if (!closed) {
            fired = true;
            thread.interrupt();
        }
    }

    /** @return true once the budget is spent */
    boolean exhausted() {
        return System.nanoTime() - deadline > 0 || wasFired();
    }

    private synchronized boolean wasFired() {
        return fired;
    }

    @Override
    public void close() {
        boolean clear;
        synchronized (this) {
            closed = true;
            clear = fired;
        }
        if (alarm != null) {
            alarm.cancel(false);
        }
        if (clear) {
            Thread.interrupted();
            if (interruptedBefore) {
                thread.interrupt(); // someone else's interrupt stays
            }
        }
    }

    private static ScheduledThreadPoolExecutor watchdog() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "inboxguard-recurrence-watchdog");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
