package dev.inboxguard.policy;

import dev.inboxguard.api.Action;
import dev.inboxguard.api.Approver;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.DecisionContext;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.ItipMethod;
import dev.inboxguard.api.RequestStatus;
import dev.inboxguard.api.Severity;
import dev.inboxguard.api.Transport;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * One compiled policy rule: when it matches a finding, it fixes that finding's action.
 *
 * @param code     the code, {@code prefix.*}, or {@code *}
 * @param scope    which messages and findings it applies to besides the code
 * @param decision what it decides
 * @param monitor  true if the rule is only watched: its outcome is reported and audited, never carried out
 */
public record PolicyRule(String code, Scope scope, Decision decision, boolean monitor) {

    /**
     * Where a rule applies. Every empty set means "all".
     *
     * @param methods    iTIP methods
     * @param transports transports
     * @param recipients recipient addresses
     * @param domains    recipient domains (from {@code @domain} entries)
     * @param severities the severities the finding's check gave it
     */
    public record Scope(Set<ItipMethod> methods, Set<Transport> transports, Set<CalendarUserAddress> recipients,
                        Set<String> domains, Set<Severity> severities) {
        /** A scope that covers everything. */
        public static final Scope ALL = new Scope(Set.of(), Set.of(), Set.of(), Set.of(), Set.of());

        /** Copies the sets. */
        public Scope {
            methods = Set.copyOf(methods);
            transports = Set.copyOf(transports);
            recipients = Set.copyOf(recipients);
            domains = Set.copyOf(domains);
            severities = Set.copyOf(severities);
        }

        boolean covers(Finding finding, DecisionContext context) {
            if (!severities.isEmpty() && !severities.contains(finding.severity())) {
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

    /**
     * @param action        the action
     * @param approver      the approver, present for hold
     * @param requestStatus the REQUEST-STATUS for reject, if the rule names one
     */
    public record Decision(Action action, Optional<Approver> approver, Optional<RequestStatus> requestStatus) {
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
        return codeMatches && scope.covers(finding, context);
    }
}
