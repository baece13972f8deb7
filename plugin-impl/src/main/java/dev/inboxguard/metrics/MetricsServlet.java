package dev.inboxguard.metrics;

import dev.inboxguard.config.GuardConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * {@code GET /metrics} in Prometheus's text format. Who may read it is {@code metrics.access}: loopback only (the
 * default, and never a request a proxy forwarded), a bearer token, or anyone. The numbers tell how much was held or refused and why, so they are not
 * public by default; they never name a sender, a recipient or an event.
 */
public final class MetricsServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final transient ServerMeters meters;
    private final String access;
    private final transient Optional<byte[]> token;

    /**
     * @param meters   what to expose
     * @param settings who may read it
     */
    public MetricsServlet(ServerMeters meters, GuardConfig.Metrics settings) {
        this.meters = meters;
        this.access = settings.access();
        this.token = access.equals("token")
                ? Optional.of(("Bearer " + settings.bearerToken()).getBytes(StandardCharsets.UTF_8))
                : Optional.empty();
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setHeader("Cache-Control", "no-store");
        if (!allowed(req)) {
            resp.setContentType("text/plain;charset=utf-8");
            if (access.equals("token")) {
                resp.setHeader("WWW-Authenticate", "Bearer realm=\"inboxguard metrics\"");
                resp.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
                resp.getWriter().write("metrics need the bearer token of metrics.token\n");
            } else {
                resp.setStatus(HttpServletResponse.SC_FORBIDDEN);
                resp.getWriter().write("metrics are readable from this machine only (metrics.access: loopback)\n");
            }
            return;
        }
        Optional<String> text = meters.scrape();
        if (text.isEmpty()) {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        resp.setContentType("text/plain; version=0.0.4; charset=utf-8");
        resp.getWriter().write(text.get());
    }

    private boolean allowed(HttpServletRequest req) {
        return switch (access) {
            case "open" -> true;
            case "token" -> {
                String given = req.getHeader("Authorization");
                // compared in constant time, so the answer's timing does not spell the token out
                yield given != null && MessageDigest.isEqual(token.orElseThrow(),
                        given.strip().getBytes(StandardCharsets.UTF_8));
            }
            // a reverse proxy on this machine makes every outside request come from loopback; the headers it adds
            // tell them apart from a Prometheus scraping directly
            default -> loopback(req.getRemoteAddr()) && !forwarded(req);
        };
    }

    private static boolean forwarded(HttpServletRequest req) {
        return req.getHeader("Forwarded") != null || req.getHeader("X-Forwarded-For") != null
                || req.getHeader("X-Real-IP") != null;
    }

    private static boolean loopback(String address) {
        try {
            // the remote address is an IP literal, so this looks nothing up
            return address != null && InetAddress.getByName(address).isLoopbackAddress();
        } catch (IOException e) {
            return false;
        }
    }
}
