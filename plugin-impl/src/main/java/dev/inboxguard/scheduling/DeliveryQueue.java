package dev.inboxguard.scheduling;

import dev.inboxguard.api.CaldavSubmission;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.server.Account;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.server.GracefulStop;
import dev.inboxguard.server.StopDeadline;
import dev.inboxguard.storage.AuditEntry;
import dev.inboxguard.storage.PendingDelivery;
import dev.inboxguard.storage.SchedulingStore;
import dev.inboxguard.storage.Transactions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Messages a local user sends while the directory is hidden. The sender's request only queues each one, durably and
 * the same way for every recipient: so neither its answer nor the time it takes tells the sender whether an address
 * is a user here. A worker then delivers a local recipient's through the {@link SchedulingInbox}, the guard
 * included, and hands a remote one's to the {@link OutboundImip} port (the outbound mail queue), in either case taking
 * it off this queue in the same transaction, so that it goes once, also after a crash. A delivery that fails (the
 * database, for a moment) is tried again later. One recipient's messages go in the order they were sent: a CANCEL
 * never overtakes its REQUEST.
 *
 * <p>Several nodes may share the queue: each message is claimed first, and a claim its node never settles lapses.
 */
public final class DeliveryQueue implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryQueue.class);
    private static final int BATCH = 20;
    private static final Duration POLL = Duration.ofSeconds(1);
    /** A batch takes milliseconds; a claim lapses only when its node has gone. */
    private static final Duration CLAIM = Duration.ofMinutes(5);
    private static final Duration MOST_BETWEEN_ATTEMPTS = Duration.ofMinutes(5);
    /** Long past the answer to the request that queued the message, and as long as outgoing mail waits. */
    private static final Duration WAKE_AFTER = Duration.ofMillis(200);

    private final SchedulingInbox inbox;
    private final OutboundImip outbound;
    private final SchedulingStore store;
    private final Accounts accounts;
    private final Transactions transactions;
    private final Clock clock;
    private final ScheduledThreadPoolExecutor worker = GracefulStop.timer("local-deliveries");
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private volatile boolean closing;

    /**
     * @param inbox        delivers to a local user, through the guard
     * @param outbound     takes a remote address's message
     * @param store        the queue
     * @param accounts     the local users
     * @param transactions makes each delivery and its leaving the queue one transaction
     * @param clock        the clock
     */
    public DeliveryQueue(SchedulingInbox inbox, OutboundImip outbound, SchedulingStore store, Accounts accounts,
                         Transactions transactions, Clock clock) {
        this.inbox = inbox;
        this.outbound = outbound;
        this.store = store;
        this.accounts = accounts;
        this.transactions = transactions;
        this.clock = clock;
    }

    /** Starts the worker; what was queued before a restart is delivered now. */
    public DeliveryQueue start() {
        worker.scheduleWithFixedDelay(this::drain, 0, POLL.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Queues a message. It is committed when this returns; the caller's scope makes it durable before the sender
     * is answered.
     *
     * @param from      the local user sending
     * @param author    the address it is from
     * @param recipient the address it is to, local or not
     * @param method    its METHOD
     * @param uid       its UID
     * @param itip      the message
     */
    void queue(Account from, CalendarUserAddress author, CalendarUserAddress recipient, String method, String uid,
               byte[] itip) {
        long now = clock.millis();
        store.queueDelivery(new PendingDelivery(0, from.name(), author.uri(), recipient.uri(), method, uid, itip, now,
                0, now));
        if (wakePending.compareAndSet(false, true)) {
            try {
                // not at once: begun now, the delivery would share the sender's request's time (its CPU, and the
                // wait for the disk), which would again tell a local recipient from a remote one
                worker.schedule(this::drain, WAKE_AFTER.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                // stopping: the message is queued, and the next start delivers it
            }
        }
    }

    /** Delivers what is due, until nothing is. */
    void drain() {
        wakePending.set(false);
        try {
            while (!closing) {
                long now = clock.millis();
                List<PendingDelivery> due = store.claimDeliveries(now, now + CLAIM.toMillis(), BATCH);
                if (due.isEmpty()) {
                    return;
                }
                for (int i = 0; i < due.size(); i++) {
                    if (closing) {
                        // not begun: due again at once, here after the next start or on another node
                        due.subList(i, due.size()).forEach(d -> store.retryDelivery(d, clock.millis()));
                        return;
                    }
                    deliver(due.get(i));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("local deliveries: the queue failed; trying again shortly: {}", e.toString());
        }
    }

    private void deliver(PendingDelivery d) {
        CalendarUserAddress to = CalendarUserAddress.of(d.recipient());
        CalendarUserAddress author = CalendarUserAddress.of(d.author());
        // looked up now: a user removed since the message was sent is an address like any other, and gets mail
        Optional<Account> recipient = accounts.byAddress(to);
        try {
            if (recipient.isPresent()) {
                // the sender as they are signed in; one removed since has no addresses, and the guard judges it so
                Set<CalendarUserAddress> addresses = accounts.find(d.sender()).map(a -> Set.copyOf(a.addresses()))
                        .orElse(Set.of());
                inbox.deliver(new SchedulingInbox.Incoming(d.itip(), Optional.empty(),
                        new CaldavSubmission(d.sender(), addresses), author, recipient.get(), to), transactions,
                        verdict -> takeOff(d));
            } else {
                String status = transactions.atomically(() -> {
                    String s = outbound.send(new OutgoingItip(author, to, d.method(), d.uid(), d.itip()));
                    takeOff(d);
                    return s;
                });
                if (!status.startsWith("1.")) {
                    // the sender was told "sent", as for every recipient; what became of it is in their trail
                    LOG.info("local deliveries: mail to {} from {} was not sent: {}", d.recipient(), d.sender(),
                            status);
                    store.audit(new AuditEntry(0, clock.millis(), "mail-failed", "caldav", d.author(), d.sender(),
                            d.recipient(), "", d.method(), d.uid(), "failed", status + ";Delivery failed", "[]", "",
                            d.author(), 1));
                }
            }
        } catch (Superseded e) {
            // our claim lapsed and another node took the message: its delivery is the one that counts
            LOG.info("local deliveries: a message to {} was delivered by another node", d.recipient());
        } catch (RuntimeException e) {
            long wait = Math.min(MOST_BETWEEN_ATTEMPTS.toMillis(), 1000L << Math.min(20, d.attempts()));
            LOG.warn("local deliveries: delivering to {} failed (attempt {}); trying again in {} s: {}",
                    d.recipient(), d.attempts(), wait / 1000, e.toString());
            store.retryDelivery(d, clock.millis() + wait);
        }
    }

    /** Inside the delivery's transaction: the message leaves the queue with it, or the delivery is undone. */
    private void takeOff(PendingDelivery d) {
        if (!store.finishDelivery(d)) {
            throw new Superseded();
        }
    }

    /** The message left the queue before this delivery could take it off: the delivery is rolled back. */
    private static final class Superseded extends RuntimeException {
        Superseded() {
            super(null, null, false, false);
        }
    }

    @Override
    public void close() {
        close(StopDeadline.NONE);
    }

    /**
     * Lets the delivery in progress finish, until the deadline; what is still queued waits for the next start.
     *
     * @param deadline the whole stop's deadline
     */
    public void close(StopDeadline deadline) {
        closing = true;
        GracefulStop.stop(worker, deadline.within(Duration.ofSeconds(10)));
    }
}
