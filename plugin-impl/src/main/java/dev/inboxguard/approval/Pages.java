package dev.inboxguard.approval;

import dev.inboxguard.calendar.EventDescription;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inboxguard.api.Approver;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.scheduling.Provenance;
import dev.inboxguard.storage.AuditEntry;
import dev.inboxguard.storage.HeldItem;
import dev.inboxguard.storage.InboxItem;
import gg.jte.ContentType;
import gg.jte.TemplateEngine;
import gg.jte.output.Utf8ByteOutput;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.servlet.http.HttpServletResponse;

/**
 * The approval pages: JTE templates (src/main/jte, compiled to classes at build time) and the views they show. The
 * templates escape every value for where it appears, so a sender's text is always text.
 */
final class Pages {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter RECEIVED = DateTimeFormatter.ofPattern("d MMMM uuuu, HH:mm",
            Locale.ENGLISH);
    private static final TemplateEngine ENGINE = TemplateEngine.createPrecompiled(null, ContentType.Html, null,
            "dev.inboxguard.approval.pages");
    private final CalendarReader reader;
    private final String deniedCrasher;

    /**
     * @param reader        the bounded reader, for the stored messages
     * @param deniedCrasher what a denied party crasher learns ({@code scheduling.deniedCrasher})
     */
    Pages(CalendarReader reader, String deniedCrasher) {
        this.reader = reader;
        this.deniedCrasher = deniedCrasher;
    }

    static void render(HttpServletResponse resp, int status, String template, Map<String, Object> params)
            throws IOException {
        Utf8ByteOutput out = render(template, params);
        resp.setStatus(status);
        resp.setContentType("text/html; charset=utf-8");
        resp.setContentLength(out.getContentLength());
        out.writeTo(resp.getOutputStream());
    }

    /** @return the page, as UTF-8 */
    static Utf8ByteOutput render(String template, Map<String, Object> params) {
        Utf8ByteOutput out = new Utf8ByteOutput();
        ENGINE.render(template, params, out);
        return out;
    }

    HeldCard held(HeldItem h, ZoneId zone) {
        EventDescription event = EventDescription.of(reader, h.data(), h.method(), zone);
        List<String> reasons = new ArrayList<>();
        List<FlaggedLink> links = new ArrayList<>();
        for (JsonNode f : findings(h.findings())) {
            if (f.path("code").asText().equals("content.suspicious-url") && f.hasNonNull("value")) {
                links.add(new FlaggedLink(EventDescription.visible(f.get("value").asText()),
                        EventDescription.visible(f.path("message").asText(""))));
            } else {
                reasons.add(FindingSentences.sentence(f));
            }
        }
        if (reasons.isEmpty() && !links.isEmpty()) {
            reasons.add("It carries links that look risky (below).");
        }
        String sender = EventDescription.visible(FindingSentences.plain(h.sender()));
        String title = event.title();
        String approve;
        String deny;
        String kind;
        if (h.approver().equals(Approver.ORGANIZER.id()) && h.method().equals("REPLY")) {
            kind = sender + " answered your event, but is not on its guest list. You organize it, so you decide.";
            approve = sender + " joins the guest list of “" + title + "” and receives your updates from now on.";
            deny = sender + " is not added. " + switch (deniedCrasher) {
                case "cancel" -> "They are sent a cancellation of the event.";
                case "silent" -> "They are told nothing.";
                default -> "If they are a user of this server, their calendar shows they were not let in; "
                        + "nothing is mailed.";
            };
        } else {
            boolean byMail = h.transport().equals("imip");
            kind = switch (h.method()) {
                case "REQUEST", "ADD" -> "An invitation";
                case "PUBLISH" -> "A published event";
                case "REPLY" -> "An answer to your event";
                case "CANCEL" -> "A cancellation";
                case "COUNTER" -> "A proposal for another time";
                case "REFRESH" -> "A request for the event's latest version";
                default -> "A calendar message";
            } + " from " + sender + (byMail ? ", by e-mail." : ", from a user of this server.");
            String toldNothing = byMail ? "nothing is sent back." : "their calendar shows it was not delivered.";
            switch (h.method()) {
                case "REPLY" -> {
                    approve = "The answer updates " + sender + "’s reply in your event.";
                    deny = "The answer is discarded and your event stays as it is; " + toldNothing;
                }
                case "CANCEL" -> {
                    approve = "The event is cancelled in your calendar.";
                    deny = "The cancellation is discarded and the event stays in your calendar; " + toldNothing;
                }
                case "COUNTER" -> {
                    approve = "The proposal reaches your calendar app, where you accept or decline it.";
                    deny = "The proposal is discarded; " + toldNothing;
                }
                case "REFRESH" -> {
                    approve = "Your calendar app is asked to send " + sender + " the latest version.";
                    deny = "Nothing is sent; " + toldNothing;
                }
                default -> {
                    approve = "The invitation is added to your calendar, marked as not answered yet; you accept or "
                            + "decline it in your calendar app. Nothing is sent until you answer.";
                    deny = "The invitation is discarded and never reaches your calendar; " + toldNothing;
                }
            }
        }
        return new HeldCard(h.id(), kind, EventView.of(event), links, reasons, approve, deny,
                provenance(h.provenance(), h.transport(), sender), received(h.received(), zone));
    }

    /**
     * @param key      the invitation's key in URLs
     * @param copy     the user's stored copy of it
     * @param delivery the audit entry of its latest delivery (its findings, its time)
     * @param message  the latest inbox item about it, if the user's calendar program kept it (its provenance)
     */
    DeliveredCard delivered(String key, dev.inboxguard.storage.StoredObject copy, AuditEntry delivery,
                            java.util.Optional<InboxItem> message, ZoneId zone) {
        EventDescription event = EventDescription.of(reader, copy.data(), "REQUEST", zone);
        List<String> notes = new ArrayList<>();
        for (JsonNode f : findings(delivery.findings())) {
            notes.add(FindingSentences.sentence(f));
        }
        String from = FindingSentences.plain(delivery.sender());
        return new DeliveredCard(key, EventView.of(event), notes, provenance(message.map(InboxItem::provenance)
                .orElse(""), delivery.transport(), from), received(delivery.at(), zone));
    }

    SentLine sent(AuditEntry e, String outcome, ZoneId zone) {
        String what = switch (e.method()) {
            case "REQUEST" -> "Invitation";
            case "CANCEL" -> "Cancellation";
            case "REPLY" -> "Your answer";
            case "COUNTER" -> "Your proposal";
            default -> e.method();
        };
        return new SentLine(what + " (" + EventDescription.visible(shortUid(e.uid())) + ")",
                EventDescription.visible(FindingSentences.plain(e.recipient())), EventDescription.visible(outcome),
                received(e.at(), zone));
    }

    private static String shortUid(String uid) {
        return uid.length() > 40 ? uid.substring(0, 40) + "…" : uid;
    }

    /** @return the zone the user chose, else UTC */
    static ZoneId zone(dev.inboxguard.storage.PreferenceStore preferences, String user) {
        return EventDescription.zoneOrUtc(preferences.preferences(user).timeZone());
    }

    static String received(long at, ZoneId zone) {
        return RECEIVED.format(Instant.ofEpochMilli(at).atZone(zone)) + " " + EventDescription.zoneName(zone);
    }

    /** @return where a message came from, in words */
    static String provenance(String json, String transport, String sender) {
        return EventDescription.visible(provenanceUnchecked(json, transport, sender));
    }

    private static String provenanceUnchecked(String json, String transport, String sender) {
        return Provenance.parse(json).map(p -> {
            if (p.transport().equals("caldav")) {
                return "Sent through this server by its user " + p.principal();
            }
            StringBuilder b = new StringBuilder("By e-mail");
            if (!p.from().isEmpty()) {
                b.append(" from ").append(p.from());
            }
            if (!p.envelopeSender().isEmpty() && !p.envelopeSender().equalsIgnoreCase(p.from())) {
                b.append(" (envelope sender ").append(p.envelopeSender()).append(')');
            }
            b.append(p.authentication().isEmpty() ? "; no trusted authentication result"
                    : "; checks: " + String.join(", ", p.authentication()));
            if (!p.messageId().isEmpty()) {
                b.append("; Message-ID ").append(p.messageId());
            }
            return b.toString();
        }).orElse(transport.isEmpty() ? "Origin not recorded" : (transport.equals("imip") ? "By e-mail" : "Through "
                + "this server") + (sender.isEmpty() ? "" : " from " + sender));
    }

    static JsonNode findings(String json) {
        try {
            JsonNode n = JSON.readTree(json);
            return n == null ? JSON.createArrayNode() : n;
        } catch (IOException e) {
            return JSON.createArrayNode();
        }
    }
}
