package dev.inboxguard.checks.recurrence;

import java.time.Duration;

/**
 * A wall-clock budget for evaluating one message, checked cooperatively: between instances by the expansion and
 * once per period inside {@link RuleIterator}, whose periods are each bounded in work. Nothing interrupts the
 * thread. An interrupt used to stop long steps, but it also broke whatever else the thread was doing at that
 * moment, such as ical4j loading a time zone's rules, and a sound message then failed on a slow machine.
 */
final class EvaluationBudget {
    private final long deadline;

    /** Starts the clock. */
    EvaluationBudget(Duration budget) {
        this.deadline = System.nanoTime() + budget.toNanos();
    }

    /** A budget that never runs out, for callers that bound the work otherwise (tests). */
    static EvaluationBudget unlimited() {
        return new EvaluationBudget(Duration.ofDays(365));
    }

    /** @return true once the budget is spent */
    boolean exhausted() {
        return System.nanoTime() - deadline > 0;
    }
}
