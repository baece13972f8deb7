package dev.inboxguard.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.AbstractModule;
import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import dev.inboxguard.Samples;
import dev.inboxguard.TestRecipient;
import dev.inboxguard.api.Action;
import dev.inboxguard.api.CaldavSubmission;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.Check;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.ImipDelivery;
import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.api.Severity;
import dev.inboxguard.api.Verdict;
import dev.inboxguard.checks.ItipStructureCheck;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.mime.HeaderTrust;
import dev.inboxguard.mime.ImipMessage;
import dev.inboxguard.mime.ImipMessageReader;
import dev.inboxguard.mime.ImipRead;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.fortuna.ical4j.model.Calendar;
import org.junit.jupiter.api.Test;

class GuardTest {
    static final CalendarUserAddress BOB = CalendarUserAddress.of("bob@example.com");
    static final CaldavSubmission ALICE = new CaldavSubmission("alice",
            Set.of(CalendarUserAddress.of("alice@example.com")));

    static final RecipientContext RECIPIENT = new TestRecipient(BOB, java.util.Map.of(), false, Clock.systemUTC());

    /** Records the order checks run in. */
    static final List<String> RAN = new ArrayList<>();

    static final class Recording implements Check {
        private final String name;
        private final boolean gate;
        private final boolean reports;

        Recording(String name, boolean gate, boolean reports) {
            this.name = name;
            this.gate = gate;
            this.reports = reports;
        }

        @Override
        public List<Finding> inspect(SchedulingMessage message, RecipientContext recipient) {
            RAN.add(name);
            return reports ? List.of(Finding.of(new FindingCode("x-test." + name), Severity.LOW, name)) : List.of();
        }

        @Override
        public boolean isGate() {
            return gate;
        }
    }

    private static Guard guard(GuardConfig config, AbstractModule extra) {
        return Guice.createInjector(new GuardModule(config), extra).getInstance(Guard.class);
    }

    @Test
    void aValidMessageIsDelivered() {
        Guard guard = Guice.createInjector(new GuardModule(ConfigFile.defaults())).getInstance(Guard.class);
        Verdict v = guard.inspect(Samples.request(), ALICE, RECIPIENT);
        assertEquals(Action.DELIVER, v.action());
        assertEquals("meeting-1@example.com", v.uid().orElseThrow());
    }

    @Test
    void checksRunByPositionWhateverTheOrderOfRegistration() {
        RAN.clear();
        Guard guard = guard(ConfigFile.defaults(), new AbstractModule() {
            @Override
            protected void configure() {
                bind(Recording.class).toInstance(new Recording("late", false, true));
                ChainLink.add(binder(), 900, Recording.class);
                ChainLink.add(binder(), 150, Early.class);
            }
        });
        Verdict v = guard.inspect(Samples.request(), ALICE, RECIPIENT);
        assertEquals(List.of("early", "late"), RAN);
        assertEquals(List.of("x-test.early", "x-test.late"),
                v.findings().stream().map(f -> f.code().value()).toList());
        assertEquals(Action.FLAG, v.action(), "low-severity unlisted codes are flagged");
    }

    static final class Early implements Check {
        private final Recording delegate = new Recording("early", false, true);

        @Override
        public List<Finding> inspect(SchedulingMessage message, RecipientContext recipient) {
            return delegate.inspect(message, recipient);
        }
    }

    @Test
    void aGateThatReportsEndsTheChain() {
        RAN.clear();
        Guard guard = guard(ConfigFile.defaults(), new AbstractModule() {
            @Override
            protected void configure() {
                ChainLink.add(binder(), 900, Early.class);
            }
        });
        byte[] broken = new String(Samples.request(), StandardCharsets.UTF_8).replace("DTSTAMP:", "X-DTSTAMP:")
                .getBytes(StandardCharsets.UTF_8);
        Verdict v = guard.inspect(broken, ALICE, RECIPIENT);
        assertEquals(Action.REJECT, v.action());
        assertEquals(List.of(), RAN, "the structure gate stopped the chain");
        assertEquals("3.11;Required component or property missing", v.requestStatus().toString());
    }

    @Test
    void aFailingCheckIsATemporaryFailureNotAJudgementOfTheMessage() {
        dev.inboxguard.metrics.ServerMeters meters = dev.inboxguard.metrics.ServerMeters.prometheus();
        Injector injector = Guice.createInjector(new GuardModule(ConfigFile.defaults(),
                new dev.inboxguard.ratelimit.TokenBuckets(dev.inboxguard.ratelimit.TokenBuckets.DEFAULT_KEYS), meters),
                new AbstractModule() {
                    @Override
                    protected void configure() {
                        ChainLink.add(binder(), 900, Exploding.class);
                    }
                });
        Guard guard = injector.getInstance(Guard.class);
        Verdict v = guard.inspect(Samples.request(), ALICE, RECIPIENT);
        guard.inspect(Samples.request(), ALICE, RECIPIENT);
        assertEquals(2.0, meters.checkFailures("Exploding").count(), "counted by check name");
        assertEquals(Action.REJECT, v.action());
        assertEquals("5.1;Service unavailable", v.requestStatus().toString(), "the sender retries");
        Finding fault = v.findings().get(v.findings().size() - 1);
        assertEquals("guard.overloaded", fault.code().value());
        assertTrue(fault.message().contains("Exploding"));
        assertFalse(fault.message().contains("boom"), "no internal exception text reaches the sender");
        assertTrue(v.findings().stream().noneMatch(f -> f.code().value().equals("malformed")));
    }

    private static Verdict twoParts(String judged, String attached) {
        String mail = "From: alice@example.com\r\nTo: bob@example.com\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/calendar; method=REQUEST\r\n\r\n" + judged + "\r\n"
                + "--b\r\nContent-Type: application/octet-stream; name=invite.ics\r\n\r\n" + attached + "\r\n"
                + "--b--\r\n";
        ImipMessage parsed = ((ImipRead.Extracted) new ImipMessageReader(Samples.limits(), HeaderTrust.NONE)
                .read(mail.getBytes(StandardCharsets.UTF_8))).message();
        CalendarUserAddress alice = CalendarUserAddress.of("alice@example.com");
        ImipDelivery facts = new ImipDelivery(Optional.of(alice), Optional.of(alice), Optional.empty(), List.of(),
                Optional.empty(), Set.of("example.com"), List.of());
        Guard guard = guard(ConfigFile.defaults(), new AbstractModule() {
            @Override
            protected void configure() {
            }
        });
        return guard.inspectEmail(parsed, facts, new TestRecipient(BOB, java.util.Map.of(), true,
                Clock.systemUTC()));
    }

    @Test
    void calendarPartsThatDisagreeAreHeldWithWhatDiffers() {
        String request = new String(Samples.request(), StandardCharsets.UTF_8);
        Verdict same = twoParts(request, request);
        assertTrue(same.findings().stream().noneMatch(f -> f.code().equals(FindingCode.MESSAGE_CONFLICTING_PARTS)),
                same.findings().toString());
        Verdict cancel = twoParts(request, request.replace("METHOD:REQUEST", "METHOD:CANCEL"));
        Finding f = cancel.findings().stream().filter(x -> x.code().equals(FindingCode.MESSAGE_CONFLICTING_PARTS))
                .findFirst().orElseThrow(() -> new AssertionError(cancel.findings().toString()));
        assertTrue(f.message().contains("METHOD REQUEST against CANCEL"), f.message());
        assertTrue(f.message().contains("invite.ics"), f.message());
        assertTrue(cancel.action().compareTo(Action.HOLD) >= 0, cancel.action().toString());
        Verdict organizer = twoParts(request, request.replace("ORGANIZER;CN=Alice:mailto:alice@example.com",
                "ORGANIZER:mailto:mallory@example.net"));
        assertTrue(organizer.findings().stream().anyMatch(x -> x.message().contains("ORGANIZER")),
                organizer.findings().toString());
        assertTrue(organizer.action().compareTo(Action.HOLD) >= 0);
        Verdict rule = twoParts(request, request.replace("DTEND:", "RRULE:FREQ=DAILY\r\nDTEND:"));
        assertTrue(rule.findings().stream().anyMatch(x -> x.message().contains("RRULE")), rule.findings().toString());
        Verdict unreadable = twoParts(request, "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n");
        assertTrue(unreadable.findings().stream().anyMatch(x -> x.code().equals(
                FindingCode.MESSAGE_CONFLICTING_PARTS)), unreadable.findings().toString());
        // the same object refolded, with its properties in another order, still agrees
        Verdict reordered = twoParts(request, request.replace("SEQUENCE:0\r\n", "")
                .replace("DTSTAMP:20261120T100000Z", "DTSTAMP:20261120T100500Z")
                .replace("ORGANIZER;CN=Alice:mailto:alice@example.com", "ORGANIZER;CN=Alice:MAILTO:alice@example.com"));
        // what the judged part does not carry counts as much as what it does: an alarm, a link
        Verdict alarm = twoParts(request, request.replace("END:VEVENT", "BEGIN:VALARM\r\nACTION:DISPLAY\r\n"
                + "DESCRIPTION:x\r\nTRIGGER:-PT5M\r\nREPEAT:100000000\r\nDURATION:PT1S\r\nEND:VALARM\r\nEND:VEVENT"));
        assertTrue(alarm.findings().stream().anyMatch(x -> x.message().contains("VALARM")), alarm.findings().toString());
        Verdict link = twoParts(request, request.replace("SUMMARY:Planning", "SUMMARY:Planning\r\n"
                + "URL:https://login.example.net/"));
        assertTrue(link.findings().stream().anyMatch(x -> x.message().contains("URL")), link.findings().toString());
        Verdict twice = twoParts(request, request.replace("END:VCALENDAR", request.substring(request.indexOf(
                "BEGIN:VEVENT"), request.indexOf("END:VCALENDAR")).replace("mailto:alice@", "mailto:mallory@")
                + "END:VCALENDAR"));
        assertTrue(twice.findings().stream().anyMatch(x -> x.message().contains("twice")), twice.findings().toString());
        assertTrue(reordered.findings().stream().noneMatch(x -> x.code().equals(
                FindingCode.MESSAGE_CONFLICTING_PARTS)), reordered.findings().toString());
    }

    static final class Exploding implements Check {
        @Override
        public List<Finding> inspect(SchedulingMessage message, RecipientContext recipient) {
            throw new IllegalStateException("boom");
        }
    }

    static final class MissingClass implements Check {
        @Override
        public List<Finding> inspect(SchedulingMessage message, RecipientContext recipient) {
            throw new NoClassDefFoundError("com/example/Gone");
        }
    }

    @Test
    void aCheckWhoseClassesAreMissingFailsTheMessageNotTheGuard() {
        Verdict v = lastInChain(MissingClass.class).inspect(Samples.request(), ALICE, RECIPIENT);
        assertEquals(Action.REJECT, v.action());
        assertTrue(v.findings().get(0).message().contains("MissingClass"));
    }

    /** Reports what SenderCheck reports for an authentication lookup that timed out: come back later. */
    static final class LookupTimedOut implements Check {
        @Override
        public List<Finding> inspect(SchedulingMessage message, RecipientContext recipient) {
            return List.of(Finding.of(FindingCode.GUARD_OVERLOADED, Severity.HIGH, "the lookup timed out")
                    .withRequestStatus(dev.inboxguard.api.RequestStatus.SERVICE_UNAVAILABLE));
        }
    }

    @Test
    void onlyATemporaryConditionIsARefusalForNowNotACheckThatFailed() {
        // a refusal for now gives back the rate limits' counts (SchedulingInbox); a check's fault would recur with
        // the same message, whose retries must still count
        Guard.Screening forNow = lastInChain(LookupTimedOut.class).screen(Samples.request(), ALICE, RECIPIENT);
        Guard.Screening fault = lastInChain(Exploding.class).screen(Samples.request(), ALICE, RECIPIENT);
        assertEquals(Action.REJECT, forNow.verdict().action());
        assertEquals(Action.REJECT, fault.verdict().action());
        assertTrue(fault.verdict().findings().stream().anyMatch(f -> f.code().equals(FindingCode.GUARD_OVERLOADED)));
        assertTrue(forNow.refusedForNow(), forNow.verdict().findings().toString());
        assertFalse(fault.refusedForNow(), fault.verdict().findings().toString());
        assertFalse(Guice.createInjector(new GuardModule(ConfigFile.defaults())).getInstance(Guard.class)
                .screen(Samples.request(), ALICE, RECIPIENT).refusedForNow(), "a verdict");
    }

    /** @return the built-in guard with one more check, at the chain's end */
    private static Guard lastInChain(Class<? extends Check> check) {
        return guard(ConfigFile.defaults(), new AbstractModule() {
            @Override
            protected void configure() {
                ChainLink.add(binder(), 900, check);
            }
        });
    }

    @Test
    void unreadableInputIsAVerdictToo() {
        Guard guard = Guice.createInjector(new GuardModule(ConfigFile.defaults())).getInstance(Guard.class);
        Verdict v = guard.inspect("garbage".getBytes(StandardCharsets.UTF_8), ALICE, RECIPIENT);
        assertEquals(Action.REJECT, v.action());
        assertEquals("malformed", v.findings().get(0).code().value());
        assertEquals(Optional.empty(), v.method());
    }

    @Test
    void theBuiltInChainHasEachCheckAtItsPlaceWiredByHandAndByGuice() {
        GuardConfig config = ConfigFile.defaults();
        GuardParts parts = new GuardParts(config, new dev.inboxguard.ratelimit.TokenBuckets(
                dev.inboxguard.ratelimit.TokenBuckets.DEFAULT_KEYS), dev.inboxguard.metrics.ServerMeters.none());
        // the chain as GuardModule built it with Guice before GuardParts existed, check by check
        List<String> expected = List.of("50 RateLimitCheck", "100 ItipStructureCheck", "200 RecurrenceCheck",
                "300 StoredCopyCheck", "310 PartyCrashCheck", "320 DelegationCheck", "330 SenderCheck",
                "340 UnknownSenderCheck", "350 BlockedSenderCheck", "400 SuspiciousLinkCheck", "410 AlarmCheck",
                "420 CallbackScamCheck");
        assertEquals(expected, parts.builtInChecks().stream().sorted(java.util.Comparator.comparingInt(
                ChainLink::position)).map(l -> l.position() + " " + l.check().getClass().getSimpleName()).toList());
        Injector injector = Guice.createInjector(new GuardModule(config));
        assertEquals(expected.stream().map(e -> e.substring(e.indexOf(' ') + 1)).toList(),
                injector.getInstance(CheckChain.class).checks().stream().map(c -> c.getClass().getSimpleName())
                        .toList());
        // an operator's module may inject a built-in check, and gets the one the chain runs
        Check recurrence = injector.getInstance(CheckChain.class).checks().get(2);
        assertTrue(recurrence == injector.getInstance(dev.inboxguard.checks.recurrence.RecurrenceCheck.class));
        // and both guards judge alike
        Guard byGuice = injector.getInstance(Guard.class);
        Guard byHand = parts.guard(List.of());
        String request = new String(Samples.request(), StandardCharsets.UTF_8);
        for (String message : List.of(request, request.replace("SUMMARY:Planning",
                "SUMMARY:Call +1 555 0100 to keep your account").replace("END:VEVENT",
                "BEGIN:VALARM\r\nACTION:PROCEDURE\r\nTRIGGER:-PT5M\r\nATTACH:file:///bin/sh\r\nEND:VALARM\r\n"
                        + "END:VEVENT"), request.replace("ORGANIZER", "X-ORGANIZER"), "garbage")) {
            byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
            assertEquals(byGuice.inspect(bytes, ALICE, RECIPIENT), byHand.inspect(bytes, ALICE, RECIPIENT), message);
        }
    }

    @Test
    void anOperatorAddsACheckByNamingItsModuleInTheConfig() {
        GuardConfig base = ConfigFile.defaults();
        GuardConfig config = base.withChecks(
                new GuardConfig.Checks(List.of(UrgentWireTransferModule.class.getName()), List.of()));
        Injector injector = Guice.createInjector(new GuardModule(config));
        List<Check> checks = injector.getInstance(CheckChain.class).checks();
        List<Class<?>> order = checks.stream().<Class<?>>map(Object::getClass).toList();
        // the module placed its check at 350: after the structure (100) and identity (300) checks, before content
        assertTrue(order.indexOf(ItipStructureCheck.class) < order.indexOf(
                UrgentWireTransferModule.UrgentWireTransferCheck.class), order.toString());
        assertTrue(order.indexOf(UrgentWireTransferModule.UrgentWireTransferCheck.class) < order.indexOf(
                dev.inboxguard.checks.content.SuspiciousLinkCheck.class), order.toString());
        byte[] scam = new String(Samples.request(), StandardCharsets.UTF_8)
                .replace("SUMMARY:Planning", "SUMMARY:Urgent wire transfer needed").getBytes(StandardCharsets.UTF_8);
        Verdict v = injector.getInstance(Guard.class).inspect(scam, ALICE, RECIPIENT);
        assertEquals(Action.REJECT, v.action(), "critical unlisted findings are rejected");
        assertEquals("x-acme.urgent-payment", v.findings().get(0).code().value());
    }

    @Test
    void aModuleThatDoesNotExistIsAConfigurationError() {
        GuardConfig base = ConfigFile.defaults();
        GuardConfig config = base.withChecks(new GuardConfig.Checks(List.of("com.example.Missing"), List.of()));
        CreationException e = assertThrows(CreationException.class,
                () -> Guice.createInjector(new GuardModule(config)));
        assertTrue(e.getMessage().contains("com.example.Missing"));
    }
}
