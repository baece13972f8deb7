package dev.inboxguard.checks.recurrence;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Expands one series inside a window, lazily and within budgets: never more than {@code maxInstances + 1}
 * instances, never past the work budget, never a rule whose shape makes one step too expensive. The caller checks
 * shapes (COUNT, candidates per period) before calling.
 */
final class SeriesExpansion {

    /** One occurrence: where it starts and how long it lasts, in wall-clock time. */
    record Instance(LocalDateTime start, Duration duration) {
        LocalDateTime end() {
            return start.plus(duration);
        }
    }

    /**
     * @param instances the instances found, in start order
     * @param truncated true if there were more than the limit (the list then holds one more than the limit)
     * @param costly    why the expansion stopped early, if it did
     */
    record Result(List<Instance> instances, boolean truncated, Optional<String> costly) {
    }

    private static final String OUT_OF_WORK = "evaluating it costs more than the work budget allows";

    private SeriesExpansion() {
    }

    /**
     * @param start       DTSTART
     * @param duration    the duration of each instance
     * @param rules       the RRULEs
     * @param rdates      RDATE values, each with its own duration
     * @param exdates     EXDATE values
     * @param overrides   changed instances: RECURRENCE-ID to the instance that replaces it
     * @param windowStart first moment evaluated
     * @param windowEnd   last moment evaluated
     * @param maxInstances the most instances wanted
     * @param budget      the work budget, shared by everything one message evaluates
     * @return what was found
     */
    static Result expand(LocalMoment start, Duration duration, List<RecurrenceRule> rules, List<Instance> rdates,
                         Set<LocalDateTime> exdates, TreeMap<LocalDateTime, Instance> overrides,
                         LocalDateTime windowStart, LocalDateTime windowEnd, int maxInstances,
                         WorkBudget budget) {
        TreeMap<LocalDateTime, Instance> found = new TreeMap<>();
        put(found, new Instance(start.time(), duration), exdates, overrides);
        for (Instance rdate : rdates) {
            put(found, rdate, exdates, overrides);
        }
        for (RecurrenceRule rule : rules) {
            try {
                RuleIterator dates = new RuleIterator(rule, start.time(), start.date(), windowStart, windowEnd,
                        budget);
                while (dates.hasNext()) {
                    put(found, new Instance(dates.next(), duration), exdates, overrides);
                    if (found.size() > maxInstances) {
                        return new Result(List.copyOf(found.values()), true, Optional.empty());
                    }
                }
            } catch (WorkBudget.Exhausted e) {
                return new Result(List.copyOf(found.values()), false, Optional.of(OUT_OF_WORK));
            }
        }
        for (Instance moved : overrides.values()) {
            found.putIfAbsent(moved.start(), moved);
            if (found.size() > maxInstances) {
                return new Result(List.copyOf(found.values()), true, Optional.empty());
            }
        }
        return new Result(List.copyOf(found.values()), found.size() > maxInstances, Optional.empty());
    }

    private static void put(TreeMap<LocalDateTime, Instance> found, Instance instance, Set<LocalDateTime> exdates,
                            TreeMap<LocalDateTime, Instance> overrides) {
        if (exdates.contains(instance.start()) || overrides.containsKey(instance.start())) {
            return; // excluded, or replaced by its override (added at the end)
        }
        found.putIfAbsent(instance.start(), instance);
    }
}
