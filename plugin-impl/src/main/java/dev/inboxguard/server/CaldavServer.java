package dev.inboxguard.server;

import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.inboxguard.api.ReplyRouter;
import dev.inboxguard.approval.ApprovalServlet;
import dev.inboxguard.caldav.CaldavServlet;
import dev.inboxguard.calendar.CalendarHomes;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.engine.Guard;
import dev.inboxguard.engine.GuardModule;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.scheduling.OutboundImip;
import dev.inboxguard.scheduling.Scheduling;
import java.time.Clock;
import java.time.Duration;
import dev.inboxguard.ical.Limits;
import dev.inboxguard.metrics.HttpMetricsFilter;
import dev.inboxguard.metrics.MetricsServlet;
import dev.inboxguard.metrics.ServerMeters;
import dev.inboxguard.storage.Database;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import javax.servlet.DispatcherType;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee8.servlet.FilterHolder;
import org.eclipse.jetty.ee8.servlet.ServletContextHandler;
import org.eclipse.jetty.ee8.servlet.ServletHolder;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.EventsHandler;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.SizeLimitHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The HTTP side of {@code serve}: Jetty with the CalDAV servlet under {@value #DAV}, RFC 6764 discovery at
 * {@code /.well-known/caldav}, and {@code /health}. Everything under {@value #DAV} needs HTTP Basic
 * authentication; request bodies are capped, so an oversized upload is refused with 413 (before it is read when
 * it declares its length), and compressed bodies are refused.
 */
public final class CaldavServer implements AutoCloseable {
    /** Where the CalDAV tree is mounted. */
    public static final String DAV = "/dav";

    /** Where the approval page and its API are. */
    public static final String GUARD = "/guard";

    private final Server jetty;
    private final Scheduling scheduling;
    private final ServerConnector connector;
    private final GracefulHandler inProgress;
    private final HttpConnectionLimits connectionLimits;

    // a calendar object is capped by limits.maxBytes; WebDAV request bodies are small, so 1 MiB leaves room
    private static final long MIN_BODY = 1024 * 1024;
    // a PUT that schedules takes milliseconds; a long answer to a slow client is cut after this
    private static final Duration REQUESTS_FINISH = Duration.ofSeconds(20);

    /**
     * Assembles the server: the guard from the configuration, scheduling over the stores, the CalDAV tree, the
     * approval page and its API.
     *
     * @param bind       the address to listen on (port 0 picks a free port)
     * @param accounts   the users
     * @param config     the configuration
     * @param database   calendars, inboxes, quarantine, audit, sign-ins and rate limits
     * @param outbound   where messages for remote calendar users go
     * @param clock      the clock
     */
    public CaldavServer(InetSocketAddress bind, Accounts accounts, GuardConfig config, Database database,
                        OutboundImip outbound, Clock clock) {
        this(bind, accounts, config, database, outbound, clock, ServerMeters.prometheus());
    }

    /**
     * @param bind     the address to listen on (port 0 picks a free port)
     * @param accounts the users
     * @param config   the configuration
     * @param database everything kept
     * @param outbound where messages for remote calendar users go
     * @param clock    the clock
     * @param meters   what {@code GET /metrics} shows; the server records verdicts, checks and requests there
     */
    public CaldavServer(InetSocketAddress bind, Accounts accounts, GuardConfig config, Database database,
                        OutboundImip outbound, Clock clock, ServerMeters meters) {
        this(bind, accounts, Math.max(MIN_BODY, config.limits().maxBytes()), database, config,
                assemble(accounts, config, database, outbound, clock, meters), clock, meters);
    }

    private static Scheduling assemble(Accounts accounts, GuardConfig config, Database database,
                                       OutboundImip outbound, Clock clock, ServerMeters meters) {
        Injector injector = Guice.createInjector(new GuardModule(config, database.rateLimiter(), meters));
        return Scheduling.assemble(injector.getInstance(Guard.class), injector.getInstance(CalendarReader.class),
                database.calendars(), database.scheduling(), accounts, outbound, injector.getInstance(ReplyRouter.class),
                config.scheduling(), clock, meters, new CalendarHomes(database.calendars(), config.caldav()),
                database.preferences(), database, database.rateLimiter(), config.rates().local().perSender());
    }

    private CaldavServer(InetSocketAddress bind, Accounts accounts, long maxBody, Database database,
                         GuardConfig config, Scheduling scheduling, Clock clock, ServerMeters meters) {
        Limits limits = config.limits();
        this.scheduling = scheduling;
        meters.gauge("inboxguard.held.pending", "held items waiting for a decision", database.scheduling(),
                s -> s.heldPending());
        meters.gauge("inboxguard.deliveries.queued", "scheduling messages from local users queued to be delivered or "
                + "mailed (the directory hidden)", database.scheduling(), s -> s.pendingDeliveries().count());
        HardenedXml.install();
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("http");
        jetty = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setRequestHeaderSize(16 * 1024);
        // a calendar or object name may hold a '%', which a client sends as %25; Jetty would refuse it as ambiguous
        http.setUriCompliance(UriCompliance.DEFAULT.with("calendar-names",
                UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING));
        TrustedProxies proxies = new TrustedProxies(config.server().trustedProxies());
        if (!config.server().trustedProxies().isEmpty()) {
            http.addCustomizer(proxies);
        }
        long hsts = config.server().hstsSeconds();
        if (hsts > 0) {
            // after the proxies' customizer, so that HTTPS as a trusted proxy reports it counts; Jetty's own
            // SecureRequestCustomizer sends the header only on a TLS connector, and TLS ends at the proxy here
            String header = "max-age=" + hsts;
            http.addCustomizer((request, responseHeaders) -> {
                if (request.isSecure()) {
                    responseHeaders.put("Strict-Transport-Security", header);
                }
                return request;
            });
        }
        connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
        connector.setHost(bind.getHostString());
        connector.setPort(bind.getPort());
        connector.setIdleTimeout(30_000);
        // at a stop, open connections get this idle timeout instead of Jetty's 1 s: a client sending a body may
        // pause this long and still get its answer. Idle connections do not hold the stop up: once the requests in
        // progress are answered, Jetty stops and closes the rest
        connector.setShutdownIdleTimeout(5_000);
        jetty.addConnector(connector);
        // slow and greedy clients: a cap in all (idle ones closed fast at the cap), one per address, and a deadline
        // for each request's headers
        GuardConfig.Connections bounds = config.server().connections();
        NetworkConnectionLimit total = new NetworkConnectionLimit(bounds.max(), connector);
        total.setEndPointIdleTimeout(5_000);
        jetty.addBean(total);
        this.connectionLimits = new HttpConnectionLimits(bounds, proxies.proxies);
        connector.addEventListener(connectionLimits);
        jetty.addBean(connectionLimits, true);
        meters.count("inboxguard.http.connections.refused", "HTTP connections closed at once: too many from one "
                + "address", connectionLimits, HttpConnectionLimits::refused);
        meters.count("inboxguard.http.requests.refused", "HTTP requests answered 503 at once: too many in hand "
                + "from one address", connectionLimits, HttpConnectionLimits::refusedRequests);
        meters.count("inboxguard.http.header.timeouts", "HTTP connections closed because a request's headers came "
                + "too slowly", connectionLimits, HttpConnectionLimits::timedOut);
        if (config.server().requestLog()) {
            // a one-click link's token acts for its user: it must not land in a log file, in the path or a Referer
            org.eclipse.jetty.server.Slf4jRequestLogWriter writer = new org.eclipse.jetty.server.Slf4jRequestLogWriter() {
                @Override
                public void write(String line) throws java.io.IOException {
                    super.write(line.replaceAll("/guard/act/[A-Za-z0-9_.-]+", "/guard/act/(token)"));
                }
            };
            writer.setLoggerName("dev.inboxguard.requests");
            jetty.setRequestLog(new org.eclipse.jetty.server.CustomRequestLog(writer,
                    org.eclipse.jetty.server.CustomRequestLog.EXTENDED_NCSA_FORMAT));
        }

        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        // the people's pages post a handful of short fields, and the sign-in form needs no sign-in: a form declared
        // larger is refused before its body is read, rather than keeping a thread while up to 200 KB (Jetty's
        // default) trickles in
        context.setMaxFormContentSize(16 * 1024);
        context.setMaxFormKeys(64);
        context.addServlet(new ServletHolder("health", new Health(database)), "/health");
        context.addServlet(new ServletHolder("metrics", new MetricsServlet(meters, config.metrics())), "/metrics");
        // first, so that it times every request, the refused ones included
        context.addFilter(new FilterHolder(new HttpMetricsFilter(meters)), "/*", EnumSet.of(DispatcherType.REQUEST));
        context.addServlet(new ServletHolder("well-known", new ToDavRoot()), "/.well-known/caldav");
        context.addServlet(new ServletHolder("well-known-slash", new ToDavRoot()), "/.well-known/caldav/");
        // any other well-known name is not served here: 404 for every method, rather than the default 501
        context.addServlet(new ServletHolder("well-known-other", new NotServed()), "/.well-known/*");
        // a client given the bare server URL starts there; "" maps exactly the root
        context.addServlet(new ServletHolder("root", new dev.inboxguard.approval.WelcomeServlet(DAV + "/")), "");
        context.setErrorHandler(new ErrorPages());
        ServletHolder dav = new ServletHolder("caldav", new CaldavServlet(DAV, accounts, maxBody, database.calendars(), limits,
                scheduling, database, clock));
        context.addServlet(new ServletHolder("guard", new ApprovalServlet(accounts, scheduling, database.sessions(),
                database.preferences(), new CalendarReader(limits), config, clock)),
                GUARD + "/*");
        context.addServlet(dav, DAV + "/*");
        context.addFilter(new FilterHolder(new BasicAuthentication(accounts)), DAV + "/*",
                EnumSet.of(DispatcherType.REQUEST));
        HttpConnectionLimits slowClients = connectionLimits;
        long minBodyRate = config.server().connections().minBodyRate();
        // each address's share of the request threads is taken inside the events handler, whose completion hook
        // gives it back for every request, the refused ones included
        Handler.Wrapper shareOfThreads = new Handler.Wrapper(new SizeLimitHandler(maxBody, -1) {
            {
                setHandler(context.get());
            }
        }) {
            @Override
            public boolean handle(org.eclipse.jetty.server.Request request, org.eclipse.jetty.server.Response response,
                                  org.eclipse.jetty.util.Callback callback) throws Exception {
                if (!slowClients.admit(request)) {
                    response.getHeaders().put("Retry-After", "5");
                    org.eclipse.jetty.server.Response.writeError(request, response, callback, 503,
                            "Too many requests from one address at once; try again shortly");
                    return true;
                }
                // a body trickled a byte at a time would hold the thread for as long as its declared length lasts
                return super.handle(new BodyDeadline(request, minBodyRate), response, callback);
            }
        };
        // outermost, so that a stop waits for the requests in progress: without it, Jetty's thread pool interrupts
        // them at once, and an interrupt inside a commit closes the embedded database's file
        inProgress = new GracefulHandler(new EventsHandler(shareOfThreads) {
            @Override
            protected void onBeforeHandling(org.eclipse.jetty.server.Request request) {
                slowClients.handling(request);
            }

            @Override
            protected void onComplete(org.eclipse.jetty.server.Request request, Throwable failure) {
                slowClients.finished(request);
            }
        });
        jetty.setHandler(inProgress);
    }

    /**
     * Starts listening.
     *
     * @return this server
     * @throws Exception if Jetty cannot start (the port is taken, for instance)
     */
    public CaldavServer start() throws Exception {
        jetty.start();
        scheduling.deliveries().start();
        return this;
    }

    /** @return scheduling, for tests and the iMIP gateway */
    public Scheduling scheduling() {
        return scheduling;
    }

    /** @return HTTP connections closed at once because their address had too many, and for slow headers */
    public long[] connectionsClosed() {
        return new long[] {connectionLimits.refused(), connectionLimits.timedOut()};
    }

    /** @return the port it listens on */
    public int port() {
        return connector.getLocalPort();
    }

    /** Blocks until the server stops. */
    public void join() throws InterruptedException {
        jetty.join();
    }

    @Override
    public void close() throws Exception {
        close(StopDeadline.NONE);
    }

    /**
     * Stops taking connections and requests, lets the requests in progress finish until the deadline (at most 20 s),
     * then stops. A request still running then is interrupted by Jetty's thread pool, and this throws.
     *
     * @param deadline the whole stop's deadline
     * @throws Exception if Jetty fails to stop
     */
    public void close(StopDeadline deadline) throws Exception {
        // no new connections, and no new requests on open ones (503); then the requests in progress finish. Only
        // those are waited for: Jetty's own graceful stop also waits for idle keep-alive connections to time out
        connector.shutdown();
        try {
            inProgress.shutdown().get(Math.max(1, deadline.within(REQUESTS_FINISH).toMillis()),
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        } finally {
            try {
                jetty.setStopTimeout(0);
                jetty.stop();
            } finally {
                // after the requests: one answered just now may have queued a message; it waits for the next start
                scheduling.deliveries().close(deadline);
            }
        }
    }

    /**
     * 200 while the server answers and reaches its database, 503 when it cannot: a load balancer then sends the
     * work to another node. No authentication.
     */
    private static final class Health extends HttpServlet {
        private final transient Database database;

        Health(Database database) {
            this.database = database;
        }

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("text/plain;charset=utf-8");
            resp.setHeader("Cache-Control", "no-store");
            if (!database.reachable()) {
                resp.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
                resp.getWriter().write("database unreachable\n");
                return;
            }
            resp.getWriter().write("ok\n");
        }
    }

    /**
     * Forwarded and X-Forwarded-* headers (RFC 7239) believed only from the configured proxies: through them the
     * request's scheme, host and client address are the client's; from anyone else the headers change nothing, so
     * a client cannot claim HTTPS or another address.
     */
    private static final class TrustedProxies implements HttpConfiguration.Customizer {
        private final java.util.Set<java.net.InetAddress> proxies = new java.util.HashSet<>();
        private final org.eclipse.jetty.server.ForwardedRequestCustomizer forwarded =
                new org.eclipse.jetty.server.ForwardedRequestCustomizer();

        TrustedProxies(java.util.List<String> addresses) {
            for (String a : addresses) {
                try {
                    // an IP literal (GuardConfig.Server checks the form): no name lookup happens
                    proxies.add(java.net.InetAddress.getByName(a.strip()));
                } catch (java.net.UnknownHostException e) {
                    throw new dev.inboxguard.config.ConfigException("server.trustedProxies: not an IP address: " + a);
                }
            }
        }

        @Override
        public org.eclipse.jetty.server.Request customize(org.eclipse.jetty.server.Request request,
                                                         org.eclipse.jetty.http.HttpFields.Mutable responseHeaders) {
            java.net.SocketAddress peer = request.getConnectionMetaData().getRemoteSocketAddress();
            if (peer instanceof InetSocketAddress inet && proxies.contains(inet.getAddress())) {
                return forwarded.customize(request, responseHeaders);
            }
            return request;
        }
    }

    /** Everything under {@code /.well-known/} but CalDAV's: not here, whatever the method. */
    private static final class NotServed extends HttpServlet {
        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND, "Not found; CalDAV starts at /.well-known/caldav");
        }
    }

    /**
     * RFC 6764 §5: the well-known URI (and the bare server URL) redirect to where discovery starts. GET and HEAD get
     * 301; other methods get 308, so that a PROPFIND is repeated with its body rather than as an empty one.
     */
    private static final class ToDavRoot extends HttpServlet {
        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) {
            boolean plain = req.getMethod().equals("GET") || req.getMethod().equals("HEAD");
            resp.setStatus(plain ? HttpServletResponse.SC_MOVED_PERMANENTLY : 308);
            resp.setHeader("Location", DAV + "/");
        }
    }
}
