package dev.inboxguard.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** How a background worker stops: its work in progress finishes, later work is dropped, nothing is interrupted. */
class GracefulStopTest {
    @Test
    void workOnlyScheduledForLaterIsNotWaitedFor() {
        ScheduledExecutorService timer = GracefulStop.timer("test");
        AtomicBoolean ran = new AtomicBoolean();
        timer.schedule(() -> ran.set(true), 1, TimeUnit.MINUTES);
        timer.scheduleAtFixedRate(() -> { }, 1, 1, TimeUnit.MINUTES);
        long start = System.nanoTime();
        assertTrue(GracefulStop.stop(timer, Duration.ofSeconds(30)));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "the stop waited for a later retry");
        assertFalse(ran.get());
    }

    @Test
    void aWorkerStillBusyAtTheDeadlineIsLeftRunningNotInterrupted() throws Exception {
        ScheduledExecutorService timer = GracefulStop.timer("test");
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        timer.execute(() -> {
            busy.countDown();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            // a busy loop, as a write in progress is, that notices an interrupt
            while (release.getCount() > 0 && System.nanoTime() < end) {
                if (Thread.currentThread().isInterrupted()) {
                    interrupted.set(true);
                }
                Thread.onSpinWait();
            }
        });
        busy.await();
        assertFalse(GracefulStop.stop(timer, Duration.ofMillis(200)), "the worker outlasted the wait");
        release.countDown();
        assertTrue(timer.awaitTermination(10, TimeUnit.SECONDS), "it finished on its own");
        assertFalse(interrupted.get(), "it was never interrupted");
    }

    @Test
    void aDeadlineGivesEachPartTheShorterOfItsOwnWaitAndWhatIsLeft() throws Exception {
        StopDeadline deadline = StopDeadline.in(Duration.ofMillis(300));
        assertTrue(deadline.within(Duration.ofMillis(100)).toMillis() <= 100);
        assertTrue(deadline.within(Duration.ofSeconds(10)).toMillis() <= 300);
        Thread.sleep(400);
        assertTrue(deadline.within(Duration.ofSeconds(10)).isZero(), "nothing is left after the deadline");
        assertTrue(StopDeadline.NONE.within(Duration.ofSeconds(10)).equals(Duration.ofSeconds(10)));
    }
}
