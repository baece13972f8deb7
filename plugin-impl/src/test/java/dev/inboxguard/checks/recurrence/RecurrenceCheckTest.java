package dev.inboxguard.checks.recurrence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import dev.inboxguard.TestRecipient;
import dev.inboxguard.api.Action;
import dev.inboxguard.api.CaldavSubmission;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.api.Verdict;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.engine.Guard;
import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.engine.GuardModule;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.component.CalendarComponent;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class RecurrenceCheckTest {
    static final Guard GUARD = Guice.createInjector(new GuardModule(dev.inboxguard.Samples.unlimited()))
            .getInstance(Guard.class);
    static final CaldavSubmission ALICE = new CaldavSubmission("alice",
            Set.of(CalendarUserAddress.of("alice@example.com")));
    static final RecipientContext BOB = recipient(Clock.fixed(Instant.parse(RecurrenceCorpus.NOW), ZoneOffset.UTC));

    static RecipientContext recipient(Clock clock) {
        return TestRecipient.of("bob@example.com", clock);
    }

    static Verdict verdict(byte[] ics) {
        return GUARD.inspect(ics, ALICE, BOB);
    }

    private static Set<String> codes(Verdict v) {
        return v.findings().stream().map(f -> f.code().value()).collect(Collectors.toSet());
    }

    @Test
    void theCorpusHasThirtyOfEach() {
        List<RecurrenceCorpus.Case> all = RecurrenceCorpus.all();
        assertTrue(all.stream().filter(RecurrenceCorpus.Case::legitimate).count() >= 30);
        assertTrue(all.stream().filter(c -> !c.legitimate()).count() >= 30);
    }

    @TestFactory
    Stream<DynamicTest> noLegitimateSeriesGetsARecurrenceFinding() {
        return RecurrenceCorpus.all().stream().filter(RecurrenceCorpus.Case::legitimate)
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
                    Verdict v = verdict(c.ics());
                    assertEquals(List.of(), v.findings(), c.name());
                    assertEquals(Action.DELIVER, v.action());
                }));
    }

    @TestFactory
    Stream<DynamicTest> noAbusiveSeriesIsDelivered() {
        return RecurrenceCorpus.all().stream().filter(c -> !c.legitimate())
                .map(c -> DynamicTest.dynamicTest(c.name(), () -> {
                    Verdict v = verdict(c.ics());
                    assertTrue(codes(v).containsAll(c.expected()), c.name() + ": expected " + c.expected()
                            + ", got " + v.findings());
                    assertTrue(v.action() == Action.HOLD || v.action() == Action.REJECT, c.name() + ": "
                            + v.action());
                    for (Finding f : v.findings()) {
                        assertFalse(f.message().isBlank());
                    }
                }));
    }

    @Test
    void messagesSayWhatTheSeriesDoes() {
        Verdict v = verdict(RecurrenceCorpus.all().stream()
                .filter(c -> c.name().equals("a 5-minute event every minute, forever")).findFirst().orElseThrow()
                .ics());
        Finding unbounded = v.findings().stream().filter(f -> f.code().value().equals("recurrence.unbounded"))
                .findFirst().orElseThrow();
        assertEquals("a new 5-minute event every minute, forever", unbounded.message());
        assertEquals("3.6;Invalid rule", v.requestStatus().toString());
        Verdict sleeper = verdict(RecurrenceCorpus.all().stream()
                .filter(c -> c.name().equals("a single sleeper ten years ahead")).findFirst().orElseThrow().ics());
        assertEquals(Action.HOLD, sleeper.action());
        assertTrue(sleeper.findings().get(0).message().contains("2036-11-20"), sleeper.findings().toString());
    }

    @Test
    void instancesAreCountedInWallClockTimeWithoutResolvingZones() {
        assertEquals(Optional.of(new LocalMoment(LocalDateTime.of(2026, 11, 23, 10, 0), false)),
                LocalMoment.parse("20261123T100000Z"));
        assertEquals(Optional.of(new LocalMoment(LocalDateTime.of(2026, 11, 23, 0, 0), true)),
                LocalMoment.parse("20261123"));
        assertEquals(Optional.empty(), LocalMoment.parse("2026-11-23"));
        assertEquals(Optional.empty(), LocalMoment.parse("20261399"));
        assertEquals(Optional.of(Duration.ofMinutes(90)), LocalMoment.parseDuration("PT1H30M"));
        assertEquals(Optional.of(Duration.ofDays(15)), LocalMoment.parseDuration("P2W1D"));
        assertEquals(Optional.of(Duration.ofMinutes(-15)), LocalMoment.parseDuration("-PT15M"));
        assertEquals(Optional.empty(), LocalMoment.parseDuration("P"));
        assertEquals(Optional.empty(), LocalMoment.parseDuration("1 hour"));
    }

    @Test
    void ruleShapesBoundTheWorkOfOnePeriod() {
        assertEquals(1, shape("FREQ=WEEKLY").candidatesPerPeriod());
        assertEquals(7, shape("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR").candidatesPerPeriod(), "a week's days");
        assertEquals(31, shape("FREQ=MONTHLY;BYDAY=-1FR").candidatesPerPeriod(), "a month's days");
        assertEquals(3, shape("FREQ=DAILY;BYHOUR=8,14,20").candidatesPerPeriod());
        assertEquals(1, shape("FREQ=HOURLY;BYHOUR=8,14,20").candidatesPerPeriod(), "BYHOUR limits HOURLY");
        assertEquals(366 * 24 * 12, shape("FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;BYMONTHDAY="
                + "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28;BYHOUR=0,1,2,3,4,5,6,7,"
                + "8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,5,10,15,20,25,30,35,40,45,50,55")
                .candidatesPerPeriod());
        assertTrue(shape("FREQ=MINUTELY").isForever());
        assertFalse(shape("FREQ=MINUTELY;COUNT=3").isForever());
        assertEquals(Optional.empty(), RecurrenceRule.parse("INTERVAL=2"));
        assertEquals(Optional.empty(), RecurrenceRule.parse("FREQ=FORTNIGHTLY"));
        assertEquals(Optional.empty(), RecurrenceRule.parse("FREQ=DAILY;INTERVAL=0"));
    }

    private static RecurrenceRule shape(String rule) {
        return RecurrenceRule.parse(rule).orElseThrow();
    }

    @Test
    void theWorkBudgetStopsTheIteratorAtTheSameStepEveryTime() {
        // a rule that never matches walks empty periods, one step each; 1,000 steps stop it after 1,000 periods,
        // however fast or slow the machine is
        for (int run = 0; run < 3; run++) {
            WorkBudget budget = new WorkBudget(1000, Duration.ofSeconds(60));
            RuleIterator never = new RuleIterator(shape("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"),
                    java.time.LocalDateTime.of(2026, 1, 1, 9, 0), false,
                    java.time.LocalDateTime.of(2026, 1, 1, 9, 0), java.time.LocalDateTime.of(2300, 1, 1, 0, 0),
                    budget);
            assertThrows(WorkBudget.Exhausted.class, never::hasNext);
            assertEquals(1001, budget.spent());
        }
        assertFalse(new WorkBudget(10, Duration.ofSeconds(10)).exhausted());
    }

    @Test
    void everyLegitimateSeriesFitsATenthOfTheDefaultWorkBudget() {
        // the smallest budget under which no legitimate message is too costly, found by bisection; the default
        // keeps ten times that, so a real series never meets it on any machine
        RecurrenceLimits d = ConfigFile.defaults().recurrence();
        CalendarReader reader = new CalendarReader(ConfigFile.defaults().limits());
        List<SchedulingMessage> legitimate = RecurrenceCorpus.all().stream().filter(RecurrenceCorpus.Case::legitimate)
                .map(c -> new SchedulingMessage(((CalendarRead.Parsed) reader.read(c.ics())).calendar(), c.ics(),
                        CalendarUserAddress.of("bob@example.com"), ALICE)).toList();
        int low = 1;
        int high = d.maxSteps();
        while (low < high) {
            int mid = low + (high - low) / 2;
            RecurrenceCheck check = new RecurrenceCheck(new RecurrenceLimits(d.maxCount(), d.maxRdates(),
                    d.maxOverrides(), d.maxInstances(), d.maxInstancesPerDay(), d.maxOverlaps(), d.horizonDays(),
                    d.farFutureDays(), d.maxCandidatesPerPeriod(), mid, d.safetyNetMillis(),
                    d.maxTimezoneObservances(), d.maxTimezoneRdates()));
            boolean fits = legitimate.stream().allMatch(m -> check.inspect(m, BOB).isEmpty());
            if (fits) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        System.out.printf("[work budget] the costliest legitimate series needs %,d steps; the default is %,d%n",
                low, d.maxSteps());
        assertTrue(low * 10L <= d.maxSteps(), low + " steps");
    }

    @Test
    void onlyGregorianRulesThatNameNoRealDayCanNeverMatch() {
        assertTrue(shape("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30").canNeverMatch());
        assertTrue(shape("FREQ=MONTHLY;BYMONTH=4,6;BYMONTHDAY=31,-31").canNeverMatch());
        assertFalse(shape("FREQ=MONTHLY;BYMONTHDAY=31").canNeverMatch(), "months with 31 days exist");
        assertFalse(shape("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29").canNeverMatch(), "leap years");
        assertFalse(shape("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-29").canNeverMatch());
        // RFC 7529: the Chinese calendar's second month can have a 30th day
        assertFalse(shape("RSCALE=CHINESE;FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30").canNeverMatch());
        assertFalse(shape("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;RSCALE=GREGORIAN;SKIP=BACKWARD").canNeverMatch());
    }

    @Test
    void datesTheLimitsFilterOutAreChargedToo() {
        // every weekday of February to December is built and filtered out by BYMONTH=1: each costs a step
        WorkBudget budget = new WorkBudget(Long.MAX_VALUE, Duration.ofSeconds(60));
        RuleIterator it = new RuleIterator(shape("FREQ=MONTHLY;BYMONTH=1;BYDAY=MO,TU,WE,TH,FR,SA,SU"),
                java.time.LocalDateTime.of(2026, 2, 1, 9, 0), false, java.time.LocalDateTime.of(2026, 2, 1, 9, 0),
                java.time.LocalDateTime.of(2028, 1, 1, 0, 0), budget);
        assertEquals(java.time.LocalDateTime.of(2027, 1, 1, 9, 0), it.next());
        assertTrue(budget.spent() >= 334, budget.spent() + " steps for 334 days built");
    }

    @Test
    void theSafetyNetIsAFaultNotAJudgement() {
        // a net of zero fires at the first clock reading, which comes after 256 steps; the check lets it escape,
        // so the chain answers guard.overloaded instead of a finding about the rule
        WorkBudget budget = new WorkBudget(Long.MAX_VALUE, Duration.ZERO);
        RuleIterator never = new RuleIterator(shape("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"),
                java.time.LocalDateTime.of(2026, 1, 1, 9, 0), false, java.time.LocalDateTime.of(2026, 1, 1, 9, 0),
                java.time.LocalDateTime.of(2300, 1, 1, 0, 0), budget);
        assertThrows(WorkBudget.SafetyNetTripped.class, never::hasNext);
    }

    @Test
    void everyLegitimateRecurringSeriesIsReallyExpanded() {
        // with room for one instance only, any series that the expansion really walks is "too many"
        RecurrenceCheck check = new RecurrenceCheck(new RecurrenceLimits(3000, 1000, 500, 1, 24, 3, 730, 730,
                2000, 1_000_000, 10_000, 500, 2000));
        CalendarReader reader = new CalendarReader(ConfigFile.defaults().limits());
        int recurring = 0;
        for (RecurrenceCorpus.Case c : RecurrenceCorpus.all()) {
            if (!c.legitimate()) {
                continue;
            }
            Calendar calendar = ((CalendarRead.Parsed) reader.read(c.ics())).calendar();
            boolean recurs = calendar.<CalendarComponent>getComponents().stream()
                    .filter(x -> !x.getName().equals("VTIMEZONE"))
                    .anyMatch(x -> x.getProperty("RRULE").isPresent() || x.getProperty("RDATE").isPresent());
            if (!c.legitimate() || !recurs) {
                continue;
            }
            recurring++;
            SchedulingMessage message = new SchedulingMessage(calendar, c.ics(),
                    CalendarUserAddress.of("bob@example.com"), ALICE);
            Set<String> found = check.inspect(message, BOB).stream().map(f -> f.code().value())
                    .collect(Collectors.toSet());
            assertTrue(found.contains("recurrence.too-many"), c.name() + ": " + found);
        }
        assertTrue(recurring >= 25, "recurring legitimate cases: " + recurring);
    }
}
