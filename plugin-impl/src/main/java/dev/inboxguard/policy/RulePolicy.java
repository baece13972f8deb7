package dev.inboxguard.policy;

import dev.inboxguard.api.Action;
import dev.inboxguard.api.Approver;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.DecisionContext;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.ItipMethod;
import dev.inboxguard.api.Policy;
import dev.inboxguard.api.RequestStatus;
import dev.inboxguard.api.Severity;
import dev.inboxguard.api.Transport;
import dev.inboxguard.api.Verdict;
import dev.inboxguard.config.ConfigException;
import dev.inboxguard.config.GuardConfig.PolicyRuleSettings;
import dev.inboxguard.config.GuardConfig.PolicySettings;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The policy: an ordered list of rules, first match wins, and an action per severity for findings no rule
 * names. The verdict takes the most severe action of all findings; the first finding that produced it supplies
 * the approver (for hold) or the REQUEST-STATUS (for reject). {@code guard.overloaded} is outside the rules: it
 * always ends in a temporary reject (5.1).
 *
 * <p>A rule marked {@code monitor: true} is skipped when deciding; the verdict is computed a second time with it,
 * and if the action differs, the verdict carries that outcome as {@link Verdict#monitored()} so that an operator can
 * watch a stricter rule's effect before enforcing it.
 */
public final class RulePolicy implements Policy {
    /** Sent back on reject when neither the rule nor the check names a status. */
    static final RequestStatus DEFAULT_REJECT = RequestStatus.NO_AUTHORITY;
    private static final Pattern CODE_PATTERN = Pattern.compile("\\*|[a-z0-9][a-z0-9.-]*(\\.\\*)?");

    private final List<PolicyRule> rules;
    private final Map<Severity, Action> unlisted;

    /**
     * @param rules    rules in order
     * @param unlisted the action for each severity, for findings no rule matches
     */
    public RulePolicy(List<PolicyRule> rules, Map<Severity, Action> unlisted) {
        this.rules = List.copyOf(rules);
        this.unlisted = new EnumMap<>(unlisted);
        for (Severity s : Severity.values()) {
            if (!this.unlisted.containsKey(s)) {
                throw new ConfigException("policy.unlisted: no action for severity " + s.id());
            }
        }
    }

    /**
     * @param settings the policy section of the configuration
     * @return the compiled policy
     * @throws ConfigException naming the first invalid rule
     */
    public static RulePolicy from(PolicySettings settings) {
        List<PolicyRule> rules = new ArrayList<>();
        for (int i = 0; i < settings.rules().size(); i++) {
            try {
                rules.add(compile(settings.rules().get(i)));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("policy.rules[" + i + "]: " + e.getMessage());
            }
        }
        Map<Severity, Action> unlisted = new EnumMap<>(Severity.class);
        for (Map.Entry<String, String> e : settings.unlisted().entrySet()) {
            try {
                unlisted.put(Severity.valueOf(e.getKey().toUpperCase(Locale.ROOT)), action(e.getValue()));
            } catch (IllegalArgumentException ex) {
                throw new ConfigException("policy.unlisted." + e.getKey() + ": " + ex.getMessage());
            }
        }
        return new RulePolicy(rules, unlisted);
    }

    @Override
    public Verdict decide(DecisionContext context, List<Finding> findings) {
        if (findings.stream().anyMatch(f -> f.code().equals(FindingCode.GUARD_OVERLOADED))) {
            // a fault of the guard, not a judgement: no rule may turn it into anything but "try again later"
            return new Verdict(Action.REJECT, Optional.empty(), RequestStatus.SERVICE_UNAVAILABLE, context.method(),
                    context.uid(), findings);
        }
        Verdict.Outcome enforced = outcome(context, findings, false);
        Optional<Verdict.Outcome> monitored = Optional.empty();
        if (rules.stream().anyMatch(PolicyRule::monitor)) {
            Verdict.Outcome watched = outcome(context, findings, true);
            if (!watched.equals(enforced)) {
                monitored = Optional.of(watched);
            }
        }
        return new Verdict(enforced.action(), enforced.approver(), enforced.requestStatus(), context.method(),
                context.uid(), findings, monitored);
    }

    /**
     * @param withMonitored true to let monitor-mode rules decide too (what would happen), false to skip them (what
     *                      happens)
     */
    private Verdict.Outcome outcome(DecisionContext context, List<Finding> findings, boolean withMonitored) {
        Action worst = Action.DELIVER;
        Optional<Approver> approver = Optional.empty();
        RequestStatus status = RequestStatus.SUCCESS;
        for (Finding f : findings) {
            Optional<PolicyRule> rule = rules.stream().filter(r -> withMonitored || !r.monitor())
                    .filter(r -> r.matches(f, context)).findFirst();
            Optional<PolicyRule.Decision> decision = rule.map(PolicyRule::decision);
            Action action = decision.map(PolicyRule.Decision::action).orElse(unlisted.get(f.severity()));
            if (action.compareTo(worst) > 0) {
                worst = action;
                approver = action == Action.HOLD
                        ? Optional.of(decision.flatMap(PolicyRule.Decision::approver).orElse(Approver.RECIPIENT))
                        : Optional.empty();
                status = action == Action.REJECT
                        ? decision.flatMap(PolicyRule.Decision::requestStatus).or(f::requestStatus)
                        .orElse(DEFAULT_REJECT)
                        : RequestStatus.SUCCESS;
            }
        }
        return new Verdict.Outcome(worst, approver, status);
    }

    private static PolicyRule compile(PolicyRuleSettings s) {
        if (s.code() == null || !CODE_PATTERN.matcher(s.code()).matches()) {
            throw new IllegalArgumentException("code must be a finding code, \"prefix.*\" or \"*\", got "
                    + s.code());
        }
        Set<ItipMethod> methods = new HashSet<>();
        for (String m : s.methods()) {
            methods.add(ItipMethod.parse(m)
                    .orElseThrow(() -> new IllegalArgumentException("unknown method " + m)));
        }
        Set<Transport> transports = new HashSet<>();
        for (String t : s.transports()) {
            try {
                transports.add(Transport.valueOf(t.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown transport " + t + " (caldav or imip)");
            }
        }
        Set<Severity> severities = new HashSet<>();
        for (String v : s.severities()) {
            try {
                severities.add(Severity.valueOf(v.strip().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown severity " + v + " (critical, high, medium, low, info)");
            }
        }
        Set<CalendarUserAddress> recipients = new HashSet<>();
        Set<String> domains = new HashSet<>();
        for (String r : s.recipients()) {
            if (r.startsWith("@") && r.length() > 1) {
                domains.add(r.substring(1).toLowerCase(Locale.ROOT));
            } else {
                recipients.add(CalendarUserAddress.of(r));
            }
        }
        if (s.action() == null) {
            throw new IllegalArgumentException("action is required");
        }
        Action action = action(s.action());
        Optional<Approver> approver = Optional.empty();
        if (s.approver() != null) {
            if (action != Action.HOLD) {
                throw new IllegalArgumentException("approver goes only with action hold");
            }
            try {
                approver = Optional.of(Approver.valueOf(s.approver().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("approver must be recipient or organizer, got " + s.approver());
            }
        } else if (action == Action.HOLD) {
            approver = Optional.of(Approver.RECIPIENT);
        }
        Optional<RequestStatus> status = Optional.empty();
        if (s.requestStatus() != null) {
            if (action != Action.REJECT) {
                throw new IllegalArgumentException("requestStatus goes only with action reject");
            }
            RequestStatus parsed = RequestStatus.parse(s.requestStatus());
            if (parsed.isSuccess()) {
                throw new IllegalArgumentException("a reject cannot answer with a success status");
            }
            status = Optional.of(parsed);
        }
        return new PolicyRule(s.code(), new PolicyRule.Scope(methods, transports, recipients, domains, severities),
                new PolicyRule.Decision(action, approver, status), Boolean.TRUE.equals(s.monitor()));
    }

    private static Action action(String value) {
        try {
            return Action.valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("action must be deliver, flag, hold or reject, got " + value);
        }
    }
}
