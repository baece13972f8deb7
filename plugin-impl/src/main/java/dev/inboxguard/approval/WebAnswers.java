package dev.inboxguard.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Map;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/** What the approval pages' handlers share: answering in JSON, telling a browser's form from a script. */
final class WebAnswers {
    static final ObjectMapper JSON = new ObjectMapper();
    /** Outcomes a redirect may name; the page shows fixed text for each, never text from the request. */
    static final Map<String, String> NOTICES = Map.of(
            "approved", "Approved. It has been delivered.",
            "denied", "Denied. It will not reach your calendar.",
            "spam", "Reported as spam. It is gone, nobody was told, and the sender is blocked.",
            "removed", "Removed from your calendar. The organizer was not told.",
            "saved", "Your settings are saved.",
            "listed", "Your lists are updated.");

    private WebAnswers() {
    }

    /** No Origin (not a browser, or an old one), or this server's own; "null" and other sites are refused. */
    static boolean originAllowed(HttpServletRequest req) {
        String origin = req.getHeader("Origin");
        if (origin == null) {
            return true;
        }
        String host = req.getHeader("Host");
        return host != null && (origin.equals("http://" + host) || origin.equals("https://" + host));
    }

    static void redirect(HttpServletRequest req, HttpServletResponse resp, String where) {
        resp.setStatus(HttpServletResponse.SC_SEE_OTHER);
        resp.setHeader("Location", req.getContextPath() + req.getServletPath() + where);
    }

    static boolean isForm(HttpServletRequest req) {
        String type = req.getContentType();
        return req.getMethod().equals("POST") && type != null
                && type.startsWith("application/x-www-form-urlencoded") && req.getParameter("csrf") != null;
    }

    static String notice(HttpServletRequest req) {
        String done = req.getParameter("done");
        return done == null ? "" : NOTICES.getOrDefault(done, "");
    }

    static ObjectNode error(String message) {
        ObjectNode o = JSON.createObjectNode();
        o.put("error", message);
        return o;
    }

    static void json(HttpServletResponse resp, int status, JsonNode body) throws IOException {
        byte[] out = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.setContentLength(out.length);
        resp.getOutputStream().write(out);
    }

    /**
     * Reads a small request body nobody needs (a mail program's RFC 8058 POST carries one), so that the connection
     * can serve the next request instead of being closed with the body unread.
     */
    static void drain(HttpServletRequest req) throws IOException {
        String type = req.getContentType();
        if (type != null && type.startsWith("application/x-www-form-urlencoded")) {
            req.getParameterMap();
        } else {
            req.getInputStream().readNBytes(64 * 1024);
        }
    }

    /** @return the parameter, stripped, or empty */
    static String value(String s) {
        return s == null ? "" : s.strip();
    }

    /** A POST a browser says comes from another site is refused; one with no such headers (a mail program's) is not. */
    static boolean crossSiteFree(HttpServletRequest req) {
        String fetchSite = req.getHeader("Sec-Fetch-Site");
        return (fetchSite == null || fetchSite.equals("same-origin") || fetchSite.equals("none")) && originAllowed(req);
    }
}
