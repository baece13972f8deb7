package dev.inboxguard.calendar;

import dev.inboxguard.storage.TimeSpan;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.Temporal;
import java.util.Optional;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.component.CalendarComponent;
import net.fortuna.ical4j.model.property.DateProperty;
import net.fortuna.ical4j.model.property.Duration;

/**
 * Works out a calendar object's {@link TimeSpan} when it is stored (RFC 4791 §9.9). A recurring component is not
 * expanded here: its span runs from its first start on without end, so the index finds it for every later range,
 * and {@link CalendarReports} then expands it within the range, boundedly.
 */
public final class ObjectSpan {
    private ObjectSpan() {
    }

    public static TimeSpan of(Calendar calendar, String kind) {
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        for (CalendarComponent c : calendar.<CalendarComponent>getComponents()) {
            if (c.getName().equals(kind)) {
                TimeSpan one = of(c);
                start = Math.min(start, one.start());
                end = Math.max(end, one.end());
            }
        }
        return start == Long.MAX_VALUE ? new TimeSpan(kind, Long.MIN_VALUE, Long.MAX_VALUE)
                : new TimeSpan(kind, start, end);
    }

    /** @return one component's span; a recurring one runs on without end */
    public static TimeSpan of(CalendarComponent c) {
        Optional<Instant> from = instant(c, Property.DTSTART);
        if (from.isEmpty()) {
            // a VTODO or VJOURNAL without a start matches every range
            return new TimeSpan(c.getName(), Long.MIN_VALUE, Long.MAX_VALUE);
        }
        Instant to = instant(c, Property.DTEND).or(() -> instant(c, Property.DUE))
                .orElseGet(() -> from.get().plus(duration(c)));
        long start = from.get().toEpochMilli();
        return new TimeSpan(c.getName(), start, recurs(c) ? Long.MAX_VALUE : Math.max(start, to.toEpochMilli()));
    }

    public static boolean recurs(CalendarComponent c) {
        return c.getProperty(Property.RRULE).isPresent() || c.getProperty(Property.RDATE).isPresent();
    }

    /** @return how long each instance lasts: DTEND or DUE minus DTSTART, DURATION, a day for a date, else nothing */
    public static java.time.Duration length(CalendarComponent c) {
        return length(c, ZoneOffset.UTC);
    }

    /** @return how long each instance lasts, floating times read in {@code floating} */
    public static java.time.Duration length(CalendarComponent c, java.time.ZoneId floating) {
        Optional<Instant> from = instant(c, Property.DTSTART, floating);
        Optional<Instant> to = instant(c, Property.DTEND, floating).or(() -> instant(c, Property.DUE, floating));
        if (from.isPresent() && to.isPresent()) {
            java.time.Duration d = java.time.Duration.between(from.get(), to.get());
            return d.isNegative() ? java.time.Duration.ZERO : d;
        }
        return duration(c);
    }

    private static java.time.Duration duration(CalendarComponent c) {
        Optional<Property> d = c.getProperty(Property.DURATION);
        if (d.isPresent() && d.get() instanceof Duration duration) {
            if (duration.getDuration() instanceof java.time.Duration exact) {
                return exact.isNegative() ? java.time.Duration.ZERO : exact;
            }
            if (duration.getDuration() instanceof Period p) {
                // months and years at their longest, so that nothing is left out
                return java.time.Duration.ofDays(Math.max(0, p.getDays() + p.getMonths() * 31L + p.getYears() * 366L));
            }
        }
        // an all-day start lasts the day; a timed start without an end is an instant
        Optional<Property> start = c.getProperty(Property.DTSTART);
        boolean date = start.isPresent() && start.get() instanceof DateProperty<?> p && p.getDate() instanceof LocalDate;
        return date ? java.time.Duration.ofDays(1) : java.time.Duration.ZERO;
    }

    /**
     * @return the zone a component's DTSTART is written in: its VTIMEZONE as ical4j resolved it, or UTC for a UTC,
     * floating or all-day start (floating times are read as UTC throughout the server)
     */
    public static java.time.ZoneId zone(net.fortuna.ical4j.model.Component c) {
        return zone(c, ZoneOffset.UTC);
    }

    /**
     * @param floating the zone floating and all-day times are read in (RFC 4791 §5.2.2: the calendar's time zone,
     *                 or the query's)
     * @return the zone a component's DTSTART is written in
     */
    public static java.time.ZoneId zone(net.fortuna.ical4j.model.Component c, java.time.ZoneId floating) {
        Optional<Property> p = c.getProperty(Property.DTSTART);
        if (p.isPresent() && p.get() instanceof DateProperty<?> date) {
            try {
                Temporal t = date.getDate();
                if (t instanceof ZonedDateTime z) {
                    return z.getZone();
                }
                if (t instanceof LocalDateTime || t instanceof LocalDate) {
                    return floating;
                }
            } catch (RuntimeException e) {
                return ZoneOffset.UTC;
            }
        }
        return ZoneOffset.UTC;
    }

    /** @return a date property as an instant (floating and all-day values read as UTC), if it has one */
    public static Optional<Instant> instant(net.fortuna.ical4j.model.Component c, String name) {
        return instant(c, name, ZoneOffset.UTC);
    }

    /** @return a date property as an instant, floating and all-day values read in {@code floating} */
    public static Optional<Instant> instant(net.fortuna.ical4j.model.Component c, String name,
                                           java.time.ZoneId floating) {
        return c.<Property>getProperty(name).flatMap(p -> instant(p, floating));
    }

    /** @return a date property's value as an instant (floating and all-day values read as UTC) */
    public static Optional<Instant> instant(Property p) {
        return instant(p, ZoneOffset.UTC);
    }

    /** @return a date property's value as an instant, floating and all-day values read in {@code floating} */
    public static Optional<Instant> instant(Property p, java.time.ZoneId floating) {
        if (!(p instanceof DateProperty<?> date)) {
            return Optional.empty();
        }
        try {
            Temporal t = date.getDate();
            if (t instanceof ZonedDateTime z) {
                return Optional.of(z.toInstant());
            }
            if (t instanceof OffsetDateTime z) {
                return Optional.of(z.toInstant());
            }
            if (t instanceof Instant i) {
                return Optional.of(i);
            }
            if (t instanceof LocalDateTime l) {
                return Optional.of(l.atZone(floating).toInstant());
            }
            if (t instanceof LocalDate d) {
                return Optional.of(d.atStartOfDay(floating).toInstant());
            }
        } catch (RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
