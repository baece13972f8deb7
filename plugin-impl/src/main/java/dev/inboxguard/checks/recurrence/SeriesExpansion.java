package dev.inboxguard.checks.recurrence;

import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import net.fortuna.ical4j.model.Recur;

/**
 * Expands one series inside a window, lazily and within budgets: never more than {@code maxInstances + 1}
 * instances, never past the time budget, never a rule whose shape makes one step too expensive. The caller checks
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

    /** The skip ahead in ical4j's iterator multiplies INTERVAL by an int; keep it far from overflowing. */
    private static final long MAX_UNITS_BEFORE_WINDOW = 1L << 29;

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
     * @param budget      the time budget
     * @return what was found
     */
    static Result expand(LocalMoment start, Duration duration, List<RuleShape> rules, List<Instance> rdates,
                         Set<LocalDateTime> exdates, TreeMap<LocalDateTime, Instance> overrides,
                         LocalDateTime windowStart, LocalDateTime windowEnd, int maxInstances,
                         EvaluationBudget budget) {
        TreeMap<LocalDateTime, Instance> found = new TreeMap<>();
        put(found, new Instance(start.time(), duration), exdates, overrides);
        for (Instance rdate : rdates) {
            put(found, rdate, exdates, overrides);
        }
        for (RuleShape rule : rules) {
            if (rule.count().isEmpty()) {
                long before = rule.frequency().unit.between(start.time(), windowStart);
                if (before > MAX_UNITS_BEFORE_WINDOW) {
                    return new Result(List.copyOf(found.values()), false, Optional.of(String.format(Locale.ROOT,
                            "the rule would have to step through %,d %ss to reach the evaluated dates", before,
                            rule.frequency().noun)));
                }
            }
            try {
                Iterator<? extends Temporal> dates = dates(rule, start, windowStart, windowEnd, maxInstances + 2);
                while (dates.hasNext()) {
                    if (budget.exhausted()) {
                        return new Result(List.copyOf(found.values()), false, Optional.of("evaluating it took "
                                + "longer than the time budget"));
                    }
                    Temporal t = dates.next();
                    LocalDateTime at = t instanceof LocalDate d ? d.atStartOfDay() : (LocalDateTime) t;
                    put(found, new Instance(at, duration), exdates, overrides);
                    if (found.size() > maxInstances) {
                        return new Result(List.copyOf(found.values()), true, Optional.empty());
                    }
                }
            } catch (RuntimeException e) {
                String why = budget.exhausted() ? "evaluating it took longer than the time budget"
                        : "it could not be evaluated (" + e.getClass().getSimpleName() + ")";
                return new Result(List.copyOf(found.values()), false, Optional.of(why));
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

    /** ical4j's lazy iterator, seeded with DTSTART in the seed's own type and an UNTIL of the same type. */
    private static Iterator<? extends Temporal> dates(RuleShape rule, LocalMoment start, LocalDateTime windowStart,
                                                      LocalDateTime windowEnd, int max) {
        String text = normalisedUntil(rule, start.date());
        if (start.date()) {
            Recur<LocalDate> recur = new Recur<>(text);
            return recur.getDatesAsStream(start.time().toLocalDate(), windowStart.toLocalDate(),
                    windowEnd.toLocalDate(), max).iterator();
        }
        Recur<LocalDateTime> recur = new Recur<>(text);
        return recur.getDatesAsStream(start.time(), windowStart, windowEnd, max).iterator();
    }

    /** UNTIL must compare with the seed; read it as wall-clock time of the seed's kind (DATE or DATE-TIME). */
    private static String normalisedUntil(RuleShape rule, boolean dateSeed) {
        if (rule.until().isEmpty()) {
            return rule.text();
        }
        Optional<LocalMoment> until = LocalMoment.parse(rule.until().get());
        StringBuilder out = new StringBuilder();
        for (String piece : rule.text().split(";")) {
            if (piece.strip().toUpperCase(Locale.ROOT).startsWith("UNTIL=")) {
                if (until.isEmpty()) {
                    continue;
                }
                LocalDateTime u = until.get().time();
                piece = "UNTIL=" + (dateSeed ? String.format(Locale.ROOT, "%04d%02d%02d", u.getYear(),
                        u.getMonthValue(), u.getDayOfMonth())
                        : String.format(Locale.ROOT, "%04d%02d%02dT%02d%02d%02d", u.getYear(), u.getMonthValue(),
                        u.getDayOfMonth(), u.getHour(), u.getMinute(), u.getSecond()));
            }
            out.append(out.length() == 0 ? "" : ";").append(piece);
        }
        return out.toString();
    }
}
