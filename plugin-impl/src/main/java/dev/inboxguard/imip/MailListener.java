package dev.inboxguard.imip;

import dev.inboxguard.server.GracefulStop;
import dev.inboxguard.server.StopDeadline;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A mail listener: LMTP (RFC 2033) for the local MTA, or SMTP (RFC 5321) for mail straight from other systems. Each
 * connection is one {@link MailSession} on a thread of its own; connections over the shared limit are turned away
 * with 421 at once rather than queued, so that a flood of idle connections cannot starve the MTA's. One client
 * address (for IPv6, one /64 network) holds at most a quarter of an SMTP listener's slots and half of an LMTP
 * listener's, so idle connections from one place cannot lock out the MTA on another, while the MTA itself may open
 * as many as Postfix does by default (20). While three quarters are taken, every session, old or new, may stay
 * silent for a short idle timeout only; and a client that stops reading its replies is cut off after the idle
 * timeout too. When the listener is full, a newcomer holding fewer connections than another address takes the
 * place of the longest-idle session of the largest holder that has one.
 */
public final class MailListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(MailListener.class);

    /** Which protocol a listener speaks. */
    public enum Protocol {
        /** RFC 2033: LHLO, and one reply per recipient after DATA. */
        LMTP,
        /** RFC 5321: EHLO or HELO, and one recipient per transaction. */
        SMTP
    }

    /**
     * What a session needs to know.
     *
     * @param protocol        LMTP or SMTP
     * @param hostname        the name it greets with
     * @param maxMessageBytes the largest message taken
     * @param idleTimeout     how long a client may stay silent
     */
    public record Settings(Protocol protocol, String hostname, int maxMessageBytes, Duration idleTimeout) {
    }

    /** The idle timeout of every session while the listener is nearly full. */
    static final Duration BUSY_IDLE_TIMEOUT = Duration.ofSeconds(10);

    private final Settings settings;
    private final ImipGateway gateway;
    private final Semaphore slots;
    private final ServerSocket server;
    private final ExecutorService sessions;
    /** Every open connection's session, by its socket. */
    private final java.util.Map<Socket, MailSession> open = new ConcurrentHashMap<>();
    private final Thread acceptor;
    private volatile boolean closing;
    private final int capacity;
    private final int perAddress;
    private final java.util.Map<String, Integer> byAddress = new java.util.HashMap<>();
    private final MessageMemory memory;
    /** Closes the socket of a session whose reply has not been taken by the client within the idle timeout. */
    private final ScheduledThreadPoolExecutor writeWatch;

    /**
     * Binds and starts accepting.
     *
     * @param bind     the address and port (0 picks a free one)
     * @param settings the protocol and its limits
     * @param gateway  where messages go
     * @param slots    connection slots
     * @throws IOException if the port cannot be bound
     */
    public MailListener(InetSocketAddress bind, Settings settings, ImipGateway gateway, Semaphore slots)
            throws IOException {
        this(bind, settings, gateway, slots, MessageMemory.forMessagesOf(settings.maxMessageBytes()));
    }

    /**
     * Binds and starts accepting.
     *
     * @param bind     the address and port (0 picks a free one)
     * @param settings the protocol and its limits
     * @param gateway  where messages go
     * @param slots    connection slots
     * @param memory   the memory messages in hand may take, shared with the other listener
     * @throws IOException if the port cannot be bound
     */
    MailListener(InetSocketAddress bind, Settings settings, ImipGateway gateway, Semaphore slots,
                 MessageMemory memory) throws IOException {
        this.settings = settings;
        this.gateway = gateway;
        this.slots = slots;
        this.memory = memory;
        this.capacity = slots.availablePermits();
        // the MTA is an LMTP listener's one rightful client, and Postfix opens up to 20 connections to it by default
        this.perAddress = Math.max(1, capacity / (settings.protocol() == Protocol.LMTP ? 2 : 4));
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(bind, 128);
        String name = settings.protocol().name().toLowerCase(java.util.Locale.ROOT);
        AtomicInteger n = new AtomicInteger();
        this.sessions = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.writeWatch = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, name + "-write-watch");
            t.setDaemon(true);
            return t;
        });
        writeWatch.setRemoveOnCancelPolicy(true); // a write that finished leaves nothing behind
        this.acceptor = new Thread(this::accept, name + "-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** @return the port it listens on */
    public int port() {
        return server.getLocalPort();
    }

    private void accept() {
        while (!closing) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!closing) {
                    LOG.warn("{} listener: accept failed", settings.protocol(), e);
                    pause(); // out of file handles, say: do not spin
                }
                continue;
            }
            String from = client(socket.getInetAddress());
            if (!takeAddressSlot(from)) {
                refuse(socket);
                continue;
            }
            if (!slots.tryAcquire() && !(makeRoomFor(from) && acquireFreedSlot())) {
                releaseAddressSlot(from);
                refuse(socket);
                continue;
            }
            if (closing) {
                // the stop began while this one waited for a freed slot: closeConnections may have passed it by
                slots.release();
                releaseAddressSlot(from);
                refuse(socket);
                continue;
            }
            try {
                MailSession session = new MailSession(socket, this, gateway, from);
                open.put(socket, session);
                sessions.execute(() -> {
                    try (Socket s = socket) {
                        session.run();
                    } catch (IOException e) {
                        LOG.debug("{} session ended: {}", settings.protocol(), e.toString());
                    } finally {
                        open.remove(socket);
                        slots.release();
                        releaseAddressSlot(from);
                    }
                });
            } catch (IOException | RuntimeException e) {
                open.remove(socket);
                slots.release();
                releaseAddressSlot(from);
                refuse(socket);
            }
        }
    }

    /**
     * The listener is full and a client asks in: if another address holds more connections than it, the
     * longest-idle session (one waiting for a command, with no mail in hand) of the largest such holder that has one
     * is closed to make room. Without this, two or three addresses idling at their per-address share kept the MTA
     * out until the short idle timeout passed; with it, only a client holding as many as every other is turned away.
     *
     * @param from the newcomer's address, its own connection already counted
     * @return true if a session was asked to close
     */
    private boolean makeRoomFor(String from) {
        List<String> heavier;
        synchronized (byAddress) {
            int mine = byAddress.getOrDefault(from, 0);
            heavier = byAddress.entrySet().stream().filter(e -> e.getValue() > mine)
                    .sorted(java.util.Map.Entry.<String, Integer>comparingByValue().reversed())
                    .map(java.util.Map.Entry::getKey).toList();
        }
        for (String address : heavier) {
            // each session's idle time is read once: sorting on values that sessions change meanwhile could break
            // the sort's contract and throw on the acceptor's thread
            List<IdleSession> idle = new ArrayList<>();
            for (MailSession s : open.values()) {
                long since = s.client().equals(address) ? s.idleSince() : 0;
                if (since > 0) {
                    idle.add(new IdleSession(s, since));
                }
            }
            idle.sort(java.util.Comparator.comparingLong(IdleSession::since));
            // an address whose sessions all have mail in hand is passed over for the next heaviest
            for (IdleSession candidate : idle) {
                if (candidate.session().closeForNewcomer()) {
                    return true;
                }
            }
        }
        return false;
    }

    private record IdleSession(MailSession session, long since) {
    }

    /** @return true once the session closed to make room has given its slot back, within a short wait */
    private boolean acquireFreedSlot() {
        try {
            return slots.tryAcquire(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** @return the settings every session of this listener runs with */
    Settings settings() {
        return settings;
    }

    /** @return how long a session may stay silent now: shorter while the listener is nearly full */
    Duration idleTimeoutNow() {
        boolean nearlyFull = slots.availablePermits() < capacity / 4;
        return nearlyFull && settings.idleTimeout().compareTo(BUSY_IDLE_TIMEOUT) > 0 ? BUSY_IDLE_TIMEOUT
                : settings.idleTimeout();
    }

    /** @return the memory budget for messages in hand */
    MessageMemory memory() {
        return memory;
    }

    /**
     * Closes the socket if the task is not cancelled within the timeout: a blocking write has no timeout of its own.
     *
     * @param socket  the session's socket
     * @param timeout how long the write may block
     * @return the task, to cancel once the write returns
     */
    java.util.concurrent.Future<?> closeUnlessWritten(Socket socket, Duration timeout) {
        Runnable close = () -> {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        };
        try {
            return writeWatch.schedule(close, timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            // the listener has stopped, and a session outlived the wait for it: it gets no more writes
            close.run();
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
    }

    /**
     * @param address a client's address
     * @return what the per-address limit counts: the address, or for IPv6 its /64 network, since one host may hold
     *     a whole /64
     */
    static String client(java.net.InetAddress address) {
        byte[] b = address.getAddress();
        return address instanceof java.net.Inet6Address
                ? java.util.HexFormat.of().formatHex(b, 0, 8) + "::/64" : address.getHostAddress();
    }

    private boolean takeAddressSlot(String from) {
        synchronized (byAddress) {
            int held = byAddress.getOrDefault(from, 0);
            if (held >= perAddress) {
                return false;
            }
            byAddress.put(from, held + 1);
            return true;
        }
    }

    private void releaseAddressSlot(String from) {
        synchronized (byAddress) {
            byAddress.computeIfPresent(from, (k, held) -> held <= 1 ? null : held - 1);
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void refuse(Socket socket) {
        try (Socket s = socket) {
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write("421 4.3.2 Too many connections; try again later\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            // it is being turned away anyway
        }
    }

    /** Stops accepting and ends every open session. */
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
        stopAccepting();
        closeConnections(deadline);
        awaitSessions(StopDeadline.in(deadline.within(SESSIONS_FINISH)));
    }

    // a session in the middle of a delivery gets this long to finish its commit
    static final Duration SESSIONS_FINISH = Duration.ofSeconds(10);

    /** Closes the listening socket: no new session starts. */
    void stopAccepting() {
        closing = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    /**
     * Closes every open connection, once the acceptor has stopped adding to them; their sessions end at their next
     * read.
     *
     * @param deadline the whole stop's deadline
     */
    void closeConnections(StopDeadline deadline) {
        try {
            // no socket is added to the open ones after this, so the loop below closes every one
            acceptor.join(Math.max(1, deadline.within(Duration.ofSeconds(2)).toMillis()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Socket s : open.keySet()) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    /**
     * Waits for the sessions to end. One in the middle of a delivery finishes its commit first, since an interrupt
     * could reach it inside the database.
     *
     * @param sessionsEnd when to stop waiting
     */
    void awaitSessions(StopDeadline sessionsEnd) {
        GracefulStop.stop(sessions, sessionsEnd.within(SESSIONS_FINISH));
        writeWatch.shutdownNow();
    }
}
