package dev.inboxguard.scheduling;

import dev.inboxguard.api.CaldavSubmission;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.server.Account;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.server.GracefulStop;
import dev.inboxguard.server.StopDeadline;
import dev.inboxguard.storage.PendingDelivery;
import dev.inboxguard.storage.SchedulingStore;
import dev.inboxguard.storage.StoreFailure;
import dev.inboxguard.storage.Transactions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Messages a local user sends while the directory is hidden. The sender's request only queues each one, durably and
 * the same way for every recipient: so neither its answer nor the time it takes tells the sender whether an address
 * is a user here. One to three seconds later, a worker delivers a local recipient's through the
 * {@link SchedulingInbox}, the guard included, or hands a remote one's to the {@link OutboundImip} port (the outbound mail queue), in either
 * case taking it off this queue in the same transaction, so that it goes once, also after a crash. A delivery that
 * fails is tried again later: for ever while the database fails, at most {@link #MOST_ATTEMPTS} times for any other
 * failure. One recipient's messages go in the order they were sent: a CANCEL never overtakes its REQUEST.
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
    /**
     * A queued message is due this long after it was queued, plus up to as long again at random: past the end of
     * the request that queued it, on any node, and at a moment the sender cannot pick to time a request of theirs
     * against the delivery's work.
     */
    private static final Duration DUE_AFTER = Duration.ofSeconds(1);
    /**
     * Failures other than the database's (a bug that a message sets off every time) end after this many attempts,
     * about 20 minutes, so that one message does not hold its recipient's later ones back for ever.
     */
    static final int MOST_ATTEMPTS = 10;

    private final SchedulingInbox inbox;
    private final OutboundImip outbound;
    private final SchedulingStore store;
    private final Accounts accounts;
    private final Transactions transactions;
    private final Clock clock;
    private final ScheduledThreadPoolExecutor worker = GracefulStop.timer("scheduling-deliveries");
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

    /**
     * Starts the worker; what was queued before a restart goes a second later, once the rest of the server (the
     * outbound queue's listener for mail given up among it) is wired.
     */
    public DeliveryQueue start() {
        worker.scheduleWithFixedDelay(this::drain, POLL.toMillis(), POLL.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /**
     * Queues a message; the caller's scope ({@code syncedOnce}) makes it durable before the sender is answered.
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
        // not at once: begun during the sender's request, the delivery would share its time (its CPU, and the wait
        // for the disk), which would again tell a local recipient from a remote one
        long after = DUE_AFTER.toMillis() + ThreadLocalRandom.current().nextLong(DUE_AFTER.toMillis());
        // no wake-up of its own: the worker's poll, each second, takes it when it is due
        store.queueDelivery(new PendingDelivery(0, from.name(), author.uri(), recipient.uri(), method, uid, itip, now,
                0, now + after));
    }

    /** Delivers what is due, until nothing is. */
    void drain() {
        try {
            while (!closing) {
                long now = clock.millis();
                List<PendingDelivery> due = store.claimDeliveries(now, now + CLAIM.toMillis(), BATCH);
                if (due.isEmpty()) {
                    return;
                }
                for (int i = 0; i < due.size(); i++) {
                    if (closing) {
                        // not begun: due again at once, here after the next start or on another node, and this
                        // claim is not counted as an attempt
                        due.subList(i, due.size()).forEach(d -> store.releaseDelivery(d, clock.millis()));
                        return;
                    }
                    deliver(due.get(i));
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("queued scheduling messages: the queue failed; trying again shortly: {}", e.toString());
        } catch (Error e) {
            // thrown out of a periodic task, it would end the polling for good, silently
            LOG.error("queued scheduling messages: the worker failed; trying again shortly", e);
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
                    // not an address mail can go to (3.7). The sender was told "sent", as for every recipient, and
                    // is not told otherwise: a local user with such an address is delivered, so a later word here
                    // would tell the two apart. The operator reads it in the log
                    LOG.info("queued scheduling messages: mail to {} from {} was not sent: {}", d.recipient(),
                            d.sender(), status);
                }
            }
        } catch (Superseded e) {
            // our claim lapsed and another node took the message: its delivery is the one that counts
            LOG.info("queued scheduling messages: a message to {} was delivered by another node", d.recipient());
        } catch (RuntimeException e) {
            if (!(e instanceof StoreFailure) && d.attempts() >= MOST_ATTEMPTS) {
                // the same failure every time, not the database's: a bug this message sets off
                LOG.error("queued scheduling messages: a message from {} to {} ({} {}) failed {} times and is "
                        + "given up", d.sender(), d.recipient(), d.method(), d.uid(), d.attempts(), e);
                store.finishDelivery(d);
                return;
            }
            long wait = Math.min(MOST_BETWEEN_ATTEMPTS.toMillis(), 1000L << Math.min(20, d.attempts()));
            LOG.warn("queued scheduling messages: delivering to {} failed (attempt {}); trying again in {} s: {}",
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
