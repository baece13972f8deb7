package dev.inboxguard.approval;

import static dev.inboxguard.approval.WebAnswers.JSON;
import static dev.inboxguard.approval.WebAnswers.error;
import static dev.inboxguard.approval.WebAnswers.isForm;
import static dev.inboxguard.approval.WebAnswers.redirect;
import static dev.inboxguard.approval.WebAnswers.value;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.scheduling.SenderLists;
import dev.inboxguard.server.Account;
import dev.inboxguard.storage.PreferenceStore;
import java.io.IOException;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * Each user's own settings, on the page ({@code /guard/settings}) and as JSON ({@code /guard/api/settings}): which
 * invitations are added automatically, their time zone, mail about held items, and their allow and block lists.
 * A script may send only what it changes; the page's form always sends every field.
 */
final class SettingsPage {
    private final PreferenceStore preferences;
    private final GuardConfig config;
    private final Clock clock;

    SettingsPage(PreferenceStore preferences, GuardConfig config, Clock clock) {
        this.preferences = preferences;
        this.config = config;
        this.clock = clock;
    }

    /** The zones the settings page offers: every region/city zone Java knows, sorted. */
    private static final List<String> ZONES = ZoneId.getAvailableZoneIds().stream()
            .filter(z -> z.matches("(Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific)/.+"))
            .sorted().toList();

    void page(HttpServletResponse resp, Account user, Frame frame, int status, String notice, String problem)
            throws IOException {
        PreferenceStore.Preferences p = preferences.preferences(user.name());
        List<String> allowed = new ArrayList<>();
        List<String> blocked = new ArrayList<>();
        for (PreferenceStore.SenderEntry e : preferences.senders(user.name())) {
            (e.list().equals(PreferenceStore.SenderEntry.BLOCK) ? blocked : allowed)
                    .add(FindingSentences.plain(e.entry()));
        }
        String operator = switch (operatorSetting(user)) {
            case "known" -> "only from people you know";
            case "never" -> "never";
            default -> "from everyone";
        };
        SettingsForm form = new SettingsForm(p.invitations(), operator, p.timeZone(), ZONES, p.mailHeld(),
                p.dailyDigest(), config.mail().relay().configured(), allowed, blocked);
        Pages.render(resp, status, "settings.jte", Map.of("frame", frame, "settings", form,
                "notice", notice, "problem", problem));
    }

    /** @return true or false as written, the fallback when left out, empty when it is neither */
    private static Optional<Boolean> bool(String text, boolean fallback) {
        if (text == null) {
            return Optional.of(fallback);
        }
        return switch (text.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "on" -> Optional.of(true);
            case "false", "off" -> Optional.of(false);
            default -> Optional.empty();
        };
    }

    /** @return the operator's invitation setting for this user (senders.recipients, then .domains, then .policy) */
    String operatorSetting(Account user) {
        GuardConfig.Senders s = config.senders();
        for (var a : user.addresses()) {
            for (Map.Entry<String, String> e : s.recipients().entrySet()) {
                if (dev.inboxguard.api.CalendarUserAddress.parse(e.getKey()).filter(a::equals).isPresent()) {
                    return e.getValue().strip().toLowerCase(java.util.Locale.ROOT);
                }
            }
        }
        for (var a : user.addresses()) {
            Optional<String> domain = a.domain();
            for (Map.Entry<String, String> e : s.domains().entrySet()) {
                if (domain.isPresent() && e.getKey().replaceFirst("^@", "").equalsIgnoreCase(domain.get())) {
                    return e.getValue().strip().toLowerCase(java.util.Locale.ROOT);
                }
            }
        }
        return s.policy() == null ? "everyone" : s.policy().strip().toLowerCase(java.util.Locale.ROOT);
    }

    void save(HttpServletRequest req, HttpServletResponse resp, Account user, Frame frame) throws IOException {
        // a script may send only what it changes; the page's form always sends every field
        PreferenceStore.Preferences current = preferences.preferences(user.name());
        String invitations = req.getParameter("invitations") == null ? current.invitations()
                : value(req.getParameter("invitations"));
        if (invitations.equals("default")) {
            invitations = "";
        }
        String zone = req.getParameter("timeZone") == null ? current.timeZone() : value(req.getParameter("timeZone"));
        String problem = "";
        if (!List.of("", "everyone", "known", "never").contains(invitations)) {
            problem = "Choose one of the invitation settings.";
        } else if (!zone.isEmpty() && !ZONES.contains(zone) && !zone.equals("UTC")) {
            problem = "Choose a time zone from the list.";
        } else if (!isForm(req) && (bool(req.getParameter("mailHeld"), true).isEmpty()
                || bool(req.getParameter("dailyDigest"), true).isEmpty())) {
            problem = "mailHeld and dailyDigest are true or false.";
        }
        if (!problem.isEmpty()) {
            if (isForm(req)) {
                page(resp, user, frame, HttpServletResponse.SC_BAD_REQUEST, "", problem);
            } else {
                WebAnswers.json(resp, HttpServletResponse.SC_BAD_REQUEST, error(problem));
            }
            return;
        }
        // a form's checkbox is there when ticked and missing when not; a script says true or false, or leaves it
        boolean mailHeld = isForm(req) ? req.getParameter("mailHeld") != null
                : bool(req.getParameter("mailHeld"), current.mailHeld()).orElseThrow();
        boolean dailyDigest = isForm(req) ? req.getParameter("dailyDigest") != null
                : bool(req.getParameter("dailyDigest"), current.dailyDigest()).orElseThrow();
        preferences.save(user.name(), new PreferenceStore.Preferences(invitations,
                zone.equals("UTC") ? "" : zone, mailHeld, dailyDigest));
        if (isForm(req)) {
            redirect(req, resp, "/settings?done=saved");
        } else {
            json(resp, user);
        }
    }

    void list(HttpServletRequest req, HttpServletResponse resp, Account user, Frame frame) throws IOException {
        Optional<String> entry = SenderLists.entry(req.getParameter("entry"));
        String list = value(req.getParameter("list"));
        String problem = "";
        if (entry.isEmpty()) {
            problem = "Write an address (someone@example.com) or a domain (@example.com).";
        } else if (!list.equals(PreferenceStore.SenderEntry.ALLOW) && !list.equals(PreferenceStore.SenderEntry.BLOCK)) {
            problem = "Choose the allow list or the block list.";
        } else if (user.addresses().stream().anyMatch(a -> entry.get().equalsIgnoreCase(a.uri()))) {
            problem = "That is your own address.";
        } else if (!preferences.list(user.name(), entry.get(), list, clock.millis())) {
            problem = "Your lists are full (" + PreferenceStore.MAX_LIST_ENTRIES + " entries). Remove some first.";
        }
        listed(req, resp, user, frame, problem);
    }

    void unlist(HttpServletRequest req, HttpServletResponse resp, Account user, Frame frame) throws IOException {
        Optional<String> entry = SenderLists.entry(req.getParameter("entry"));
        entry.ifPresent(e -> preferences.unlist(user.name(), e));
        listed(req, resp, user, frame, entry.isEmpty() ? "That is not an entry on your lists." : "");
    }

    private void listed(HttpServletRequest req, HttpServletResponse resp, Account user, Frame frame, String problem)
            throws IOException {
        if (isForm(req)) {
            if (problem.isEmpty()) {
                redirect(req, resp, "/settings?done=listed");
            } else {
                page(resp, user, frame, HttpServletResponse.SC_BAD_REQUEST, "", problem);
            }
        } else if (!problem.isEmpty()) {
            WebAnswers.json(resp, HttpServletResponse.SC_BAD_REQUEST, error(problem));
        } else {
            json(resp, user);
        }
    }

    void json(HttpServletResponse resp, Account user) throws IOException {
        PreferenceStore.Preferences p = preferences.preferences(user.name());
        ObjectNode o = JSON.createObjectNode();
        o.put("invitations", p.invitations().isEmpty() ? "default" : p.invitations());
        o.put("operatorInvitations", operatorSetting(user));
        o.put("timeZone", p.timeZone().isEmpty() ? "UTC" : p.timeZone());
        o.put("mailHeld", p.mailHeld());
        o.put("dailyDigest", p.dailyDigest());
        ArrayNode allow = o.putArray("allow");
        ArrayNode block = o.putArray("block");
        for (PreferenceStore.SenderEntry e : preferences.senders(user.name())) {
            (e.list().equals(PreferenceStore.SenderEntry.BLOCK) ? block : allow).add(e.entry());
        }
        WebAnswers.json(resp, HttpServletResponse.SC_OK, o);
    }
}
