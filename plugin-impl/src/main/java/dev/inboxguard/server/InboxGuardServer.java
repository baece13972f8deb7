package dev.inboxguard.server;

import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.approval.HeldNotices;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.imip.ImipGateway;
import dev.inboxguard.imip.ImipListeners;
import dev.inboxguard.imip.ImipMail;
import dev.inboxguard.imip.MailRelay;
import dev.inboxguard.imip.OutboundQueue;
import dev.inboxguard.metrics.ServerMeters;
import dev.inboxguard.scheduling.OutboundImip;
import dev.inboxguard.scheduling.RecordingOutbound;
import dev.inboxguard.scheduling.Retention;
import dev.inboxguard.storage.Database;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Everything {@code serve} runs, over one set of stores: the CalDAV server with the approval page, the mail
 * listeners that feed iMIP to the same scheduling inboxes, and the queue that sends iMIP out through the relay (or,
 * with no relay configured, records it).
 */
public final class InboxGuardServer implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(InboxGuardServer.class);
    /** How long a whole stop may take; the rest of systemd's 90 s is left for closing the store. */
    public static final Duration STOP_TIME = Duration.ofSeconds(60);

    private final CaldavServer caldav;
    private final ImipListeners mail;
    private final Optional<OutboundQueue> outbound;
    private final Retention retention;
    private final Optional<HeldNotices> notices;

    private InboxGuardServer(CaldavServer caldav, ImipListeners mail, Optional<OutboundQueue> outbound,
                             Retention retention, Optional<HeldNotices> notices) {
        this.notices = notices;
        this.caldav = caldav;
        this.mail = mail;
        this.outbound = outbound;
        this.retention = retention;
    }

    /**
     * Assembles and starts everything.
     *
     * @param http       the HTTP address (port 0 picks a free one)
     * @param config     the configuration; its {@code mail} section says which listeners run and where mail goes
     * @param accounts   the users
     * @param database   everything kept: calendars, inboxes, quarantine, audit, the mail queue and receipts,
     *                   sign-ins and rate limits
     * @param clock      the clock
     * @return the running server
     * @throws Exception if a port cannot be bound or Jetty cannot start
     */
    public static InboxGuardServer start(InetSocketAddress http, GuardConfig config, Accounts accounts,
                                         Database database, Clock clock) throws Exception {
        ServerMeters meters = ServerMeters.prometheus();
        database.measure(meters.registry());
        // shown with or without a relay: without one, nothing is queued, and the page says so
        meters.gauge("inboxguard.outbound.queued", "outgoing messages waiting for the relay", database.mail(),
                q -> q.backlog().count());
        meters.gauge("inboxguard.outbound.oldest.age.seconds", "age of the oldest message waiting for the relay",
                database.mail(), q -> {
                    long oldest = q.backlog().oldest();
                    return oldest == 0 ? 0 : Math.max(0, (clock.millis() - oldest) / 1000.0);
                });
        Optional<OutboundQueue> queue = config.mail().relay().configured()
                ? Optional.of(new OutboundQueue(new ImipMail(new CalendarReader(config.limits()),
                ImipListeners.hostname(config.mail())),
                new MailRelay(config.mail().relay(), ImipListeners.hostname(config.mail())),
                config.mail().relay(), database.mail(), database.scheduling(), accounts, clock, meters))
                : Optional.empty();
        OutboundImip outbound = queue.isPresent() ? queue.get() : new RecordingOutbound();
        CaldavServer caldav = new CaldavServer(http, accounts, config, database, outbound, clock, meters);
        // what has started, closed in reverse if a later step fails, so that a failed start leaves no port bound
        // and no worker running
        java.util.Deque<AutoCloseable> started = new java.util.ArrayDeque<>();
        try {
            // pushed first: a Jetty that failed halfway through its start may have started its thread pool
            started.push(caldav);
            try {
                caldav.start();
            } catch (java.io.IOException e) {
                if (e instanceof java.net.BindException || e.getCause() instanceof java.net.BindException) {
                    throw new dev.inboxguard.config.ConfigException("cannot listen for HTTP on "
                            + http.getHostString() + ":" + http.getPort() + ": address in use or not available here"
                            + " (set --http-port)");
                }
                throw e;
            }
            // a message the relay never took, or that bounced, shows in its sender's copy, not only in the audit
            // trail; set before the listeners start, so that no early bounce misses it
            queue.ifPresent(q -> q.onGiveUp((m, status) -> caldav.scheduling().quarantine().mailGivenUp(
                    m.envelopeFrom(), m.envelopeTo(), m.uid(), m.method(), status)));
            ImipGateway gateway = new ImipGateway(config, caldav.scheduling().inbox(), accounts, database.mail(),
                    database, clock, meters);
            queue.ifPresent(q -> gateway.onBounce(q::bounced));
            ImipListeners listeners = ImipListeners.start(config, gateway);
            started.push(listeners);
            if (queue.isPresent()) {
                OutboundQueue q = queue.get().start();
                started.push(() -> q.close(StopDeadline.in(Duration.ofSeconds(10))));
            }
            Retention retention = new Retention(config.retention(), caldav.scheduling().quarantine(),
                    database.scheduling(), database.mail(), database.preferences(), database.calendars(), clock)
                    .start();
            started.push(retention);
            // people hear of what is held for them only where mail can go out
            String publicUrl = config.server().publicUrl().isEmpty()
                    ? "http://" + ImipListeners.hostname(config.mail()) + ":" + caldav.port() : config.server().publicUrl();
            Optional<HeldNotices> notices = queue.map(q -> new HeldNotices(database.scheduling(), database.preferences(),
                    accounts, q, new CalendarReader(config.limits()), publicUrl, ImipListeners.hostname(config.mail()),
                    database, clock).start());
            return new InboxGuardServer(caldav, listeners, queue, retention, notices);
        } catch (Exception | Error e) {
            while (!started.isEmpty()) {
                try {
                    started.pop().close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** @return the CalDAV side */
    public CaldavServer caldav() {
        return caldav;
    }

    /** @return the HTTP port */
    public int httpPort() {
        return caldav.port();
    }

    /** @return the LMTP port, if that listener runs */
    public Optional<Integer> lmtpPort() {
        return mail.lmtpPort();
    }

    /** @return the SMTP port, if that listener runs */
    public Optional<Integer> smtpPort() {
        return mail.smtpPort();
    }

    /** @return the mails about held items, if a relay is configured; tests sweep it at once instead of waiting */
    public Optional<HeldNotices> heldNotices() {
        return notices;
    }

    /** Blocks until the HTTP server stops. */
    public void join() throws InterruptedException {
        caldav.join();
    }

    /**
     * Stops taking work everywhere at once (HTTP, LMTP, SMTP, the outbound queue, the timers), then lets what is in
     * progress finish, everywhere at once, within {@link #STOP_TIME}: inside systemd's default of 90 s before it
     * kills the process. What is queued stays in the store for the next start.
     */
    @Override
    public void close() throws Exception {
        close(STOP_TIME);
    }

    /**
     * As {@link #close()}, within the given time. A part still busy at the deadline is left to finish on its own
     * rather than interrupted (see {@link GracefulStop}); it was not acknowledged, so nothing is lost.
     *
     * @param total the time the whole stop may take
     * @throws InterruptedException if interrupted while waiting
     */
    public void close(Duration total) throws InterruptedException {
        StopDeadline deadline = StopDeadline.in(total);
        java.util.List<Thread> parts = new java.util.ArrayList<>();
        // each part waits for its own work; in parallel, the waits overlap instead of adding up
        parts.add(stopping("http", () -> caldav.close(deadline)));
        parts.add(stopping("mail", () -> mail.close(deadline)));
        outbound.ifPresent(q -> parts.add(stopping("outbound", () -> q.close(deadline))));
        parts.add(stopping("retention", () -> retention.close(deadline)));
        notices.ifPresent(n -> parts.add(stopping("notices", () -> n.close(deadline))));
        // a little past the deadline, once for all parts: each part gives up at the deadline itself
        StopDeadline joined = StopDeadline.in(total.plusSeconds(1));
        for (Thread part : parts) {
            part.join(Math.max(1, joined.within(total.plusSeconds(1)).toMillis()));
        }
    }

    private interface Part {
        void stop() throws Exception;
    }

    private static Thread stopping(String name, Part part) {
        Thread t = new Thread(() -> {
            try {
                part.stop();
            } catch (Exception e) {
                LOG.warn("stopping {}: {}", name, e.toString());
            }
        }, "stop-" + name);
        t.setDaemon(true);
        t.start();
        return t;
    }
}
