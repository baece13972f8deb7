package dev.inboxguard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import javax.servlet.ServletException;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.eclipse.jetty.ee8.servlet.ServletContextHandler;
import org.eclipse.jetty.ee8.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

/** Error pages on a real Jetty: an uncaught exception shows in none of the formats Jetty offers. */
class ErrorPagesTest {
    @Test
    void anUncaughtExceptionShowsOnlyTheStatusAndARefusalKeepsItsReason() throws Exception {
        Server jetty = new Server(0);
        ServletContextHandler context = new ServletContextHandler();
        context.addServlet(new ServletHolder(new HttpServlet() {
            @Override
            protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws ServletException,
                    java.io.IOException {
                switch (req.getRequestURI()) {
                    case "/error" -> throw new StackOverflowError("deep inside the walk");
                    case "/checked" -> throw new ServletException(new IllegalStateException("secret row 42"));
                    case "/runtime" -> throw new IllegalArgumentException("internal detail");
                    default -> resp.sendError(403, "At most 64 properties per request");
                }
            }
        }), "/*");
        context.setErrorHandler(new ErrorPages());
        jetty.setHandler(context);
        jetty.start();
        try {
            int port = ((ServerConnector) jetty.getConnectors()[0]).getLocalPort();
            HttpClient http = HttpClient.newHttpClient();
            for (String path : new String[] {"/error", "/checked", "/runtime", "/refused"}) {
                for (String accept : new String[] {"text/html", "text/plain", "application/json", "*/*"}) {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                            + path)).header("Accept", accept).build(), HttpResponse.BodyHandlers.ofString());
                    String where = path + " as " + accept + ": " + r.body();
                    if (path.equals("/refused")) {
                        assertEquals(403, r.statusCode(), where);
                        assertTrue(r.body().contains("At most 64 properties"), where);
                        continue;
                    }
                    assertEquals(500, r.statusCode(), where);
                    assertTrue(r.body().contains("500"), where);
                    for (String leak : new String[] {"java.", "javax.", "Exception", "Error:", "secret", "internal",
                            "deep inside", "CAUSED", "cause"}) {
                        assertFalse(r.body().contains(leak), where);
                    }
                }
            }
        } finally {
            jetty.stop();
        }
    }
}
