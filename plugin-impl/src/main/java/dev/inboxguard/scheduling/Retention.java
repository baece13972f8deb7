package dev.inboxguard.scheduling;

import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.server.GracefulStop;
import dev.inboxguard.server.StopDeadline;
import dev.inboxguard.storage.MailStore;
import dev.inboxguard.storage.SchedulingStore;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the server keeps, and for how long ({@code retention}): held items nobody decided on expire, and decided
 * items, audit rows, receipts of incoming mail, settled outgoing mail, the tombstones of deleted calendar objects
 * and scheduling-inbox items are removed once old enough. The sweep runs once an hour by the server's clock; on
 * several nodes each sweeps, and every step is safe to repeat.
 */
public final class Retention implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);
    private static final Duration EVERY = Duration.ofHours(1);
    /** How often the clock is looked at: a sweep is due at most this late. */
    private static final Duration LOOK = Duration.ofSeconds(5);

    private final GuardConfig.Retention settings;
    private final Quarantine quarantine;
    private final SchedulingStore scheduling;
    private final MailStore mail;
    private final dev.inboxguard.storage.PreferenceStore preferences;
    private final dev.inboxguard.storage.CalendarStore calendars;
    private final Clock clock;
    private final ScheduledExecutorService timer;
    private long lastSweep = Long.MIN_VALUE;

    /**
     * @param settings   how long each kind of thing is kept
     * @param quarantine expires held items
     * @param scheduling the audit trail and decided items
     * @param mail       receipts and the outbound queue
     * @param preferences spam reports, kept as long as audit rows
     * @param calendars  the tombstones behind sync tokens
     * @param clock      the clock
     */
    public Retention(GuardConfig.Retention settings, Quarantine quarantine, SchedulingStore scheduling,
                     MailStore mail, dev.inboxguard.storage.PreferenceStore preferences,
                     dev.inboxguard.storage.CalendarStore calendars, Clock clock) {
        this.preferences = preferences;
        this.calendars = calendars;
        this.settings = settings;
        this.quarantine = quarantine;
        this.scheduling = scheduling;
        this.mail = mail;
        this.clock = clock;
        this.timer = GracefulStop.timer("retention");
    }

    /** Sweeps now, then every hour. */
    public Retention start() {
        timer.scheduleWithFixedDelay(this::sweepIfDue, 0, LOOK.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void sweepIfDue() {
        long now = clock.millis();
        if (lastSweep != Long.MIN_VALUE && now - lastSweep < EVERY.toMillis() && now >= lastSweep) {
            return;
        }
        lastSweep = now;
        try {
            sweep();
        } catch (RuntimeException e) {
            LOG.warn("retention: the sweep failed; trying again in an hour: {}", e.toString());
        }
    }

    /** @return what this sweep did, for the log and tests */
    public Swept sweep() {
        long now = clock.millis();
        int expired = quarantine.expire(now - days(settings.heldDays()));
        int decided = scheduling.pruneDecided(now - days(settings.heldDays()));
        int audit = scheduling.pruneAudit(now - days(settings.auditDays()));
        preferences.pruneReports(now - days(settings.auditDays()));
        preferences.pruneLinks(now);
        mail.pruneReceipts(now - days(settings.receiptDays()));
        int settled = mail.pruneSettled(now - days(settings.mailDays()));
        int tombstones = calendars.pruneTombstones(now - days(settings.tombstoneDays()));
        int inbox = scheduling.pruneInbox(now - days(settings.inboxDays()));
        Swept swept = new Swept(expired, decided, audit, settled, tombstones, inbox);
        if (expired + decided + audit + settled + tombstones + inbox > 0) {
            LOG.info("retention: {} held items expired; removed {} decided items, {} audit rows, {} settled "
                    + "outgoing messages, {} tombstones, {} inbox items", expired, decided, audit, settled,
                    tombstones, inbox);
        }
        return swept;
    }

    /**
     * @param expired    held items expired
     * @param decided    decided items removed
     * @param audit      audit rows removed
     * @param settled    sent, given-up or bounced outgoing messages removed
     * @param tombstones names of deleted calendar objects forgotten
     * @param inbox      scheduling-inbox items removed
     */
    public record Swept(int expired, int decided, int audit, int settled, int tombstones, int inbox) {
    }

    private static long days(int n) {
        return Duration.ofDays(n).toMillis();
    }

    /** Lets a run in progress finish its writes, for up to 10 s, before the timer stops; never interrupts it. */
    @Override
    public void close() {
        close(StopDeadline.NONE);
    }

    /**
     * As {@link #close()}, waiting at most until the deadline.
     *
     * @param deadline the whole stop's deadline
     */
    public void close(StopDeadline deadline) {
        GracefulStop.stop(timer, deadline.within(Duration.ofSeconds(10)));
    }
}
