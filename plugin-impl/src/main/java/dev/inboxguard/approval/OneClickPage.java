package dev.inboxguard.approval;

import static dev.inboxguard.approval.WebAnswers.NOTICES;
import static dev.inboxguard.approval.WebAnswers.crossSiteFree;

import dev.inboxguard.scheduling.InvitationRemoval;
import dev.inboxguard.scheduling.Quarantine;
import dev.inboxguard.server.Account;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.storage.HeldItem;
import dev.inboxguard.storage.PreferenceStore;
import java.io.IOException;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/** The pages a link in a mail about held items opens ({@code /guard/act/TOKEN}); see {@link OneClickLinks}. */
final class OneClickPage {
    private final Accounts accounts;
    private final Quarantine quarantine;
    private final InvitationRemoval removal;
    private final PreferenceStore preferences;
    private final OneClickLinks links;
    private final Pages pages;

    OneClickPage(Accounts accounts, Quarantine quarantine, InvitationRemoval removal, PreferenceStore preferences,
                 OneClickLinks links, Pages pages) {
        this.accounts = accounts;
        this.quarantine = quarantine;
        this.removal = removal;
        this.preferences = preferences;
        this.links = links;
        this.pages = pages;
    }

    /**
     * A link from a mail about held items. The signed token stands for its user, for this one action: a GET shows
     * what the action will do and asks to confirm (it changes nothing, so a mail scanner that follows links decides
     * nothing); the POST does it, once.
     */
    void handle(HttpServletRequest req, HttpServletResponse resp, String token) throws IOException {
        boolean post = req.getMethod().equals("POST");
        if (!post && !req.getMethod().equals("GET") && !req.getMethod().equals("HEAD")) {
            resp.setHeader("Allow", "GET, HEAD, POST");
            linkPage(resp, HttpServletResponse.SC_METHOD_NOT_ALLOWED, "Not here", "This address only opens a page.");
            return;
        }
        if (post && !crossSiteFree(req)) {
            linkPage(resp, HttpServletResponse.SC_FORBIDDEN, "Refused", "Confirm from the page the link opened.");
            return;
        }
        OneClickLinks.Verified verified = links.verify(token);
        if (verified.link().isEmpty()) {
            boolean expired = verified.refusal().orElse(OneClickLinks.Refusal.FORGED) == OneClickLinks.Refusal.EXPIRED;
            linkPage(resp, expired ? HttpServletResponse.SC_GONE : HttpServletResponse.SC_FORBIDDEN,
                    expired ? "This link has expired" : "This link is not valid", expired
                            ? "Links in mail work for " + OneClickLinks.LIFETIME.toDays() + " days. Sign in to see "
                                    + "what is still held for you." : "It was changed, or it is not from this server. "
                                    + "Sign in to see what is held for you.");
            return;
        }
        OneClickLinks.Link link = verified.link().get();
        Optional<Account> user = accounts.find(link.user());
        if (user.isEmpty()) {
            linkPage(resp, HttpServletResponse.SC_FORBIDDEN, "This link is not valid", "Its user no longer exists.");
            return;
        }
        if (link.action().equals("unsubscribe")) {
            if (post) {
                PreferenceStore.Preferences p = preferences.preferences(link.user());
                preferences.save(link.user(), new PreferenceStore.Preferences(p.invitations(), p.timeZone(), false,
                        false));
                linkPage(resp, HttpServletResponse.SC_OK, "No more mails", "You will get no more mail about held "
                        + "items. Turn it on again in your settings.");
            } else {
                Pages.render(resp, HttpServletResponse.SC_OK, "confirm.jte", confirmParams("Stop these mails?",
                        "You will get no more mail when something is held for you.", null, token, "Stop these mails",
                        "deny"));
            }
            return;
        }
        Optional<HeldItem> item = quarantine.find(user.get(), link.heldId());
        if (item.isEmpty() || !item.get().state().equals(HeldItem.HELD)) {
            String done = item.map(h -> "It was already " + (h.state().equals(HeldItem.APPROVED) ? "approved"
                    : h.state().equals(HeldItem.EXPIRED) ? "expired" : "denied") + ". Nothing more needs doing.")
                    .orElse("It is no longer held. Nothing more needs doing.");
            linkPage(resp, HttpServletResponse.SC_CONFLICT, "Already decided", done);
            return;
        }
        ZoneId zone = Pages.zone(preferences, user.get().name());
        HeldCard card = pages.held(item.get(), zone);
        if (!post) {
            String verb = switch (link.action()) {
                case "approve" -> "Approve";
                case "deny" -> "Deny";
                default -> "Report spam";
            };
            String means = switch (link.action()) {
                case "approve" -> card.approve();
                case "deny" -> card.deny();
                default -> "It is removed, nobody is told, and the sender is blocked.";
            };
            Pages.render(resp, HttpServletResponse.SC_OK, "confirm.jte", confirmParams(verb + "?", means, card, token,
                    verb, link.action().equals("approve") ? "approve" : "deny"));
            return;
        }
        if (preferences.linkUsed(link.hash())) {
            linkPage(resp, HttpServletResponse.SC_CONFLICT, "This link was used already", "Each link works once. "
                    + "Sign in to see what is still held for you.");
            return;
        }
        boolean done;
        try {
            // the decision itself is taken once (two clicks at once: one wins); the link is recorded only after it,
            // so a decision that failed leaves the link working, and a decision undone (the item held again after a
            // failed delivery) does not make the link work twice
            done = switch (link.action()) {
                case "approve" -> quarantine.approve(user.get(), link.heldId()) == Quarantine.Outcome.DONE;
                case "deny" -> quarantine.deny(user.get(), link.heldId()) == Quarantine.Outcome.DONE;
                default -> removal.reportHeld(user.get(), link.heldId()) == InvitationRemoval.Outcome.DONE;
            };
        } catch (RuntimeException e) {
            linkPage(resp, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "Something went wrong", "The decision could "
                    + "not be carried out; the item is still held, and this link still works. Try again later.");
            return;
        }
        if (!done) {
            linkPage(resp, HttpServletResponse.SC_CONFLICT, "Already decided", "It was decided meanwhile. Nothing "
                    + "more needs doing.");
            return;
        }
        preferences.useLink(link.hash(), link.expires() * 1000);
        linkPage(resp, HttpServletResponse.SC_OK, "Done", NOTICES.get(switch (link.action()) {
            case "approve" -> "approved";
            case "deny" -> "denied";
            default -> "spam";
        }));
    }

    private static Map<String, Object> confirmParams(String heading, String text, HeldCard card, String token,
                                                     String button, String buttonClass) {
        Map<String, Object> m = new HashMap<>();
        m.put("heading", heading);
        m.put("text", text);
        m.put("card", card);
        m.put("token", token);
        m.put("button", button);
        m.put("buttonClass", buttonClass);
        return m;
    }

    private static void linkPage(HttpServletResponse resp, int status, String heading, String text)
            throws IOException {
        Map<String, Object> m = new HashMap<>();
        m.put("frame", null);
        m.put("heading", heading);
        m.put("text", text);
        Pages.render(resp, status, "message.jte", m);
    }
}
