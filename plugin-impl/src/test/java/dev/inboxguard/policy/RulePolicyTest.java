package dev.inboxguard.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.api.Action;
import dev.inboxguard.api.Approver;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.DecisionContext;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.ItipMethod;
import dev.inboxguard.api.RequestStatus;
import dev.inboxguard.api.Severity;
import dev.inboxguard.api.Transport;
import dev.inboxguard.api.Verdict;
import dev.inboxguard.config.ConfigException;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig.PolicyRuleSettings;
import dev.inboxguard.config.GuardConfig.PolicySettings;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RulePolicyTest {
    private static final RulePolicy DEFAULTS = RulePolicy.from(ConfigFile.defaults().policy());
    private static final CalendarUserAddress BOB = CalendarUserAddress.of("bob@example.org");

    private static DecisionContext context(ItipMethod method) {
        return new DecisionContext(Optional.of(method), Optional.of("uid-1"), Transport.IMIP, BOB);
    }

    private static Finding finding(FindingCode code, Severity severity) {
        return Finding.of(code, severity, "test");
    }

    @Test
    void noFindingsMeansDeliver() {
        Verdict v = DEFAULTS.decide(context(ItipMethod.REQUEST), List.of());
        assertEquals(Action.DELIVER, v.action());
        assertEquals(RequestStatus.SUCCESS, v.requestStatus());
        assertEquals(Optional.empty(), v.approver());
    }

    @Test
    void aFaultOfTheGuardIsAlwaysATemporaryRejectWhateverTheRulesSay() {
        RulePolicy lenient = new RulePolicy(List.of(new PolicyRule("*", PolicyRule.Scope.ALL,
                new PolicyRule.Decision(Action.DELIVER, Optional.empty(), Optional.empty()), false)), Map.of(Severity.CRITICAL, Action.DELIVER,
                Severity.HIGH, Action.DELIVER, Severity.MEDIUM, Action.DELIVER, Severity.LOW, Action.DELIVER,
                Severity.INFO, Action.DELIVER));
        for (RulePolicy policy : List.of(DEFAULTS, lenient)) {
            Verdict v = policy.decide(context(ItipMethod.REQUEST), List.of(
                    finding(FindingCode.MALFORMED, Severity.HIGH),
                    finding(FindingCode.GUARD_OVERLOADED, Severity.HIGH)));
            assertEquals(Action.REJECT, v.action());
            assertEquals("5.1;Service unavailable", v.requestStatus().toString());
        }
        assertEquals(Action.DELIVER, lenient.decide(context(ItipMethod.REQUEST),
                List.of(finding(FindingCode.MALFORMED, Severity.HIGH))).action());
    }

    @Test
    void theDefaultsNeverDeliverOrFlagStructuralOrRecurrenceFindings() {
        for (String code : List.of("malformed", "limits.size", "recurrence.unbounded", "recurrence.too-many",
                "recurrence.too-dense", "recurrence.overlapping", "recurrence.far-future", "recurrence.too-costly",
                "timezone.abusive")) {
            for (ItipMethod m : ItipMethod.values()) {
                for (Severity s : Severity.values()) {
                    Verdict v = DEFAULTS.decide(context(m), List.of(finding(new FindingCode(code), s)));
                    assertTrue(v.action().compareTo(Action.HOLD) >= 0, code + " " + m + " " + s + " -> "
                            + v.action());
                }
            }
        }
    }

    @Test
    void partyCrashIsHeldForTheOrganizer() {
        Verdict v = DEFAULTS.decide(context(ItipMethod.REPLY), List.of(finding(FindingCode.PARTY_CRASH,
                Severity.HIGH)));
        assertEquals(Action.HOLD, v.action());
        assertEquals(Optional.of(Approver.ORGANIZER), v.approver());
        assertEquals(RequestStatus.SUCCESS, v.requestStatus());
    }

    @Test
    void methodSpecificRulesComeFirst() {
        Finding notOrganizer = finding(FindingCode.SENDER_NOT_ORGANIZER, Severity.HIGH);
        Verdict cancel = DEFAULTS.decide(context(ItipMethod.CANCEL), List.of(notOrganizer));
        assertEquals(Action.REJECT, cancel.action());
        assertEquals("3.8;No authority", cancel.requestStatus().toString());
        Verdict request = DEFAULTS.decide(context(ItipMethod.REQUEST), List.of(notOrganizer));
        assertEquals(Action.HOLD, request.action());
        assertEquals(Optional.of(Approver.RECIPIENT), request.approver());
    }

    @Test
    void theMostSevereActionWinsAndItsFindingGivesTheStatus() {
        Finding url = finding(FindingCode.CONTENT_SUSPICIOUS_URL, Severity.MEDIUM);
        Finding crash = finding(FindingCode.PARTY_CRASH, Severity.HIGH);
        Finding rate = finding(FindingCode.RATE_LIMITED, Severity.MEDIUM);
        Verdict v = DEFAULTS.decide(context(ItipMethod.REPLY), List.of(url, crash, rate));
        assertEquals(Action.REJECT, v.action());
        assertEquals("5.1;Service unavailable", v.requestStatus().toString());
        assertEquals(3, v.findings().size());
        Verdict held = DEFAULTS.decide(context(ItipMethod.REPLY), List.of(url, crash));
        assertEquals(Action.HOLD, held.action());
        assertEquals(Optional.of(Approver.ORGANIZER), held.approver());
    }

    @Test
    void aRejectUsesTheChecksStatusUnlessTheRuleNamesOne() {
        Finding withHint = finding(FindingCode.MALFORMED, Severity.HIGH)
                .withRequestStatus(new RequestStatus("3.11", "Required component or property missing"));
        assertEquals("3.11", DEFAULTS.decide(context(ItipMethod.REQUEST), List.of(withHint)).requestStatus().code());
        Finding withoutHint = finding(FindingCode.MALFORMED, Severity.HIGH);
        assertEquals("3.8", DEFAULTS.decide(context(ItipMethod.REQUEST), List.of(withoutHint)).requestStatus().code());
    }

    @Test
    void unlistedCodesAreDecidedBySeverity() {
        FindingCode custom = new FindingCode("x-acme.vip-impersonation");
        assertEquals(Action.REJECT, DEFAULTS.decide(context(ItipMethod.REQUEST),
                List.of(finding(custom, Severity.CRITICAL))).action());
        assertEquals(Action.HOLD, DEFAULTS.decide(context(ItipMethod.REQUEST),
                List.of(finding(custom, Severity.HIGH))).action());
        assertEquals(Action.FLAG, DEFAULTS.decide(context(ItipMethod.REQUEST),
                List.of(finding(custom, Severity.LOW))).action());
        assertEquals(Action.DELIVER, DEFAULTS.decide(context(ItipMethod.REQUEST),
                List.of(finding(custom, Severity.INFO))).action());
    }

    private static PolicySettings settings(PolicyRuleSettings... rules) {
        return new PolicySettings(List.of(rules), Map.of("critical", "reject", "high", "hold", "medium", "flag",
                "low", "flag", "info", "deliver"));
    }

    private static PolicyRuleSettings rule(String code, List<String> methods, List<String> transports,
                                           List<String> recipients, String action) {
        return new PolicyRuleSettings(code, methods, transports, recipients, null, action, null, null, null);
    }

    @Test
    void rulesMatchOnTransportRecipientDomainAndWildcards() {
        RulePolicy p = RulePolicy.from(settings(
                rule("sender.*", List.of(), List.of("caldav"), List.of(), "deliver"),
                rule("*", List.of(), List.of(), List.of("@example.org"), "flag"),
                rule("sender.unknown", List.of(), List.of(), List.of("carol@example.net"), "reject")));
        Finding unknown = finding(FindingCode.SENDER_UNKNOWN, Severity.HIGH);
        DecisionContext caldav = new DecisionContext(Optional.of(ItipMethod.REQUEST), Optional.empty(),
                Transport.CALDAV, BOB);
        assertEquals(Action.DELIVER, p.decide(caldav, List.of(unknown)).action());
        assertEquals(Action.FLAG, p.decide(context(ItipMethod.REQUEST), List.of(unknown)).action());
        DecisionContext carol = new DecisionContext(Optional.of(ItipMethod.REQUEST), Optional.empty(),
                Transport.IMIP, CalendarUserAddress.of("MAILTO:carol@EXAMPLE.net"));
        assertEquals(Action.REJECT, p.decide(carol, List.of(unknown)).action());
    }

    @Test
    void invalidRulesAreRefusedWithTheirPosition() {
        ConfigException e = assertThrows(ConfigException.class, () -> RulePolicy.from(settings(
                rule("party-crash", List.of(), List.of(), List.of(), "hold"),
                rule("party-crash", List.of(), List.of(), List.of(), "quarantine"))));
        assertTrue(e.getMessage().startsWith("policy.rules[1]"), e.getMessage());
        assertThrows(ConfigException.class, () -> RulePolicy.from(settings(
                rule("Party Crash", List.of(), List.of(), List.of(), "hold"))));
        assertThrows(ConfigException.class, () -> RulePolicy.from(settings(
                rule("party-crash", List.of("INVITE"), List.of(), List.of(), "hold"))));
        assertThrows(ConfigException.class, () -> RulePolicy.from(settings(
                rule("party-crash", List.of(), List.of("smtp"), List.of(), "hold"))));
        assertThrows(ConfigException.class, () -> RulePolicy.from(settings(new PolicyRuleSettings(
                "party-crash", null, null, null, null, "flag", "organizer", null, null))));
        assertThrows(ConfigException.class, () -> RulePolicy.from(settings(new PolicyRuleSettings(
                "party-crash", null, null, null, null, "reject", null, "2.0;Success", null))));
        assertThrows(ConfigException.class, () -> RulePolicy.from(settings(new PolicyRuleSettings(
                "party-crash", null, null, null, List.of("severe"), "hold", null, null, null))));
        assertThrows(ConfigException.class, () -> RulePolicy.from(new PolicySettings(List.of(),
                Map.of("high", "hold"))));
    }

    @Test
    void aRuleCanNameTheSeveritiesItDecides() {
        RulePolicy p = RulePolicy.from(settings(
                new PolicyRuleSettings("sender.unauthenticated", null, null, null, List.of("low", "INFO"), "flag",
                        null, null, null),
                rule("sender.unauthenticated", List.of(), List.of(), List.of(), "hold")));
        assertEquals(Action.FLAG, p.decide(context(ItipMethod.REPLY),
                List.of(finding(FindingCode.SENDER_UNAUTHENTICATED, Severity.LOW))).action());
        assertEquals(Action.HOLD, p.decide(context(ItipMethod.REPLY),
                List.of(finding(FindingCode.SENDER_UNAUTHENTICATED, Severity.MEDIUM))).action());
    }

    @Test
    void aMonitoredRuleIsReportedButNotEnforced() {
        RulePolicy p = RulePolicy.from(settings(
                new PolicyRuleSettings("content.suspicious-url", null, null, null, null, "reject", null,
                        "3.8;No authority", true),
                rule("content.suspicious-url", List.of(), List.of(), List.of(), "flag")));
        Verdict v = p.decide(context(ItipMethod.REQUEST),
                List.of(finding(FindingCode.CONTENT_SUSPICIOUS_URL, Severity.MEDIUM)));
        assertEquals(Action.FLAG, v.action());
        assertEquals(RequestStatus.SUCCESS, v.requestStatus());
        assertEquals(Action.REJECT, v.monitored().orElseThrow().action());
        assertEquals("3.8;No authority", v.monitored().orElseThrow().requestStatus().toString());
        // a monitored rule that would change nothing leaves no trace
        assertEquals(Optional.empty(), p.decide(context(ItipMethod.REQUEST), List.of()).monitored());
        // and a verdict of an unmonitored policy never carries one
        assertEquals(Optional.empty(), DEFAULTS.decide(context(ItipMethod.REQUEST),
                List.of(finding(FindingCode.CONTENT_SUSPICIOUS_URL, Severity.MEDIUM))).monitored());
    }
}
