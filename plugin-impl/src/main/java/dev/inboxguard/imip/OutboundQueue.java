package dev.inboxguard.imip;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.metrics.ServerMeters;
import dev.inboxguard.mime.DeliveryStatusReport;
import dev.inboxguard.scheduling.OutboundImip;
import dev.inboxguard.scheduling.OutgoingItip;
import dev.inboxguard.server.Account;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.server.GracefulStop;
import dev.inboxguard.server.StopDeadline;
import dev.inboxguard.storage.AuditEntry;
import dev.inboxguard.storage.ItemId;
import dev.inboxguard.storage.MailStore;
import dev.inboxguard.storage.QueuedMail;
import dev.inboxguard.storage.SchedulingStore;
import jakarta.mail.MessagingException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outgoing iMIP through a durable queue. {@link #send} composes the e-mail and commits it to the queue before it
 * returns, so what the organizer is told was sent (1.1) survives a crash; a sender thread then hands queued mail to
 * the relay, retrying temporary failures on the configured schedule and giving up after the configured time. Each
 * final outcome goes into the audit trail of the local user who sent it.
 *
 * <p>Several nodes may share one queue: a message is claimed before it is sent, and a claim that its node does not
 * settle lapses, so the message is tried again rather than lost.
 */
public final class OutboundQueue implements OutboundImip, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutboundQueue.class);
    private static final int BATCH = 20;
    /** Connecting, MAIL, RCPT and DATA may each take the timeout. */
    private static final int STEPS_PER_MESSAGE = 4;
    private static final Duration POLL = Duration.ofSeconds(1);

    private final ImipMail composer;
    private final MailRelay relay;
    private final GuardConfig.Relay settings;
    private final MailStore queue;
    private final SchedulingStore audit;
    private final Accounts accounts;
    private final ServerMeters meters;
    private final Clock clock;
    private final ScheduledExecutorService sender;
    private final AtomicBoolean wakePending = new AtomicBoolean();

    /**
     * @param composer composes the e-mails
     * @param relay    the relay
     * @param settings its retry settings
     * @param queue    the durable queue
     * @param audit    where final outcomes are recorded
     * @param accounts the local users, to name the sender in the audit trail
     * @param clock    the clock
     */
    public OutboundQueue(ImipMail composer, MailRelay relay, GuardConfig.Relay settings, MailStore queue,
                         SchedulingStore audit, Accounts accounts, Clock clock) {
        this(composer, relay, settings, queue, audit, accounts, clock, ServerMeters.none());
    }

    /**
     * @param composer writes the e-mail
     * @param relay    the relay client
     * @param settings its retry settings
     * @param queue    the durable queue
     * @param audit    where final outcomes are recorded
     * @param accounts the local users
     * @param clock    the clock
     * @param meters   where the backlog and the relay's refusals are shown
     */
    public OutboundQueue(ImipMail composer, MailRelay relay, GuardConfig.Relay settings, MailStore queue,
                         SchedulingStore audit, Accounts accounts, Clock clock, ServerMeters meters) {
        this.meters = meters;
        this.composer = composer;
        this.relay = relay;
        this.settings = settings;
        this.queue = queue;
        this.audit = audit;
        this.accounts = accounts;
        this.clock = clock;
        this.sender = GracefulStop.timer("imip-out");
    }

    /** Who hears that a message was given up: the sender's copy gets its SCHEDULE-STATUS from it. */
    public interface GiveUpListener {
        /**
         * @param mail   the message given up
         * @param status the SCHEDULE-STATUS code for the recipient: 5.1 (could not be delivered) or 3.7 (the
         *               address does not exist)
         */
        void gaveUp(QueuedMail mail, String status);
    }

    private volatile GiveUpListener onGiveUp = (m, status) -> { };
    private volatile boolean closing;

    /** @param listener told of every message given up, after it is recorded */
    public void onGiveUp(GiveUpListener listener) {
        this.onGiveUp = listener;
    }

    /** Starts the sender thread; mail queued before a restart goes out now. */
    public OutboundQueue start() {
        sender.scheduleWithFixedDelay(this::drain, 0, POLL.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    @Override
    public String send(OutgoingItip message) {
        Optional<ImipMail.Composed> mail = composer.compose(message, clock.instant());
        if (mail.isEmpty()) {
            return "3.7"; // RFC 6638 §3.2.9: not an address mail can go to
        }
        long now = clock.millis();
        queue.enqueue(new QueuedMail(ItemId.random(), now, mail.get().envelopeFrom(), mail.get().envelopeTo(),
                message.method(), message.uid(), mail.get().message(), 0, now, QueuedMail.QUEUED, "", 0));
        if (wakePending.compareAndSet(false, true)) {
            try {
                sender.execute(this::drain);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // shutting down: the message is in the queue, and the next start sends it
            }
        }
        return "1.1";
    }

    /**
     * Queues a mail the server writes itself (a notice about held items to a local user): sent, retried and given up
     * like iMIP, and never about an event's scheduling status.
     *
     * @param envelopeFrom the envelope sender (the server's postmaster)
     * @param envelopeTo   the user's address
     * @param message      the whole message
     */
    public void sendNotice(String envelopeFrom, String envelopeTo, byte[] message) {
        long now = clock.millis();
        queue.enqueue(new QueuedMail(ItemId.random(), now, envelopeFrom, envelopeTo, "NOTICE", "", message, 0, now,
                QueuedMail.QUEUED, "", 0));
        if (wakePending.compareAndSet(false, true)) {
            try {
                sender.execute(this::drain);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // shutting down: the message is in the queue, and the next start sends it
            }
        }
    }

    /** Sends what is due, until nothing is. */
    void drain() {
        wakePending.set(false);
        try {
            while (!closing) {
                long now = clock.millis();
                // a claim outlives the slowest possible batch; only then may another sender take the message
                long claimUntil = now + Duration.ofSeconds(settings.timeoutSeconds()).toMillis()
                        * (STEPS_PER_MESSAGE * (BATCH + 1L));
                List<QueuedMail> due = queue.claimDue(now, claimUntil, BATCH);
                if (due.isEmpty()) {
                    return;
                }
                sendBatch(due);
            }
        } catch (RuntimeException e) {
            LOG.warn("outgoing iMIP: the queue failed; trying again shortly", e);
        }
    }

    private void sendBatch(List<QueuedMail> due) {
        MailRelay.Connection connection;
        try {
            connection = relay.connect();
        } catch (MessagingException e) {
            if (closing) {
                // cut off by the stop, not refused by the relay
                release(due);
                return;
            }
            String why = MailRelay.describe(e);
            LOG.warn("outgoing iMIP: cannot reach the relay {}:{}: {}", settings.host(), settings.port(), why);
            for (QueuedMail m : due) {
                retryOrGiveUp(m, why);
            }
            return;
        }
        try (connection) {
            for (int i = 0; i < due.size(); i++) {
                QueuedMail m = due.get(i);
                if (closing) {
                    release(due.subList(i, due.size()));
                    return;
                }
                MailRelay.Attempt a = connection.send(m.envelopeFrom(), m.envelopeTo(), m.message());
                switch (a.outcome()) {
                    case SENT -> {
                        queue.sent(m, clock.millis());
                        record(m, "mail-sent", "sent", "2.0;Success");
                        LOG.info("outgoing iMIP {} {} from {} to {}: sent", m.method(), m.uid(), m.envelopeFrom(),
                                m.envelopeTo());
                    }
                    case FAILED -> giveUp(m, a.detail(), a.badAddress() ? "3.7" : "5.1");
                    default -> retryOrGiveUp(m, a.detail());
                }
            }
        }
    }

    /**
     * Gives claims back untried, due now, so that a node started again (or another node) sends them at once instead
     * of when the claims lapse, which at the default timeouts is 42 minutes later.
     */
    private void release(List<QueuedMail> untried) {
        long now = clock.millis();
        for (QueuedMail m : untried) {
            queue.release(m, now);
        }
    }

    private void retryOrGiveUp(QueuedMail m, String why) {
        long now = clock.millis();
        if (now - m.created() >= Duration.ofHours(settings.giveUpHours()).toMillis()) {
            giveUp(m, "not accepted within " + settings.giveUpHours() + " h; last: " + why, "5.1");
            return;
        }
        List<Integer> waits = settings.retrySeconds();
        int wait = waits.get(Math.min(m.attempts() - 1, waits.size() - 1));
        queue.retryAt(m, now + wait * 1000L, why);
        meters.relayFailure("retry");
    }

    /** @param status the sender's SCHEDULE-STATUS: 3.7 for an address the relay refused, else 5.1 */
    private void giveUp(QueuedMail m, String why, String status) {
        queue.failed(m, clock.millis(), why);
        meters.relayFailure("gave-up");
        record(m, "mail-failed", "failed", (status.equals("3.7") ? "3.7;Invalid calendar user: "
                : "5.1;Delivery failed: ") + why);
        LOG.warn("outgoing iMIP {} {} from {} to {}: given up: {}", m.method(), m.uid(), m.envelopeFrom(),
                m.envelopeTo(), why);
        try {
            onGiveUp.gaveUp(m, status);
        } catch (RuntimeException e) {
            // the failure is recorded in the audit trail either way
            LOG.warn("outgoing iMIP {} {}: the sender's copy could not be marked: {}", m.method(), m.uid(),
                    e.toString());
        }
    }

    /**
     * A delivery status notification (RFC 3464) came back to a local user after the relay had accepted the message:
     * each recipient it reports as failed is marked on the queued message, audited as {@code mail-bounced}, and
     * shown in the sender's copy (3.7 for an address that does not exist, else 5.1), as when the queue gives up.
     * Only messages this user sent are touched, and each once, so a resent or forged report changes nothing more.
     *
     * @param report       the notification
     * @param localAddress the address it came to: the envelope sender of what it reports on
     * @return how many of our messages it marked as failed
     */
    public int bounced(DeliveryStatusReport report, String localAddress) {
        int marked = 0;
        for (DeliveryStatusReport.Recipient r : report.recipients()) {
            if (!r.failed()) {
                continue;
            }
            String why = "bounced: " + r.status() + (r.detail().isEmpty() ? "" : " " + r.detail());
            Optional<QueuedMail> m = queue.bounced(report.messageId(), localAddress, r.address(), clock.millis(), why);
            if (m.isEmpty() && !r.finalAddress().isEmpty() && !r.finalAddress().equalsIgnoreCase(r.address())) {
                m = queue.bounced(report.messageId(), localAddress, r.finalAddress(), clock.millis(), why);
            }
            if (m.isEmpty()) {
                continue;
            }
            marked++;
            String status = r.badAddress() ? "3.7" : "5.1";
            meters.relayFailure("bounced");
            record(m.get(), "mail-bounced", "failed", (status.equals("3.7") ? "3.7;Invalid calendar user: "
                    : "5.1;Delivery failed: ") + why);
            LOG.warn("outgoing iMIP {} {} from {} to {}: {}", m.get().method(), m.get().uid(), m.get().envelopeFrom(),
                    m.get().envelopeTo(), why);
            try {
                onGiveUp.gaveUp(m.get(), status);
            } catch (RuntimeException e) {
                LOG.warn("outgoing iMIP {} {}: the sender's copy could not be marked: {}", m.get().method(),
                        m.get().uid(), e.toString());
            }
        }
        return marked;
    }

    private void record(QueuedMail m, String event, String action, String status) {
        CalendarUserAddress from = CalendarUserAddress.of("mailto:" + m.envelopeFrom());
        String user = accounts.byAddress(from).map(Account::name).orElse("");
        audit.audit(new AuditEntry(0, clock.millis(), event, "imip", from.uri(), user, "mailto:" + m.envelopeTo(),
                "", m.method(), m.uid(), action, status, "[]", "", "relay " + settings.host()));
    }


    /**
     * Stops the sender thread after the message it is sending; what is queued stays queued, and what it had claimed
     * but not tried is given back. It is never interrupted: an interrupt is no way to stop a thread that may be
     * committing.
     */
    @Override
    public void close() {
        close(StopDeadline.NONE);
    }

    /**
     * As {@link #close()}, waiting at most until the deadline. A message cut off there was not marked sent: it is
     * sent again after the next start, with the same Message-ID.
     *
     * @param deadline the whole stop's deadline
     */
    public void close(StopDeadline deadline) {
        closing = true;
        // the message being sent may take each of its steps' timeouts
        GracefulStop.stop(sender,
                deadline.within(Duration.ofSeconds(settings.timeoutSeconds() * (long) STEPS_PER_MESSAGE + 5)));
    }
}
