package dev.inboxguard.checks.recurrence;

import java.time.Duration;

/**
 * The limits of the recurrence check. Defaults and reasons are in {@code docs/policy.md}.
 *
 * @param maxCount               largest COUNT accepted
 * @param maxRdates              RDATE values per component
 * @param maxOverrides           overridden instances (RECURRENCE-ID components) per series
 * @param maxInstances           instances within the horizon
 * @param maxInstancesPerDay     instances starting on one day
 * @param maxOverlaps            instances that may overlap the next one
 * @param horizonDays            how far ahead instances are evaluated
 * @param farFutureDays          a series whose first instance lies further ahead is a sleeper
 * @param maxCandidatesPerPeriod BYxxx candidates one period of a rule may produce before they are filtered
 * @param timeBudgetMillis       wall-clock budget for evaluating one message
 * @param maxTimezoneObservances STANDARD and DAYLIGHT components per VTIMEZONE
 * @param maxTimezoneRdates      RDATE values per VTIMEZONE
 */
public record RecurrenceLimits(int maxCount, int maxRdates, int maxOverrides, int maxInstances,
                               int maxInstancesPerDay, int maxOverlaps, int horizonDays, int farFutureDays,
                               int maxCandidatesPerPeriod, int timeBudgetMillis, int maxTimezoneObservances,
                               int maxTimezoneRdates) {

    /** Every limit must be positive (maxOverlaps may be zero). */
    public RecurrenceLimits {
        positive("maxCount", maxCount);
        positive("maxRdates", maxRdates);
        positive("maxOverrides", maxOverrides);
        positive("maxInstances", maxInstances);
        positive("maxInstancesPerDay", maxInstancesPerDay);
        if (maxOverlaps < 0) {
            throw new IllegalArgumentException("recurrence.maxOverlaps must not be negative");
        }
        positive("horizonDays", horizonDays);
        positive("farFutureDays", farFutureDays);
        positive("maxCandidatesPerPeriod", maxCandidatesPerPeriod);
        positive("timeBudgetMillis", timeBudgetMillis);
        positive("maxTimezoneObservances", maxTimezoneObservances);
        positive("maxTimezoneRdates", maxTimezoneRdates);
    }

    /** @return the time budget as a duration */
    public Duration timeBudget() {
        return Duration.ofMillis(timeBudgetMillis);
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("recurrence." + name + " must be positive, got " + value);
        }
    }
}
