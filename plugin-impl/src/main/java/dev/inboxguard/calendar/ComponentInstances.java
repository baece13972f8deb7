package dev.inboxguard.calendar;

import dev.inboxguard.checks.recurrence.SeriesWindow;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.component.CalendarComponent;

/**
 * The instances of one calendar object's components of one kind within a time range, in UTC: the master's
 * occurrences (bounded as the recurrence check bounds them, {@link SeriesWindow}) less those its overrides replace,
 * and the overrides themselves. CalDAV time-range filters, {@code expand}, {@code limit-recurrence-set} and
 * free-busy all read instances from here, so that they agree.
 */
public final class ComponentInstances {
    /** Instances one object may produce in one range; past it the answer is "too costly". */
    public static final int MAX_INSTANCES = 3000;
    // the wall-clock window is widened by a day each side, for daylight-saving shifts; instances are then cut exactly
    private static final Duration MARGIN = Duration.ofDays(1);

    /**
     * One instance.
     *
     * @param component    the component it comes from: the master, or the override that replaces it
     * @param start        when it starts (for a component with no DTSTART, empty)
     * @param end          when it ends (equal to start for an instant)
     * @param recurrenceId the instance's original start, for an instance of a recurring series
     */
    public record Instance(CalendarComponent component, Optional<Instant> start, Instant end,
                           Optional<Instant> recurrenceId) {
        /** @return true if the master's rule made this instance (it has no component of its own) */
        public boolean expanded(CalendarComponent master) {
            return component == master && recurrenceId.isPresent();
        }
    }

    private ComponentInstances() {
    }

    /**
     * @param components the object's components of one kind (one UID: the master and its overrides)
     * @param from       the range start, inclusive
     * @param to         the range end, exclusive
     * @return the instances overlapping the range in start order, or empty if a series could not be expanded within
     * the bounds
     */
    public static Optional<List<Instance>> between(List<CalendarComponent> components, Instant from, Instant to) {
        return between(components, from, to, ZoneOffset.UTC);
    }

    /**
     * @param floating the zone floating and all-day times are read in (RFC 4791 §5.2.2 and §9.8)
     * @see #between(List, Instant, Instant)
     */
    public static Optional<List<Instance>> between(List<CalendarComponent> components, Instant from, Instant to,
                                                   ZoneId floating) {
        Set<Instant> replaced = new HashSet<>();
        for (CalendarComponent c : components) {
            c.<Property>getProperty(Property.RECURRENCE_ID).flatMap(p -> ObjectSpan.instant(p, floating))
                    .ifPresent(replaced::add);
        }
        List<Instance> out = new ArrayList<>();
        for (CalendarComponent c : components) {
            boolean override = c.getProperty(Property.RECURRENCE_ID).isPresent();
            Optional<Instant> start = ObjectSpan.instant(c, Property.DTSTART, floating);
            if (override || !ObjectSpan.recurs(c) || start.isEmpty()) {
                Instance one = new Instance(c, start, start.map(s -> s.plus(ObjectSpan.length(c, floating)))
                        .orElse(Instant.MAX), override ? c.<Property>getProperty(Property.RECURRENCE_ID)
                        .flatMap(p -> ObjectSpan.instant(p, floating)) : Optional.empty());
                if (start.isEmpty() || overlaps(one.start().get(), one.end(), from, to)) {
                    out.add(one);
                }
                continue;
            }
            if (!series(c, from, to, replaced, out, floating)) {
                return Optional.empty();
            }
            if (out.size() > MAX_INSTANCES) {
                return Optional.empty();
            }
        }
        out.sort(Comparator.comparing(i -> i.start().orElse(Instant.MIN)));
        return Optional.of(out);
    }

    private static boolean series(CalendarComponent master, Instant from, Instant to, Set<Instant> replaced,
                                  List<Instance> out, ZoneId floating) {
        ZoneId zone = ObjectSpan.zone(master, floating);
        LocalDateTime wallFrom = wall(from, zone, MARGIN.negated());
        LocalDateTime wallTo = wall(to, zone, MARGIN);
        Optional<List<SeriesWindow.Occurrence>> found = SeriesWindow.occurrencesBetween(master, wallFrom, wallTo,
                MAX_INSTANCES, SeriesWindow.STEPS);
        if (found.isEmpty()) {
            return false;
        }
        for (SeriesWindow.Occurrence o : found.get()) {
            Instant start = o.start().atZone(zone).toInstant();
            if (replaced.contains(start)) {
                continue;
            }
            Instant end = start.plus(o.duration());
            if (overlaps(start, end, from, to)) {
                out.add(new Instance(master, Optional.of(start), end, Optional.of(start)));
            }
        }
        return true;
    }

    private static LocalDateTime wall(Instant at, ZoneId zone, Duration margin) {
        // the edges of what iCalendar can write stay edges
        if (at.isBefore(Instant.parse("0002-01-01T00:00:00Z")) || at.isAfter(Instant.parse("9998-12-31T00:00:00Z"))) {
            return LocalDateTime.ofInstant(at, zone);
        }
        return LocalDateTime.ofInstant(at, zone).plus(margin);
    }

    /**
     * RFC 4791 §9.9 for a span: it starts before the range ends and ends after it starts; an instant (start equal
     * to end) lies in [from, to).
     */
    public static boolean overlaps(Instant start, Instant end, Instant from, Instant to) {
        if (end.equals(start)) {
            return !start.isBefore(from) && start.isBefore(to);
        }
        return start.isBefore(to) && end.isAfter(from);
    }
}
