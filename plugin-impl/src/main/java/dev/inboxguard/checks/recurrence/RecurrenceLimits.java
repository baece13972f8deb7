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
 * @param maxSteps               work allowed for evaluating one message: rule periods examined plus candidate
 *                               instances built; running out is {@code recurrence.too-costly} on any machine
 * @param safetyNetMillis        wall-clock time after which an evaluation is abandoned as the guard's fault
 *                               ({@code guard.overloaded}, a temporary failure); only a bug should reach it
 * @param maxTimezoneObservances STANDARD and DAYLIGHT components per VTIMEZONE
 * @param maxTimezoneRdates      RDATE values per VTIMEZONE
 */
public record RecurrenceLimits(int maxCount, int maxRdates, int maxOverrides, int maxInstances,
                               int maxInstancesPerDay, int maxOverlaps, int horizonDays, int farFutureDays,
                               int maxCandidatesPerPeriod, int maxSteps, int safetyNetMillis, int maxTimezoneObservances,
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
        positive("maxSteps", maxSteps);
        positive("safetyNetMillis", safetyNetMillis);
        positive("maxTimezoneObservances", maxTimezoneObservances);
        positive("maxTimezoneRdates", maxTimezoneRdates);
    }

    /** @return the safety net as a duration */
    public Duration safetyNet() {
        return Duration.ofMillis(safetyNetMillis);
    }

    private static void positive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("recurrence." + name + " must be positive, got " + value);
        }
    }
}
