package dev.inboxguard.policy;

import dev.inboxguard.api.Action;
import dev.inboxguard.api.Approver;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.DecisionContext;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.ItipMethod;
import dev.inboxguard.api.RequestStatus;
import dev.inboxguard.api.Transport;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * One compiled policy rule: when it matches a finding, it fixes that finding's action.
 *
 * @param code          the code, {@code prefix.*}, or {@code *}
 * @param methods       methods it applies to; empty for all
 * @param transports    transports it applies to; empty for all
 * @param recipients    recipient addresses it applies to; empty for all
 * @param domains       recipient domains it applies to (from {@code @domain} entries)
 * @param action        the action
 * @param approver      the approver, present for hold
 * @param requestStatus the REQUEST-STATUS for reject, if the rule names one
 */
public record PolicyRule(String code, Set<ItipMethod> methods, Set<Transport> transports,
                         Set<CalendarUserAddress> recipients, Set<String> domains, Action action,
                         Optional<Approver> approver, Optional<RequestStatus> requestStatus) {

    /** Copies the sets. */
    public PolicyRule {
        methods = Set.copyOf(methods);
        transports = Set.copyOf(transports);
        recipients = Set.copyOf(recipients);
        domains = Set.copyOf(domains);
    }

    /**
     * @param finding a finding
     * @param context the message's facts
     * @return true if this rule decides that finding
     */
    public boolean matches(Finding finding, DecisionContext context) {
        String c = finding.code().value();
        boolean codeMatches = code.equals("*") || code.equals(c)
                || (code.endsWith(".*") && c.startsWith(code.substring(0, code.length() - 1)));
        if (!codeMatches) {
            return false;
        }
        if (!methods.isEmpty() && (context.method().isEmpty() || !methods.contains(context.method().get()))) {
            return false;
        }
        if (!transports.isEmpty() && !transports.contains(context.transport())) {
            return false;
        }
        if (recipients.isEmpty() && domains.isEmpty()) {
            return true;
        }
        return recipients.contains(context.recipient())
                || context.recipient().domain().map(d -> domains.contains(d.toLowerCase(Locale.ROOT)))
                .orElse(false);
    }
}
