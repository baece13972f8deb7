package dev.inboxguard.checks.content;

import dev.inboxguard.api.Check;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.api.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.ComponentContainer;
import net.fortuna.ical4j.model.Property;

/**
 * Reports deceptive links ({@code content.suspicious-url}) in DESCRIPTION, LOCATION, URL, ATTACH, CONFERENCE,
 * IMAGE, COMMENT and the HTML of X-ALT-DESC, one finding per link, naming every trait that makes it risky, so that
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
            List<String> why = risk.reasons(link);
            if (!why.isEmpty()) {
                Severity severity = why.size() > 1 || why.get(0).contains("scheme") ? Severity.HIGH
                        : Severity.MEDIUM;
                out.add(Finding.of(FindingCode.CONTENT_SUSPICIOUS_URL, severity, "suspicious link in "
                        + link.property() + ": " + String.join("; ", why)).about(link.property(), link.url()));
            }
        }
        return out;
    }

    private static void collect(Component c, List<Link> links) {
        for (Property p : c.getProperties()) {
            // ical4j keeps an X-property's name as written: x-alt-desc is X-ALT-DESC
            String name = p.getName().toUpperCase(java.util.Locale.ROOT);
            if (LinkExtractor.URI_PROPERTIES.contains(name) || LinkExtractor.TEXT_PROPERTIES.contains(name)
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
