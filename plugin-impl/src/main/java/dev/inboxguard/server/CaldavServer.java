package dev.inboxguard.server;

import dev.inboxguard.caldav.CaldavServlet;
import dev.inboxguard.ical.Limits;
import dev.inboxguard.storage.CalendarStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import javax.servlet.DispatcherType;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee8.nested.ErrorHandler;
import org.eclipse.jetty.ee8.servlet.FilterHolder;
import org.eclipse.jetty.ee8.servlet.ServletContextHandler;
import org.eclipse.jetty.ee8.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
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

    private final Server jetty;
    private final ServerConnector connector;

    /**
     * @param bind     the address to listen on (port 0 picks a free port)
     * @param accounts the users
     * @param maxBody  the largest request body accepted, in bytes
     * @param store    the calendars
     * @param limits   the bounds for reading calendar objects
     */
    public CaldavServer(InetSocketAddress bind, Accounts accounts, long maxBody, CalendarStore store, Limits limits) {
        HardenedXml.install();
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("http");
        jetty = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setRequestHeaderSize(16 * 1024);
        connector = new ServerConnector(jetty, new HttpConnectionFactory(http));
        connector.setHost(bind.getHostString());
        connector.setPort(bind.getPort());
        connector.setIdleTimeout(30_000);
        jetty.addConnector(connector);

        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        context.addServlet(new ServletHolder("health", new Health()), "/health");
        context.addServlet(new ServletHolder("well-known", new ToDavRoot()), "/.well-known/caldav");
        context.addServlet(new ServletHolder("well-known-slash", new ToDavRoot()), "/.well-known/caldav/");
        // a client given the bare server URL starts there; "" maps exactly the root
        context.addServlet(new ServletHolder("root", new ToDavRoot()), "");
        ErrorHandler errors = new ErrorHandler();
        errors.setShowStacks(false);
        errors.setShowServlet(false);
        context.setErrorHandler(errors);
        ServletHolder dav = new ServletHolder("caldav", new CaldavServlet(DAV, accounts, maxBody, store, limits));
        context.addServlet(dav, DAV + "/*");
        context.addFilter(new FilterHolder(new BasicAuthentication(accounts)), DAV + "/*",
                EnumSet.of(DispatcherType.REQUEST));
        jetty.setHandler(new SizeLimitHandler(maxBody, -1) {
            {
                setHandler(context.get());
            }
        });
    }

    /**
     * Starts listening.
     *
     * @return this server
     * @throws Exception if Jetty cannot start (the port is taken, for instance)
     */
    public CaldavServer start() throws Exception {
        jetty.start();
        return this;
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
        jetty.stop();
    }

    /** 200 once the server answers; for load balancers and the README's smoke test. No authentication. */
    private static final class Health extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("text/plain;charset=utf-8");
            resp.getWriter().write("ok\n");
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
