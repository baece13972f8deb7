package dev.inboxguard.checks.recurrence;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.Optional;

/**
 * The recurrence iterator on arbitrary rules, seeds and windows: within the work budget it only ever yields
 * instances in order, inside the window, not before the seed, and stops by running out of rule or of steps,
 * never by an exception of its own or by running longer than its work explains. Seeds:
 * {@code RuleIteratorFuzzTestInputs}.
 */
class RuleIteratorFuzzTest {
    private static final LocalDateTime EPOCH = LocalDateTime.of(1900, 1, 1, 0, 0);

    @FuzzTest(maxDuration = "20s")
    void instancesComeInOrderInsideTheWindowWithinTheBudget(FuzzedDataProvider data) {
        LocalDateTime seed = EPOCH.plusSeconds(data.consumeLong(0, 200L * 365 * 86_400));
        LocalDateTime from = EPOCH.plusSeconds(data.consumeLong(0, 200L * 365 * 86_400));
        LocalDateTime to = from.plusSeconds(data.consumeLong(0, 5L * 365 * 86_400));
        boolean dateOnly = data.consumeBoolean();
        Optional<RecurrenceRule> rule = RecurrenceRule.parse(data.consumeRemainingAsString());
        if (rule.isEmpty() || rule.get().candidatesPerPeriod() > 2000) {
            return; // the check refuses these on their face, before any expansion
        }
        LocalDateTime start = dateOnly ? seed.toLocalDate().atStartOfDay() : seed;
        WorkBudget budget = new WorkBudget(200_000, Duration.ofSeconds(30));
        RuleIterator it = new RuleIterator(rule.get(), start, dateOnly, from, to, budget);
        LocalDateTime previous = null;
        try {
            while (it.hasNext()) {
                LocalDateTime t = it.next();
                assertTrue(!t.isBefore(start) && !t.isBefore(from) && !t.isAfter(to), t + " outside the window");
                assertTrue(previous == null || t.isAfter(previous), t + " after " + previous);
                previous = t;
            }
        } catch (WorkBudget.Exhausted e) {
            assertTrue(budget.exhausted());
        }
    }
}
