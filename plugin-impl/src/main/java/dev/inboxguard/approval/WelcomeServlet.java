package dev.inboxguard.approval;

import java.io.IOException;
import java.util.Map;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * The server's bare address. A person's browser gets a small page naming the CalDAV address and the approval
 * page; a calendar client (anything else: PROPFIND, or a GET that does not ask for HTML) is sent on to the DAV root,
 * where discovery starts.
 */
public final class WelcomeServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final String davRoot;

    /** @param davRoot the DAV root's path, such as {@code /dav/} */
    public WelcomeServlet(String davRoot) {
        this.davRoot = davRoot;
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        boolean plain = req.getMethod().equals("GET") || req.getMethod().equals("HEAD");
        String accept = req.getHeader("Accept");
        if (plain && accept != null && accept.contains("text/html")) {
            // Jetty's reading of the Host header (checked), or the listening address without one
            String host = req.getServerName().contains(":") ? "[" + req.getServerName() + "]" : req.getServerName();
            int port = req.getServerPort();
            boolean usual = port <= 0 || port == 80 && req.getScheme().equals("http")
                    || port == 443 && req.getScheme().equals("https");
            String base = req.getScheme() + "://" + host + (usual ? "" : ":" + port);
            resp.setHeader("Cache-Control", "no-store");
            resp.setHeader("X-Content-Type-Options", "nosniff");
            resp.setHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; "
                    + "frame-ancestors 'none'; base-uri 'none'");
            Pages.render(resp, HttpServletResponse.SC_OK, "landing.jte", Map.of("davUrl", base + davRoot,
                    "guardUrl", "/guard/"));
            return;
        }
        resp.setStatus(plain ? HttpServletResponse.SC_MOVED_PERMANENTLY : 308);
        resp.setHeader("Location", davRoot);
    }
}
