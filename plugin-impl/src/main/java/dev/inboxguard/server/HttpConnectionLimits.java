package dev.inboxguard.server;

import dev.inboxguard.config.GuardConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.component.AbstractLifeCycle;

/**
 * What one HTTP client can hold: at most {@code perAddress} connections from one address (trusted proxies
 * excepted), and a deadline for each request's headers, counted from the moment the connection opened or its
 * previous request finished. Jetty's idle timeout alone cannot stop a client that trickles a header byte every few
 * seconds (slowloris); the deadline does, whatever the pace. Jetty's {@code NetworkConnectionLimit} caps the total
 * beside this.
 *
 * <p>Counted in connections and wall-clock seconds of waiting, never in work the server does: a slow client costs
 * a socket, not a thread, until its headers are complete.
 */
final class HttpConnectionLimits extends AbstractLifeCycle implements Connection.Listener {
    private static final Duration SWEEP = Duration.ofMillis(500);

    private final int perAddress;
    private final long headerMillis;
    private final Set<InetAddress> exempt;
    private final Map<InetAddress, Integer> open = new ConcurrentHashMap<>();
    private final Map<Connection, InetAddress> counted = new ConcurrentHashMap<>();
    /** Connections waiting for a request's headers, and until when. */
    private final Map<Connection, Long> awaiting = new ConcurrentHashMap<>();
    private final int requestsPerAddress;
    /** Requests being handled now, per client address. */
    private final Map<InetAddress, Integer> handlingNow = new ConcurrentHashMap<>();
    private final AtomicLong refusedRequests = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong timedOut = new AtomicLong();
    private ScheduledExecutorService sweeper;

    /**
     * @param settings the limits
     * @param exempt   addresses not counted per address (trusted proxies)
     */
    HttpConnectionLimits(GuardConfig.Connections settings, Set<InetAddress> exempt) {
        this.perAddress = settings.perAddress();
        this.headerMillis = Duration.ofSeconds(settings.headerSeconds()).toMillis();
        this.requestsPerAddress = settings.requestsPerAddress();
        this.exempt = Set.copyOf(exempt);
    }

    @Override
    protected void doStart() {
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "http-header-deadline");
            t.setDaemon(true);
            return t;
        });
        sweeper.scheduleWithFixedDelay(this::sweep, SWEEP.toMillis(), SWEEP.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        sweeper.shutdownNow();
    }

    @Override
    public void onOpened(Connection connection) {
        InetAddress address = address(connection);
        if (address != null && exempt.contains(address)) {
            // a trusted proxy carries many clients, buffers their headers itself and keeps its connections open
            return;
        }
        if (address != null) {
            if (open.merge(address, 1, Integer::sum) > perAddress) {
                release(address);
                refused.incrementAndGet();
                connection.getEndPoint().close();
                return;
            }
            counted.put(connection, address);
        }
        awaiting.put(connection, System.currentTimeMillis() + headerMillis);
    }

    @Override
    public void onClosed(Connection connection) {
        awaiting.remove(connection);
        InetAddress address = counted.remove(connection);
        if (address != null) {
            release(address);
        }
    }

    /** The request's headers are complete: no deadline while it is handled. */
    void handling(Request request) {
        awaiting.remove(request.getConnectionMetaData().getConnection());
    }

    /**
     * Counts a request about to be handled against its address's share of the request threads. A thread stays with
     * its request while the body is read, so without a share a few connections sending a body a byte at a time (no
     * sign-in is needed to post a form) hold every thread, and the server answers no one.
     *
     * @param request the request, its headers complete
     * @return whether it may be handled; if not, it was not counted and should get 503
     */
    boolean admit(Request request) {
        InetAddress address = address(request.getConnectionMetaData().getConnection());
        if (address == null || exempt.contains(address)) {
            return true;
        }
        if (handlingNow.merge(address, 1, Integer::sum) > requestsPerAddress) {
            release(handlingNow, address);
            refusedRequests.incrementAndGet();
            return false;
        }
        request.setAttribute(COUNTED, address);
        return true;
    }

    private static final String COUNTED = HttpConnectionLimits.class.getName() + ".counted";

    /** @return requests answered 503 at once because their address had too many in hand */
    long refusedRequests() {
        return refusedRequests.get();
    }

    /** The request is answered: the next one's headers are due within the deadline. */
    void finished(Request request) {
        if (request.getAttribute(COUNTED) instanceof InetAddress counted) {
            release(handlingNow, counted);
        }
        Connection c = request.getConnectionMetaData().getConnection();
        InetAddress address = address(c);
        if (c.getEndPoint().isOpen() && (address == null || !exempt.contains(address))) {
            awaiting.put(c, System.currentTimeMillis() + headerMillis);
        }
    }

    /** @return connections closed at once because their address had too many */
    long refused() {
        return refused.get();
    }

    /** @return connections closed because a request's headers did not arrive in time */
    long timedOut() {
        return timedOut.get();
    }

    private void release(InetAddress address) {
        release(open, address);
    }

    /** One less for the address, and no entry once none is left. */
    private static void release(Map<InetAddress, Integer> counts, InetAddress address) {
        counts.merge(address, -1, (a, b) -> a + b <= 0 ? null : a + b);
    }

    private void sweep() {
        try {
            closeLate();
        } catch (RuntimeException e) {
            // one failure must not end the sweeps: the scheduler drops a task that throws
            org.slf4j.LoggerFactory.getLogger(HttpConnectionLimits.class).warn("HTTP header deadline: {}",
                    e.toString());
        }
    }

    private void closeLate() {
        long now = System.currentTimeMillis();
        for (Map.Entry<Connection, Long> e : awaiting.entrySet()) {
            Connection c = e.getKey();
            if (!c.getEndPoint().isOpen()) {
                awaiting.remove(c);
            } else if (e.getValue() < now && awaiting.remove(c, e.getValue())) {
                timedOut.incrementAndGet();
                c.getEndPoint().close();
            }
        }
    }

    private static InetAddress address(Connection connection) {
        SocketAddress remote = connection.getEndPoint().getRemoteSocketAddress();
        return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }
}
