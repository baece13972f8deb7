package dev.inboxguard.approval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inboxguard.scheduling.Quarantine;
import dev.inboxguard.scheduling.Scheduling;
import dev.inboxguard.server.Account;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.server.BasicAuthentication;
import dev.inboxguard.storage.AuditEntry;
import dev.inboxguard.storage.HeldItem;
import dev.inboxguard.storage.InboxItem;
import dev.inboxguard.storage.SessionStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * The approval page and its API, under {@code /guard/}. People sign in with a form (a session cookie); scripts use
 * HTTP Basic. A user sees and decides only the items they decide. Every POST is protected against cross-site
 * requests: a form carries its session's CSRF token, and a request whose Origin or Sec-Fetch-Site shows another
 * site is refused.
 */
public final class ApprovalServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final String COOKIE = "ig_session";
    private static final Pattern DECISION = Pattern.compile("/api/held/([0-9a-f]{32})/(approve|deny)");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_AUDIT = 1000;

    private final transient Accounts accounts;
    private final transient Scheduling scheduling;
    private final transient WebSessions sessions;

    /**
     * @param accounts   the users
     * @param scheduling the quarantine, inboxes and audit trail
     * @param sessions   where sign-ins are kept
     * @param clock      the clock
     */
    public ApprovalServlet(Accounts accounts, Scheduling scheduling, SessionStore sessions, Clock clock) {
        this.accounts = accounts;
        this.scheduling = scheduling;
        this.sessions = new WebSessions(sessions, clock);
    }

    /** Who is asking, and how they proved it. */
    private record Caller(Account account, Optional<SessionStore.Session> session) {
    }

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setHeader("Cache-Control", "no-store");
        resp.setHeader("X-Content-Type-Options", "nosniff");
        // same-origin, not no-referrer: under no-referrer browsers send "Origin: null" with form POSTs
        resp.setHeader("Referrer-Policy", "same-origin");
        resp.setHeader("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; "
                + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
        String path = req.getPathInfo() == null ? "/" : req.getPathInfo();
        String method = req.getMethod();
        try {
            if (path.equals("/login")) {
                if (method.equals("POST")) {
                    login(req, resp);
                } else {
                    loginPage(resp, "");
                }
                return;
            }
            Optional<Caller> caller = caller(req);
            if (caller.isEmpty()) {
                if (path.startsWith("/api/")) {
                    resp.setHeader("WWW-Authenticate", BasicAuthentication.CHALLENGE);
                    json(resp, HttpServletResponse.SC_UNAUTHORIZED, error("sign in"));
                } else {
                    resp.setStatus(HttpServletResponse.SC_SEE_OTHER);
                    resp.setHeader("Location", req.getContextPath() + req.getServletPath() + "/login");
                }
                return;
            }
            Caller who = caller.get();
            if (method.equals("POST") && !sameSite(req, who)) {
                reply(req, resp, HttpServletResponse.SC_FORBIDDEN, "cross-site request refused");
                return;
            }
            Matcher decision = DECISION.matcher(path);
            if (method.equals("POST") && decision.matches()) {
                decide(req, resp, who.account(), decision.group(1), decision.group(2));
            } else if (method.equals("POST") && path.equals("/logout")) {
                who.session().ifPresent(s -> sessions.close(cookie(req)));
                resp.addHeader("Set-Cookie", COOKIE + "=; Path=/guard; Max-Age=0; HttpOnly; SameSite=Strict");
                resp.setStatus(HttpServletResponse.SC_SEE_OTHER);
                resp.setHeader("Location", req.getContextPath() + req.getServletPath() + "/login");
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                resp.setHeader("Allow", "GET, HEAD, POST");
                reply(req, resp, HttpServletResponse.SC_METHOD_NOT_ALLOWED, "method not allowed");
            } else if (path.equals("/") || path.isEmpty()) {
                page(resp, who);
            } else if (path.equals("/api/held")) {
                held(resp, who.account());
            } else if (path.equals("/api/inbox")) {
                inbox(resp, who.account());
            } else if (path.equals("/api/audit")) {
                audit(req, resp, who.account());
            } else if (path.equals("/api/sent")) {
                sent(resp, who.account());
            } else {
                reply(req, resp, HttpServletResponse.SC_NOT_FOUND, "not found");
            }
        } catch (Accounts.Busy e) {
            resp.setHeader("Retry-After", "1");
            resp.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "Busy: try again in a moment");
        }
    }

    private Optional<Caller> caller(HttpServletRequest req) {
        Optional<SessionStore.Session> session = sessions.find(cookie(req));
        if (session.isPresent()) {
            return accounts.find(session.get().user()).map(a -> new Caller(a, session));
        }
        return BasicAuthentication.authenticate(accounts, req.getHeader("Authorization"))
                .map(a -> new Caller(a, Optional.empty()));
    }

    private static String cookie(HttpServletRequest req) {
        Cookie[] cookies = req.getCookies();
        if (cookies == null) {
            return null;
        }
        for (Cookie c : cookies) {
            if (c.getName().equals(COOKIE)) {
                return c.getValue();
            }
        }
        return null;
    }

    /**
     * A POST from a signed-in browser must carry the session's CSRF token; any POST whose browser says it comes
     * from another site is refused, whatever it carries.
     */
    private static boolean sameSite(HttpServletRequest req, Caller who) {
        String fetchSite = req.getHeader("Sec-Fetch-Site");
        if (fetchSite != null && !fetchSite.equals("same-origin") && !fetchSite.equals("none")) {
            return false;
        }
        if (!originAllowed(req)) {
            return false;
        }
        return who.session().isEmpty() || WebSessions.same(req.getParameter("csrf"), who.session().get().csrf());
    }

    /** No Origin (not a browser, or an old one), or this server's own; "null" and other sites are refused. */
    private static boolean originAllowed(HttpServletRequest req) {
        String origin = req.getHeader("Origin");
        if (origin == null) {
            return true;
        }
        String host = req.getHeader("Host");
        return host != null && (origin.equals("http://" + host) || origin.equals("https://" + host));
    }

    private void login(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!originAllowed(req)) {
            resp.setStatus(HttpServletResponse.SC_FORBIDDEN);
            loginPage(resp, "Sign in from this site's own page.");
            return;
        }
        String name = req.getParameter("user");
        String password = req.getParameter("password");
        Optional<Account> account = name == null || password == null || name.length() > 64 || password.length() > 1024
                ? Optional.empty() : accounts.authenticate(name, password);
        if (account.isEmpty()) {
            resp.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
            loginPage(resp, "Wrong user name or password.");
            return;
        }
        String token = sessions.open(account.get().name());
        resp.addHeader("Set-Cookie", COOKIE + "=" + token + "; Path=/guard; HttpOnly; SameSite=Strict"
                + (req.isSecure() ? "; Secure" : ""));
        resp.setStatus(HttpServletResponse.SC_SEE_OTHER);
        resp.setHeader("Location", req.getContextPath() + req.getServletPath() + "/");
    }

    private void decide(HttpServletRequest req, HttpServletResponse resp, Account user, String id, String what)
            throws IOException {
        Quarantine.Outcome outcome;
        try {
            outcome = what.equals("approve") ? scheduling.quarantine().approve(user, id)
                    : scheduling.quarantine().deny(user, id);
        } catch (RuntimeException e) {
            reply(req, resp, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "the decision could not be carried out; "
                    + "the item is still held");
            return;
        }
        switch (outcome) {
            case NOT_FOUND -> reply(req, resp, HttpServletResponse.SC_NOT_FOUND, "no such held item for you");
            case ALREADY_DECIDED -> reply(req, resp, HttpServletResponse.SC_CONFLICT, "already decided");
            default -> {
                if (wantsPage(req)) {
                    resp.setStatus(HttpServletResponse.SC_SEE_OTHER);
                    resp.setHeader("Location", req.getContextPath() + req.getServletPath() + "/");
                } else {
                    ObjectNode o = JSON.createObjectNode();
                    o.put("id", id);
                    o.put("state", what.equals("approve") ? HeldItem.APPROVED : HeldItem.DENIED);
                    json(resp, HttpServletResponse.SC_OK, o);
                }
            }
        }
    }

    private static boolean wantsPage(HttpServletRequest req) {
        String type = req.getContentType();
        return type != null && type.startsWith("application/x-www-form-urlencoded") && req.getParameter("csrf") != null;
    }

    private void reply(HttpServletRequest req, HttpServletResponse resp, int status, String message) throws IOException {
        json(resp, status, error(message));
    }

    private static ObjectNode error(String message) {
        ObjectNode o = JSON.createObjectNode();
        o.put("error", message);
        return o;
    }

    private void held(HttpServletResponse resp, Account user) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode items = root.putArray("held");
        for (HeldItem h : scheduling.quarantine().heldFor(user)) {
            ObjectNode o = items.addObject();
            o.put("id", h.id());
            o.put("method", h.method());
            o.put("uid", h.uid());
            o.put("summary", h.summary());
            o.put("sender", h.sender());
            o.put("recipient", h.recipientAddress());
            o.put("approver", h.approver());
            o.put("transport", h.transport());
            o.put("received", Instant.ofEpochMilli(h.received()).toString());
            o.set("findings", findings(h.findings()));
        }
        json(resp, HttpServletResponse.SC_OK, root);
    }

    private void inbox(HttpServletResponse resp, Account user) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode items = root.putArray("inbox");
        for (InboxItem i : scheduling.store().inbox(user.name())) {
            ObjectNode o = items.addObject();
            o.put("name", i.name());
            o.put("method", i.method());
            o.put("uid", i.uid());
            o.put("action", i.action());
            o.put("received", Instant.ofEpochMilli(i.received()).toString());
            o.set("findings", findings(i.findings()));
        }
        json(resp, HttpServletResponse.SC_OK, root);
    }

    /**
     * What became of the user's own invitations, replies and cancellations: one entry per message and recipient,
     * its latest state (delivered, flagged, held for someone's decision, approved, denied, refused, sent by mail,
     * failed by mail), with the REQUEST-STATUS and the finding codes that decided it.
     */
    private void sent(HttpServletResponse resp, Account user) throws IOException {
        java.util.Map<String, AuditEntry> latest = new java.util.LinkedHashMap<>();
        for (AuditEntry e : scheduling.store().sentBy(user.name(), MAX_AUDIT)) {
            if (e.event().equals("monitor") || e.event().equals("put-refused")) {
                continue;
            }
            latest.putIfAbsent(e.uid() + "\n" + e.method() + "\n" + e.recipient(), e);
        }
        ObjectNode root = JSON.createObjectNode();
        ArrayNode out = root.putArray("sent");
        for (AuditEntry e : latest.values()) {
            ObjectNode o = out.addObject();
            o.put("at", Instant.ofEpochMilli(e.at()).toString());
            o.put("uid", e.uid());
            o.put("method", e.method());
            o.put("recipient", e.recipient());
            o.put("outcome", switch (e.event()) {
                case "approved" -> "delivered after approval";
                case "denied" -> "denied";
                case "mail-sent" -> "sent by mail";
                case "mail-failed" -> "mail failed";
                case "mail-bounced" -> "mail bounced";
                case "expired" -> "expired undecided";
                default -> switch (e.action()) {
                    case "deliver" -> "delivered";
                    case "flag" -> "delivered, flagged";
                    case "hold" -> "held for a decision";
                    default -> "refused";
                };
            });
            o.put("requestStatus", e.requestStatus());
            ArrayNode codes = o.putArray("codes");
            findings(e.findings()).forEach(f -> {
                if (f.has("code")) {
                    codes.add(f.get("code").asText());
                }
            });
        }
        json(resp, HttpServletResponse.SC_OK, root);
    }

    private void audit(HttpServletRequest req, HttpServletResponse resp, Account user) throws IOException {
        long after = number(req.getParameter("after"), 0, Long.MAX_VALUE, 0);
        int limit = (int) number(req.getParameter("limit"), 1, MAX_AUDIT, 100);
        boolean all = "all".equals(req.getParameter("scope"));
        if (all && !accounts.isOperator(user)) {
            json(resp, HttpServletResponse.SC_FORBIDDEN, error("only operators read the whole audit trail"));
            return;
        }
        List<AuditEntry> entries = scheduling.store().auditTrail(all ? Optional.empty() : Optional.of(user.name()),
                after, limit);
        ObjectNode root = JSON.createObjectNode();
        ArrayNode out = root.putArray("audit");
        for (AuditEntry e : entries) {
            ObjectNode o = out.addObject();
            o.put("seq", e.seq());
            o.put("at", Instant.ofEpochMilli(e.at()).toString());
            o.put("event", e.event());
            o.put("transport", e.transport());
            o.put("sender", e.sender());
            o.put("recipient", e.recipient());
            o.put("method", e.method());
            o.put("uid", e.uid());
            o.put("action", e.action());
            o.put("requestStatus", e.requestStatus());
            o.set("findings", findings(e.findings()));
            o.put("heldId", e.heldId());
            o.put("actor", e.actor());
            o.put("repeats", e.repeats());
        }
        json(resp, HttpServletResponse.SC_OK, root);
    }

    private static long number(String text, long min, long max, long fallback) {
        if (text == null) {
            return fallback;
        }
        try {
            return Math.max(min, Math.min(max, Long.parseLong(text)));
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static JsonNode findings(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            return JSON.createArrayNode();
        }
    }

    private static void json(HttpServletResponse resp, int status, JsonNode body) throws IOException {
        byte[] out = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.setContentLength(out.length);
        resp.getOutputStream().write(out);
    }

    private void page(HttpServletResponse resp, Caller who) throws IOException {
        String csrf = who.session().map(SessionStore.Session::csrf).orElse("");
        StringBuilder b = new StringBuilder();
        head(b, "Held for your decision");
        b.append("<header><h1>Held for your decision</h1><p>Signed in as <b>")
                .append(Html.escape(who.account().displayName())).append("</b></p>");
        if (who.session().isPresent()) {
            b.append("<form method=\"post\" action=\"/guard/logout\"><input type=\"hidden\" name=\"csrf\" value=\"")
                    .append(Html.escape(csrf)).append("\"><button>Sign out</button></form>");
        }
        b.append("</header>\n<main>\n");
        List<HeldItem> items = scheduling.quarantine().heldFor(who.account());
        if (items.isEmpty()) {
            b.append("<p class=\"empty\">Nothing is waiting for you.</p>\n");
        }
        for (HeldItem h : items) {
            b.append("<section class=\"item\"><h2>").append(Html.escape(h.summary().isEmpty() ? "(no title)"
                    : h.summary())).append("</h2>\n<p class=\"meta\">")
                    .append(Html.escape(describe(h))).append(" · from <code>").append(Html.escape(h.sender()))
                    .append("</code> · ").append(Html.escape(Instant.ofEpochMilli(h.received()).toString()))
                    .append("</p>\n<ul>");
            for (JsonNode f : findings(h.findings())) {
                b.append("<li><b>").append(Html.escape(f.path("code").asText())).append("</b>: ")
                        .append(Html.escape(f.path("message").asText()));
                if (f.hasNonNull("value")) {
                    // shown as text, never as a link: the value may be the very URL the guard distrusts
                    b.append(" <code class=\"inert\">").append(Html.escape(f.get("value").asText())).append("</code>");
                }
                b.append("</li>");
            }
            b.append("</ul>\n<div class=\"actions\">");
            for (String what : List.of("approve", "deny")) {
                b.append("<form method=\"post\" action=\"/guard/api/held/").append(h.id()).append('/').append(what)
                        .append("\"><input type=\"hidden\" name=\"csrf\" value=\"").append(Html.escape(csrf))
                        .append("\"><button class=\"").append(what).append("\" id=\"").append(what).append('-')
                        .append(h.id()).append("\">").append(what.equals("approve") ? "Approve" : "Deny")
                        .append("</button></form>");
            }
            b.append("</div></section>\n");
        }
        b.append("</main></body></html>\n");
        html(resp, HttpServletResponse.SC_OK, b);
    }

    private static String describe(HeldItem h) {
        String what = switch (h.method()) {
            case "REPLY" -> "A reply to your event";
            case "REQUEST" -> "An invitation";
            case "CANCEL" -> "A cancellation";
            case "COUNTER" -> "A counter-proposal";
            default -> "A " + h.method() + " message";
        };
        return what + (h.approver().equals("organizer") ? ", held for you as the organizer" : "")
                + " (by " + h.transport() + ")";
    }

    private static void loginPage(HttpServletResponse resp, String problem) throws IOException {
        StringBuilder b = new StringBuilder();
        head(b, "Sign in");
        b.append("<main class=\"login\"><h1>InboxGuard</h1>");
        if (!problem.isEmpty()) {
            b.append("<p class=\"problem\">").append(Html.escape(problem)).append("</p>");
        }
        b.append("<form method=\"post\" action=\"/guard/login\"><label>User <input name=\"user\" id=\"user\" "
                + "autocomplete=\"username\" required></label><label>Password <input name=\"password\" id=\"password\" "
                + "type=\"password\" autocomplete=\"current-password\" required></label>"
                + "<button id=\"sign-in\">Sign in</button></form></main></body></html>\n");
        html(resp, resp.getStatus() == 0 ? HttpServletResponse.SC_OK : resp.getStatus(), b);
    }

    private static void head(StringBuilder b, String title) {
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(Html.escape(title)).append(" · InboxGuard</title><style>")
                .append("body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#f6f7f9;color:#1d2330}")
                .append("header{background:#1d2330;color:#fff;padding:12px 24px;display:flex;gap:24px;align-items:center}")
                .append("header h1{font-size:18px;margin:0}header p{margin:0;flex:1}")
                .append("main{max-width:760px;margin:24px auto;padding:0 16px}")
                .append(".item{background:#fff;border:1px solid #d8dce3;border-radius:8px;padding:16px 20px;margin:16px 0}")
                .append(".item h2{margin:0 0 4px;font-size:17px}.meta{color:#5a6372;margin:0}")
                .append("code{background:#eef0f4;padding:1px 4px;border-radius:3px;word-break:break-all}")
                .append(".actions{display:flex;gap:8px}button{font:inherit;padding:6px 16px;border-radius:6px;")
                .append("border:1px solid #8a93a3;background:#fff;cursor:pointer}")
                .append("button.approve{background:#1f7a3f;color:#fff;border-color:#1f7a3f}")
                .append("button.deny{background:#b42318;color:#fff;border-color:#b42318}")
                .append(".login form{display:grid;gap:12px;max-width:320px}.problem{color:#b42318}")
                .append("</style></head><body>\n");
    }

    private static void html(HttpServletResponse resp, int status, StringBuilder body) throws IOException {
        byte[] out = body.toString().getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.setContentType("text/html; charset=utf-8");
        resp.setContentLength(out.length);
        resp.getOutputStream().write(out);
    }
}
