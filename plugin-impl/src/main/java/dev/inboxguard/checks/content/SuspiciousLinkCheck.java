package dev.inboxguard.checks.content;

import dev.inboxguard.api.Check;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.api.Severity;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.ComponentContainer;
import net.fortuna.ical4j.model.Parameter;
import net.fortuna.ical4j.model.Property;

/**
 * Reports deceptive links ({@code content.suspicious-url}) in DESCRIPTION, LOCATION, URL, ATTACH, CONFERENCE,
 * IMAGE, COMMENT, LINK (RFC 9253), STRUCTURED-DATA, the HTML of X-ALT-DESC and STYLED-DESCRIPTION (RFC 9073), in
 * every component including VLOCATION and VRESOURCE, and in the e-mail's own bodies, one finding per link, naming every trait that makes it risky, so that
 * clients and the approval page can show the links inert. Nothing is fetched.
 */
public final class SuspiciousLinkCheck implements Check {
    private final LinkRisk risk;

    /**
     * @param riskySchemes schemes never safe in an invitation, such as javascript and data
     * @param blocklist    the operator's blocked domains
     */
    public SuspiciousLinkCheck(Set<String> riskySchemes, Set<String> blocklist) {
        this.risk = new LinkRisk(riskySchemes, blocklist);
    }

    @Override
    public List<Finding> inspect(SchedulingMessage message, RecipientContext recipient) {
        List<Link> links = new ArrayList<>();
        for (Component c : message.schedulingComponents()) {
            collect(c, links);
        }
        List<Finding> out = new ArrayList<>();
        for (Link link : links) {
            judge(link).ifPresent(out::add);
        }
        return out;
    }

    /**
     * Judges the links of an e-mail's own text and HTML bodies that the calendar object does not contain (those
     * were judged with it): an invitation's e-mail can show a button the calendar never mentions.
     *
     * @param bodies  each body: true for HTML, and its text
     * @param message the calendar object of the same e-mail
     * @return one finding per risky link
     */
    public List<Finding> inspectMailBodies(List<Map.Entry<Boolean, String>> bodies, SchedulingMessage message) {
        List<Link> inCalendar = new ArrayList<>();
        for (Component c : message.schedulingComponents()) {
            collect(c, inCalendar);
        }
        Set<String> inCalendarUrls = new HashSet<>();
        inCalendar.forEach(l -> inCalendarUrls.add(l.url()));
        List<Link> links = new ArrayList<>();
        for (Map.Entry<Boolean, String> body : bodies) {
            LinkExtractor.extractBody(body.getKey(), body.getValue(), links);
        }
        Set<String> seen = new HashSet<>();
        List<Finding> out = new ArrayList<>();
        for (Link link : links) {
            // a bare URL the calendar also carries was judged with it; an anchor's shown text is new evidence
            boolean judged = inCalendarUrls.contains(link.url()) && link.shown().isEmpty();
            if (!judged && seen.add(link.url() + "\u0000" + link.shown().orElse(""))) {
                judge(link).ifPresent(out::add);
            }
        }
        return out.stream().distinct().toList();
    }

    private Optional<Finding> judge(Link link) {
        List<String> why = risk.reasons(link);
        if (why.isEmpty()) {
            return Optional.empty();
        }
        Severity severity = why.size() > 1 || why.get(0).contains("scheme") ? Severity.HIGH : Severity.MEDIUM;
        return Optional.of(Finding.of(FindingCode.CONTENT_SUSPICIOUS_URL, severity, "suspicious link in "
                + link.property() + ": " + String.join("; ", why)).about(link.property(), link.url()));
    }

    private static void collect(Component c, List<Link> links) {
        for (Property p : c.getProperties()) {
            // ical4j keeps an X-property's name as written: x-alt-desc is X-ALT-DESC
            String name = p.getName().toUpperCase(java.util.Locale.ROOT);
            String type = p.<Parameter>getParameter(Parameter.VALUE).map(v -> v.getValue().toUpperCase(
                    java.util.Locale.ROOT)).orElse("");
            if (type.equals("BINARY")) {
                continue; // inline data (ATTACH, STRUCTURED-DATA): not a link
            }
            if (type.equals("URI") && (name.equals("STRUCTURED-DATA") || name.equals("STYLED-DESCRIPTION"))) {
                // RFC 9073: both may point at their content instead of carrying it
                LinkExtractor.extractUri(name, p.getValue(), links);
            } else if (LinkExtractor.URI_PROPERTIES.contains(name) || LinkExtractor.TEXT_PROPERTIES.contains(name)
                    || name.equals("X-ALT-DESC") || name.equals("STYLED-DESCRIPTION")) {
                LinkExtractor.extract(name, p.getValue(), links);
            }
        }
        if (c instanceof ComponentContainer<?> container) {
            for (Object child : container.getComponentList().getAll()) {
                collect((Component) child, links);
            }
        }
    }
}
