package dev.inboxguard.metrics;

import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.util.Locale;
import java.util.Set;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * Times every HTTP request by method, status and area of the server ({@code dav}, {@code guard}, {@code metrics},
 * {@code other}). Never by path: paths carry user names and event names, and a sender could grow the series
 * without bound.
 */
public final class HttpMetricsFilter implements Filter {
    private static final Set<String> METHODS = Set.of("GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS", "PROPFIND",
            "PROPPATCH", "REPORT", "MKCOL", "MKCALENDAR", "COPY", "MOVE", "LOCK", "UNLOCK", "ACL");
    private final ServerMeters meters;

    /** @param meters where to record */
    public HttpMetricsFilter(ServerMeters meters) {
        this.meters = meters;
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        long start = System.nanoTime();
        try {
            chain.doFilter(request, response);
        } finally {
            HttpServletRequest req = (HttpServletRequest) request;
            String method = req.getMethod().toUpperCase(Locale.ROOT);
            Timer.builder("inboxguard.http.requests").description("HTTP requests, by method, status and area")
                    .tag("method", METHODS.contains(method) ? method : "other")
                    .tag("status", String.valueOf(((HttpServletResponse) response).getStatus()))
                    .tag("area", area(req.getRequestURI()))
                    .register(meters.registry()).record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private static String area(String uri) {
        if (uri == null) {
            return "other";
        }
        for (String a : new String[] {"dav", "guard", "metrics", "health"}) {
            if (uri.equals("/" + a) || uri.startsWith("/" + a + "/")) {
                return a;
            }
        }
        return "other";
    }
}
