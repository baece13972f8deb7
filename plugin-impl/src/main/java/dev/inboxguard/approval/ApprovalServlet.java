package dev.inboxguard.approval;

import static dev.inboxguard.approval.WebAnswers.JSON;
import static dev.inboxguard.approval.WebAnswers.error;
import static dev.inboxguard.approval.WebAnswers.isForm;
import static dev.inboxguard.approval.WebAnswers.json;
import static dev.inboxguard.approval.WebAnswers.notice;
import static dev.inboxguard.approval.WebAnswers.originAllowed;
import static dev.inboxguard.approval.WebAnswers.redirect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.scheduling.InvitationRemoval;
import dev.inboxguard.scheduling.Provenance;
import dev.inboxguard.scheduling.Quarantine;
import dev.inboxguard.scheduling.Scheduling;
import dev.inboxguard.server.Account;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.server.BasicAuthentication;
import dev.inboxguard.storage.AuditEntry;
import dev.inboxguard.storage.HeldItem;
import dev.inboxguard.storage.InboxItem;
import dev.inboxguard.storage.PreferenceStore;
import dev.inboxguard.storage.SessionStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.servlet.http.Cookie;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * The approval page, each user's settings, and their JSON API, under {@code /guard/}. People sign in with a form (a
 * session cookie); scripts use HTTP Basic. A user sees and decides only their own items. Every POST is protected
 * against cross-site requests: a form carries its session's CSRF token, and a request whose Origin or
 * Sec-Fetch-Site shows another site is refused. A browser is never shown JSON or a password dialog: a form that
 * fails gets a page, and an expired sign-in leads back to the sign-in page.
 */
public final class ApprovalServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final String COOKIE = "ig_session";
    private static final Pattern DECISION = Pattern.compile("/api/held/([0-9a-f]{32})/(approve|deny|spam)");
    private static final Pattern REMOVAL = Pattern.compile("/api/invitations/([0-9a-f]{32})/(remove|spam)");
    private static final Pattern REPORT = Pattern.compile("/api/reports/([0-9a-f]{32})/arf");
    private static final Pattern ONE_CLICK = Pattern.compile("/act/([A-Za-z0-9_-]{1,500}\\.[A-Za-z0-9_-]{1,100})");
    private static final int MAX_AUDIT = 1000;
    /** A local recipient's outcome as the sender reads it with the directory hidden: the same as for a remote one. */
    private static final String HANDED_ON = "sent";
    /** What the sent list shows with the directory hidden: rows written alike for local and remote recipients. */
    private static final java.util.Set<String> HIDDEN_SENT_EVENTS = java.util.Set.of(
            dev.inboxguard.scheduling.SchedulingOutbox.HANDED_ON, "mail-failed", "mail-bounced");
    /** Held items the page shows at once, oldest first; the rest follow as these are decided. */
    private static final int MAX_SHOWN = 100;
    /** Invitations the page lists (and a removal looks among): the latest this many deliveries. */
    private static final int MAX_INVITATIONS = 200;

    private final transient Accounts accounts;
    private final transient Scheduling scheduling;
    private final transient WebSessions sessions;
    private final transient PreferenceStore preferences;
    private final transient InvitationRemoval removal;
    private final transient Pages pages;
    private final transient GuardConfig config;
    private final transient SettingsPage settings;
    private final transient OneClickPage oneClickPage;

    /**
     * @param accounts    the users
     * @param scheduling  the quarantine, inboxes and audit trail
     * @param sessions    where sign-ins are kept
     * @param preferences each user's own settings, lists and spam reports
     * @param reader      the bounded reader, to show stored messages
     * @param config      the configuration (the operator's invitation setting, scheduling.deniedCrasher, the relay)
     * @param clock       the clock
     */
    public ApprovalServlet(Accounts accounts, Scheduling scheduling, SessionStore sessions,
                           PreferenceStore preferences, CalendarReader reader, GuardConfig config, Clock clock) {
        this.accounts = accounts;
        this.scheduling = scheduling;
        this.sessions = new WebSessions(sessions, clock);
        this.preferences = preferences;
        this.config = config;
        this.removal = scheduling.removals();
        this.pages = new Pages(reader, config.scheduling().deniedCrasher());
        this.settings = new SettingsPage(preferences, config, clock);
        this.oneClickPage = new OneClickPage(accounts, scheduling.quarantine(), removal, preferences,
                new OneClickLinks(preferences, clock), pages);
    }

    /** Who is asking, and how they proved it. */
    private record Caller(Account account, Optional<SessionStore.Session> session) {
        Frame frame(String section) {
            return new Frame(account.displayName(), session.map(SessionStore.Session::csrf).orElse(""),
                    session.isPresent(), section);
        }
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
        if (method.equals("POST")) {
            WebAnswers.drain(req); // read before any refusal, so the connection stays usable
        }
        try {
            if (path.equals("/login")) {
                if (method.equals("POST")) {
                    login(req, resp);
                } else {
                    loginPage(resp, HttpServletResponse.SC_OK, "", req.getParameter("expired") != null
                            ? "Your sign-in has expired. Sign in again to go on." : "");
                }
                return;
            }
            Matcher oneClick = ONE_CLICK.matcher(path);
            if (oneClick.matches()) {
                oneClickPage.handle(req, resp, oneClick.group(1));
                return;
            }
            Optional<Caller> caller = caller(req);
            if (caller.isEmpty()) {
                unauthenticated(req, resp, path);
                return;
            }
            Caller who = caller.get();
            if (method.equals("POST") && !sameSite(req, who)) {
                refuse(req, resp, HttpServletResponse.SC_FORBIDDEN, "cross-site request refused", who);
                return;
            }
            if (method.equals("POST")) {
                post(req, resp, path, who);
            } else if (!method.equals("GET") && !method.equals("HEAD")) {
                resp.setHeader("Allow", "GET, HEAD, POST");
                json(resp, HttpServletResponse.SC_METHOD_NOT_ALLOWED, error("method not allowed"));
            } else {
                get(req, resp, path, who);
            }
        } catch (Accounts.Busy e) {
            resp.setHeader("Retry-After", "1");
            resp.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "Busy: try again in a moment");
        }
    }

    private void get(HttpServletRequest req, HttpServletResponse resp, String path, Caller who) throws IOException {
        Matcher report = REPORT.matcher(path);
        if (path.equals("/") || path.isEmpty()) {
            home(req, resp, who);
        } else if (path.equals("/settings")) {
            settings.page(resp, who.account(), who.frame("settings"), HttpServletResponse.SC_OK,
                    notice(req), "");
        } else if (path.equals("/api/held")) {
            held(resp, who.account());
        } else if (path.equals("/api/inbox")) {
            inbox(resp, who.account());
        } else if (path.equals("/api/audit")) {
            audit(req, resp, who.account());
        } else if (path.equals("/api/sent")) {
            sent(resp, who.account());
        } else if (path.equals("/api/settings")) {
            settings.json(resp, who.account());
        } else if (path.equals("/api/reports")) {
            reports(resp, who.account());
        } else if (report.matches()) {
            arf(resp, who.account(), report.group(1));
        } else {
            refuse(req, resp, HttpServletResponse.SC_NOT_FOUND, "not found", who);
        }
    }

    private void post(HttpServletRequest req, HttpServletResponse resp, String path, Caller who) throws IOException {
        Matcher decision = DECISION.matcher(path);
        Matcher removed = REMOVAL.matcher(path);
        if (decision.matches()) {
            decide(req, resp, who, decision.group(1), decision.group(2));
        } else if (removed.matches()) {
            remove(req, resp, who, removed.group(1), removed.group(2).equals("spam"));
        } else if (path.equals("/settings") || path.equals("/api/settings")) {
            settings.save(req, resp, who.account(), who.frame("settings"));
        } else if (path.equals("/settings/senders") || path.equals("/api/senders")) {
            settings.list(req, resp, who.account(), who.frame("settings"));
        } else if (path.equals("/settings/senders/remove") || path.equals("/api/senders/remove")) {
            settings.unlist(req, resp, who.account(), who.frame("settings"));
        } else if (path.equals("/logout")) {
            who.session().ifPresent(s -> sessions.close(cookie(req)));
            resp.addHeader("Set-Cookie", COOKIE + "=; Path=/guard; Max-Age=0; HttpOnly; SameSite=Strict");
            redirect(req, resp, "/login");
        } else {
            refuse(req, resp, HttpServletResponse.SC_NOT_FOUND, "not found", who);
        }
    }

    /**
     * Nobody signed in. A browser (a page, or a form posted with a sign-in that has since expired) goes to the
     * sign-in page; only a script's API request, with no session cookie at all, is asked for HTTP Basic.
     */
    private void unauthenticated(HttpServletRequest req, HttpServletResponse resp, String path) throws IOException {
        boolean hadSession = cookie(req) != null;
        if (path.startsWith("/api/") && !isForm(req) && !hadSession) {
            resp.setHeader("WWW-Authenticate", BasicAuthentication.CHALLENGE);
            json(resp, HttpServletResponse.SC_UNAUTHORIZED, error("sign in"));
        } else if (path.startsWith("/api/") && !isForm(req)) {
            json(resp, HttpServletResponse.SC_UNAUTHORIZED, error("the sign-in has expired"));
        } else {
            if (hadSession) {
                resp.addHeader("Set-Cookie", COOKIE + "=; Path=/guard; Max-Age=0; HttpOnly; SameSite=Strict");
            }
            redirect(req, resp, hadSession ? "/login?expired=1" : "/login");
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

    private void login(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!originAllowed(req)) {
            loginPage(resp, HttpServletResponse.SC_FORBIDDEN, "Sign in from this site's own page.", "");
            return;
        }
        String name = req.getParameter("user");
        String password = req.getParameter("password");
        Optional<Account> account = name == null || password == null || name.length() > 64 || password.length() > 1024
                ? Optional.empty() : accounts.authenticate(name, password);
        if (account.isEmpty()) {
            loginPage(resp, HttpServletResponse.SC_UNAUTHORIZED, "Wrong user name or password.", "");
            return;
        }
        String token = sessions.open(account.get().name());
        resp.addHeader("Set-Cookie", COOKIE + "=" + token + "; Path=/guard; HttpOnly; SameSite=Strict"
                + (req.isSecure() ? "; Secure" : ""));
        redirect(req, resp, "/");
    }

    private void loginPage(HttpServletResponse resp, int status, String problem, String notice) throws IOException {
        Pages.render(resp, status, "login.jte", Map.of("problem", problem, "notice", notice));
    }

    private void decide(HttpServletRequest req, HttpServletResponse resp, Caller who, String id, String what)
            throws IOException {
        Account user = who.account();
        Quarantine.Outcome outcome;
        try {
            outcome = switch (what) {
                case "approve" -> scheduling.quarantine().approve(user, id);
                case "deny" -> scheduling.quarantine().deny(user, id);
                default -> scheduling.quarantine().find(user, id).isEmpty() ? Quarantine.Outcome.NOT_FOUND
                        : removal.reportHeld(user, id) == InvitationRemoval.Outcome.DONE ? Quarantine.Outcome.DONE
                        : Quarantine.Outcome.ALREADY_DECIDED;
            };
        } catch (RuntimeException e) {
            refuse(req, resp, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "the decision could not be carried out; "
                    + "the item is still held", who);
            return;
        }
        switch (outcome) {
            case NOT_FOUND -> refuse(req, resp, HttpServletResponse.SC_NOT_FOUND, "no such held item for you", who);
            case ALREADY_DECIDED -> alreadyDecided(req, resp, who, id);
            default -> {
                String state = switch (what) {
                    case "approve" -> HeldItem.APPROVED;
                    case "deny" -> HeldItem.DENIED;
                    default -> "reported-spam";
                };
                if (isForm(req)) {
                    redirect(req, resp, "/?done=" + (what.equals("approve") ? "approved"
                            : what.equals("deny") ? "denied" : "spam"));
                } else {
                    ObjectNode o = JSON.createObjectNode();
                    o.put("id", id);
                    o.put("state", state);
                    json(resp, HttpServletResponse.SC_OK, o);
                }
            }
        }
    }

    /** A double click, or a decision made meanwhile in another tab or by the sender's retraction. */
    private void alreadyDecided(HttpServletRequest req, HttpServletResponse resp, Caller who, String id)
            throws IOException {
        if (!isForm(req)) {
            json(resp, HttpServletResponse.SC_CONFLICT, error("already decided"));
            return;
        }
        Optional<HeldItem> item = scheduling.quarantine().find(who.account(), id);
        String text = item.map(h -> "“" + (h.summary().isEmpty() ? "This message"
                : dev.inboxguard.calendar.EventDescription.visible(h.summary())) + "” was already "
                + switch (h.state()) {
                    case HeldItem.APPROVED -> "approved";
                    case HeldItem.EXPIRED -> "expired, because nobody decided in time";
                    default -> "denied";
                } + (h.decidedBy().isEmpty() || h.state().equals(HeldItem.EXPIRED) ? "" : " by " + h.decidedBy())
                + (h.decidedAt() == 0 ? "" : " on " + Pages.received(h.decidedAt(),
                        Pages.zone(preferences, who.account().name())))
                + ". Nothing more needs doing.").orElse("It was already decided. Nothing more needs doing.");
        Pages.render(resp, HttpServletResponse.SC_CONFLICT, "message.jte", Map.of("frame", who.frame("held"),
                "heading", "Already decided", "text", text));
    }

    private void remove(HttpServletRequest req, HttpServletResponse resp, Caller who, String key, boolean spam)
            throws IOException {
        Optional<String> uid = removal.removable(who.account(), MAX_INVITATIONS).stream().map(AuditEntry::uid)
                .filter(u -> invitationKey(u).equals(key)).findFirst();
        InvitationRemoval.Outcome outcome = uid.isEmpty() ? InvitationRemoval.Outcome.NOT_FOUND
                : removal.removeInvitation(who.account(), uid.get(), spam);
        if (outcome == InvitationRemoval.Outcome.NOT_FOUND) {
            refuse(req, resp, HttpServletResponse.SC_NOT_FOUND, "no such invitation in your calendar; it may have "
                    + "been removed already", who);
        } else if (isForm(req)) {
            redirect(req, resp, "/?done=" + (spam ? "spam" : "removed"));
        } else {
            ObjectNode o = JSON.createObjectNode();
            o.put("uid", uid.get());
            o.put("state", spam ? "reported-spam" : "removed");
            json(resp, HttpServletResponse.SC_OK, o);
        }
    }

    /** An invitation's key in URLs: UIDs are the sender's text, of any length and any characters. */
    static String invitationKey(String uid) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(uid.getBytes(java.nio.charset.StandardCharsets.UTF_8)), 0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An error: a page for a browser's form or page, JSON for a script. */
    private void refuse(HttpServletRequest req, HttpServletResponse resp, int status, String message, Caller who)
            throws IOException {
        boolean page = isForm(req) || req.getMethod().equals("GET") && !req.getPathInfo().startsWith("/api/");
        if (!page) {
            json(resp, status, error(message));
            return;
        }
        String heading = switch (status) {
            case HttpServletResponse.SC_NOT_FOUND -> "Not found";
            case HttpServletResponse.SC_FORBIDDEN -> "Refused";
            default -> "Something went wrong";
        };
        String text = Character.toUpperCase(message.charAt(0)) + message.substring(1) + ".";
        Pages.render(resp, status, "message.jte", Map.of("frame", who.frame("held"), "heading", heading, "text", text));
    }


    private void home(HttpServletRequest req, HttpServletResponse resp, Caller who) throws IOException {
        ZoneId zone = Pages.zone(preferences, who.account().name());
        List<HeldCard> held = new ArrayList<>();
        // the oldest hundred, each message read on its own: a flood held for one person must not make the page
        // read every message at once
        for (HeldItem summary : scheduling.store().heldSummaries(who.account().name(), MAX_SHOWN)) {
            scheduling.store().held(summary.id()).filter(h -> h.state().equals(HeldItem.HELD))
                    .ifPresent(h -> held.add(pages.held(h, zone)));
        }
        // invitations in the user's calendar, from the audit trail of deliveries: calendar programs clear the
        // scheduling inbox once they have read it, so the inbox alone would lose them
        List<DeliveredCard> delivered = new ArrayList<>();
        java.util.Set<String> shown = new java.util.HashSet<>();
        Map<String, InboxItem> latestInbox = new HashMap<>();
        for (InboxItem i : scheduling.store().inboxWithoutText(who.account().name())) {
            latestInbox.merge(i.uid(), i, (a, b) -> a.received() >= b.received() ? a : b);
        }
        for (AuditEntry e : removal.removable(who.account(), MAX_INVITATIONS)) {
            if (!shown.add(e.uid()) || delivered.size() == 100) {
                continue;
            }
            Optional<dev.inboxguard.storage.StoredObject> copy = removal.invitation(who.account(), e.uid());
            if (copy.isPresent()) {
                delivered.add(pages.delivered(invitationKey(e.uid()), copy.get(), e,
                        Optional.ofNullable(latestInbox.get(e.uid())), zone));
            }
        }
        List<SentLine> sent = new ArrayList<>();
        for (Map.Entry<AuditEntry, String> e : sentOutcomes(who.account()).entrySet()) {
            if (sent.size() == 100) {
                break;
            }
            sent.add(pages.sent(e.getKey(), inWords(e.getKey(), e.getValue()), zone));
        }
        Pages.render(resp, HttpServletResponse.SC_OK, "home.jte", Map.of("frame", who.frame("held"), "held", held,
                "delivered", delivered, "sent", sent, "notice", notice(req)));
    }

    private void reports(HttpServletResponse resp, Account user) throws IOException {
        if (!accounts.isOperator(user)) {
            json(resp, HttpServletResponse.SC_FORBIDDEN, error("only operators read spam reports"));
            return;
        }
        ObjectNode root = JSON.createObjectNode();
        ArrayNode out = root.putArray("reports");
        for (PreferenceStore.SpamReport r : preferences.reports(MAX_AUDIT)) {
            ObjectNode o = out.addObject();
            o.put("id", r.id());
            o.put("reportedBy", r.owner());
            o.put("sender", r.sender());
            o.put("uid", r.uid());
            o.put("transport", r.transport());
            o.put("reported", Instant.ofEpochMilli(r.reported()).toString());
            o.set("provenance", provenanceJson(r.provenance()));
            o.put("arf", "/guard/api/reports/" + r.id() + "/arf");
        }
        json(resp, HttpServletResponse.SC_OK, root);
    }

    private void arf(HttpServletResponse resp, Account user, String id) throws IOException {
        if (!accounts.isOperator(user)) {
            json(resp, HttpServletResponse.SC_FORBIDDEN, error("only operators read spam reports"));
            return;
        }
        Optional<PreferenceStore.SpamReport> report = preferences.spamReport(id);
        if (report.isEmpty()) {
            json(resp, HttpServletResponse.SC_NOT_FOUND, error("no such report"));
            return;
        }
        byte[] message = AbuseReport.write(report.get(), config.mail().hostname());
        resp.setStatus(HttpServletResponse.SC_OK);
        resp.setContentType("message/rfc822");
        resp.setHeader("Content-Disposition", "attachment; filename=\"spam-report-" + id + ".eml\"");
        resp.setContentLength(message.length);
        resp.getOutputStream().write(message);
    }

    private static JsonNode provenanceJson(String stored) {
        Optional<Provenance> p = Provenance.parse(stored);
        if (p.isEmpty()) {
            return JSON.nullNode();
        }
        try {
            return JSON.readTree(p.get().json());
        } catch (IOException e) {
            return JSON.nullNode();
        }
    }

    /**
     * An outcome as the organizer reads it: who it waits for, who decided, and why it was refused.
     */
    private String inWords(AuditEntry e, String outcome) {
        String who = Optional.of(e.heldId()).filter(id -> !id.isEmpty()).flatMap(id -> scheduling.store().held(id))
                .map(h -> accounts.find(h.decider()).map(Account::displayName).orElse(h.decider())).orElse("");
        String why = "";
        for (JsonNode f : findings(e.findings())) {
            why = FindingSentences.sentence(f);
            break;
        }
        String status = e.requestStatus().isEmpty() ? "" : " (" + e.requestStatus() + ")";
        return switch (outcome) {
            case "held for a decision" -> who.isEmpty() ? outcome : "waits for " + who + "’s decision";
            case "denied" -> who.isEmpty() ? "denied" : "denied by " + who;
            case "delivered after approval" -> who.isEmpty() ? outcome : "delivered after " + who + " approved it";
            case "refused" -> "refused" + status + (why.isEmpty() ? "" : ": " + why);
            default -> outcome;
        };
    }

    /** @return the latest state of each message the user sent, per recipient, with its outcome in words */
    private Map<AuditEntry, String> sentOutcomes(Account user) {
        Map<String, AuditEntry> latest = new LinkedHashMap<>();
        boolean hidden = !config.caldav().directoryVisible();
        for (AuditEntry e : scheduling.store().sentBy(user.name(), MAX_AUDIT)) {
            if (e.event().equals("monitor") || e.event().equals("put-refused")) {
                continue;
            }
            if (hidden && !HIDDEN_SENT_EVENTS.contains(e.event())) {
                // a local recipient's verdict, or the relay's taking of a remote one's mail, would tell the sender
                // which addresses are users here: the handed-on row, written alike for both, stands for them
                continue;
            }
            latest.putIfAbsent(e.uid() + "\n" + e.method() + "\n" + e.recipient(), e);
        }
        Map<AuditEntry, String> out = new LinkedHashMap<>();
        for (AuditEntry e : latest.values()) {
            if (e.event().equals(dev.inboxguard.scheduling.SchedulingOutbox.HANDED_ON)) {
                out.put(e, HANDED_ON);
                continue;
            }
            out.put(e, switch (e.event()) {
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
        }
        return out;
    }

    private void held(HttpServletResponse resp, Account user) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode items = root.putArray("held");
        for (HeldItem h : scheduling.store().heldSummaries(user.name(), MAX_AUDIT)) {
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
            o.set("provenance", provenanceJson(h.provenance()));
        }
        json(resp, HttpServletResponse.SC_OK, root);
    }

    private void inbox(HttpServletResponse resp, Account user) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode items = root.putArray("inbox");
        for (InboxItem i : scheduling.store().inboxWithoutText(user.name())) {
            ObjectNode o = items.addObject();
            o.put("name", i.name());
            o.put("method", i.method());
            o.put("uid", i.uid());
            o.put("action", i.action());
            o.put("received", Instant.ofEpochMilli(i.received()).toString());
            o.set("findings", findings(i.findings()));
            o.set("provenance", provenanceJson(i.provenance()));
        }
        json(resp, HttpServletResponse.SC_OK, root);
    }

    /**
     * What became of the user's own invitations, replies and cancellations: one entry per message and recipient,
     * its latest state (delivered, flagged, held for someone's decision, approved, denied, refused, sent by mail,
     * failed by mail), with the REQUEST-STATUS and the finding codes that decided it.
     */
    private void sent(HttpServletResponse resp, Account user) throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode out = root.putArray("sent");
        for (Map.Entry<AuditEntry, String> entry : sentOutcomes(user).entrySet()) {
            AuditEntry e = entry.getKey();
            ObjectNode o = out.addObject();
            o.put("at", Instant.ofEpochMilli(e.at()).toString());
            o.put("uid", e.uid());
            o.put("method", e.method());
            o.put("recipient", e.recipient());
            o.put("outcome", entry.getValue());
            o.put("inWords", inWords(e, entry.getValue()));
            boolean handedOn = entry.getValue().equals(HANDED_ON);
            o.put("requestStatus", handedOn ? "" : e.requestStatus());
            ArrayNode codes = o.putArray("codes");
            (handedOn ? JSON.createArrayNode() : findings(e.findings())).forEach(f -> {
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
        // with the directory hidden, a user's trail leaves out the verdicts on what they sent to other local users
        List<AuditEntry> entries = !all && !config.caldav().directoryVisible()
                ? scheduling.store().auditTrailWithoutLocalRecipients(user.name(), after, limit)
                : scheduling.store().auditTrail(all ? Optional.empty() : Optional.of(user.name()), after, limit);
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

}
