package dev.inboxguard.checks.recurrence;

import dev.inboxguard.checks.recurrence.SeriesExpansion.Instance;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Property;

/**
 * Whether a recurring component has an instance in a time range, for CalDAV time-range queries (RFC 4791 §9.9).
 * The same bounded expansion as the recurrence check: the window only, at most {@code maxInstances}, within a
 * work budget (steps, as {@link WorkBudget} counts them). Instances are wall-clock times, so the range is widened by 14 hours each side, the largest UTC
 * offset; the answer may include a series whose instance lies just outside the range, never leaves one out, and
 * answers true when the rule cannot be read or evaluated within its bounds.
 */
public final class SeriesWindow {
    /** Work for one series in one query: a few times what a busy daily series costs over two years. */
    public static final long STEPS = 100_000;
    private static final Duration WIDEST_OFFSET = Duration.ofHours(14);
    /** Only a bug gets here; the answer is then the cautious one, as for a series too costly to expand. */
    private static final Duration SAFETY_NET = Duration.ofSeconds(5);

    private SeriesWindow() {
    }

    /**
     * @param master       a component with RRULE or RDATE (its overrides are separate components)
     * @param from         the range start, inclusive
     * @param to           the range end, exclusive
     * @param maxInstances instances to expand at most
     * @param maxSteps     work to spend at most
     * @return true if an instance may overlap the range
     */
    public static boolean anyInstanceBetween(Component master, Instant from, Instant to, int maxInstances,
                                             long maxSteps) {
        Optional<LocalMoment> start = RecurrenceCheck.moment(master, Property.DTSTART);
        if (start.isEmpty()) {
            return true;
        }
        Duration duration = RecurrenceCheck.duration(master, start.get());
        List<RecurrenceRule> rules = new ArrayList<>();
        for (Property rrule : master.<Property>getProperties(Property.RRULE)) {
            Optional<RecurrenceRule> rule = RecurrenceRule.parse(rrule.getValue());
            if (rule.isEmpty()) {
                return true;
            }
            rules.add(rule.get());
        }
        LocalDateTime windowStart = LocalDateTime.ofInstant(from, ZoneOffset.UTC).minus(WIDEST_OFFSET)
                .minus(duration);
        LocalDateTime windowEnd = LocalDateTime.ofInstant(to, ZoneOffset.UTC).plus(WIDEST_OFFSET);
        if (windowEnd.isBefore(start.get().time())) {
            return false;
        }
        String startForm = RecurrenceCheck.form(master.<Property>getProperty(Property.DTSTART).orElseThrow());
        SeriesExpansion.Result result;
        try {
            result = SeriesExpansion.expand(start.get(), duration, rules, RecurrenceCheck.rdates(master, duration),
                    RecurrenceCheck.dates(master, Property.EXDATE, startForm), new TreeMap<>(),
                    RecurrenceCheck.max(start.get().time(), windowStart), windowEnd, maxInstances,
                    new WorkBudget(maxSteps, SAFETY_NET));
        } catch (RuntimeException e) {
            return true;
        }
        if (result.truncated() || result.costly().isPresent()) {
            return true;
        }
        LocalDateTime rangeStart = LocalDateTime.ofInstant(from, ZoneOffset.UTC).minus(WIDEST_OFFSET);
        for (Instance i : result.instances()) {
            LocalDateTime end = i.start().plus(i.duration());
            if (i.start().isBefore(windowEnd) && (end.isAfter(rangeStart) || !i.start().isBefore(rangeStart))) {
                return true;
            }
        }
        return false;
    }

    /**
     * One instance of a series, in the wall-clock time of its DTSTART.
     *
     * @param start    when it starts
     * @param duration how long it lasts
     */
    public record Occurrence(LocalDateTime start, Duration duration) {
    }

    /**
     * @param master       a component with RRULE or RDATE
     * @param from         the range start, in wall-clock time
     * @param to           the range end, in wall-clock time
     * @param maxInstances instances to expand at most
     * @param maxSteps     work to spend at most
     * @return the instances that overlap the range, or empty if the series could not be expanded within the bounds
     */
    public static Optional<List<Occurrence>> occurrencesBetween(Component master, LocalDateTime from,
                                                                LocalDateTime to, int maxInstances, long maxSteps) {
        Optional<LocalMoment> start = RecurrenceCheck.moment(master, Property.DTSTART);
        if (start.isEmpty()) {
            return Optional.empty();
        }
        Duration duration = RecurrenceCheck.duration(master, start.get());
        List<RecurrenceRule> rules = new ArrayList<>();
        for (Property rrule : master.<Property>getProperties(Property.RRULE)) {
            Optional<RecurrenceRule> rule = RecurrenceRule.parse(rrule.getValue());
            if (rule.isEmpty()) {
                return Optional.empty();
            }
            rules.add(rule.get());
        }
        if (!to.isAfter(start.get().time())) {
            return Optional.of(List.of());
        }
        String startForm = RecurrenceCheck.form(master.<Property>getProperty(Property.DTSTART).orElseThrow());
        SeriesExpansion.Result result;
        try {
            result = SeriesExpansion.expand(start.get(), duration, rules, RecurrenceCheck.rdates(master, duration),
                    RecurrenceCheck.dates(master, Property.EXDATE, startForm), new TreeMap<>(),
                    RecurrenceCheck.max(start.get().time(), from.minus(duration)), to, maxInstances,
                    new WorkBudget(maxSteps, SAFETY_NET));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        if (result.truncated() || result.costly().isPresent()) {
            return Optional.empty();
        }
        List<Occurrence> out = new ArrayList<>();
        for (Instance i : result.instances()) {
            LocalDateTime end = i.start().plus(i.duration());
            if (i.start().isBefore(to) && end.isAfter(from)) {
                out.add(new Occurrence(i.start(), i.duration()));
            }
        }
        return Optional.of(out);
    }
}
