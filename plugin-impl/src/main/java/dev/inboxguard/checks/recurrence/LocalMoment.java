package dev.inboxguard.checks.recurrence;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.List;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.property.DateListProperty;
import net.fortuna.ical4j.model.property.DateProperty;
import net.fortuna.ical4j.model.property.RDate;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An iCalendar DATE or DATE-TIME read as wall-clock time, without resolving its time zone.
 *
 * <p>The recurrence check measures counts, densities, gaps and horizons. Time zones shift those by at most a day
 * (offsets stay within ±14 hours) and by an hour at daylight-saving changes; no limit here is that fine. Working in
 * local time means the check never has to evaluate a message's own VTIMEZONE, which is itself untrusted input.
 *
 * @param time the wall-clock time (midnight for a DATE)
 * @param date true for a DATE value (an all-day instance)
 */
record LocalMoment(LocalDateTime time, boolean date) implements Comparable<LocalMoment> {
    private static final Pattern DATE = Pattern.compile("(\\d{8})");
    private static final Pattern DATE_TIME = Pattern.compile("(\\d{8})T(\\d{6})(Z?)");
    private static final Pattern DURATION = Pattern.compile(
            "([+-])?P(?:(\\d{1,9})W)?(?:(\\d{1,9})D)?(?:T(?:(\\d{1,9})H)?(?:(\\d{1,9})M)?(?:(\\d{1,9})S)?)?");
    private static final DateTimeFormatter BASIC_DATE = DateTimeFormatter.ofPattern("uuuuMMdd", Locale.ROOT);

    /**
     * @param value a DATE ({@code 20261123}) or DATE-TIME ({@code 20261123T100000}, optionally with {@code Z})
     * @return the moment, or empty if the value is neither
     */
    static Optional<LocalMoment> parse(String value) {
        String v = value.strip();
        try {
            Matcher dt = DATE_TIME.matcher(v);
            if (dt.matches()) {
                LocalDate day = LocalDate.parse(dt.group(1), BASIC_DATE);
                String t = dt.group(2);
                int hour = Integer.parseInt(t.substring(0, 2));
                int minute = Integer.parseInt(t.substring(2, 4));
                int second = Math.min(59, Integer.parseInt(t.substring(4, 6))); // a leap second reads as :59
                return Optional.of(new LocalMoment(day.atTime(hour, minute, second), false));
            }
            Matcher d = DATE.matcher(v);
            if (d.matches()) {
                return Optional.of(new LocalMoment(LocalDate.parse(d.group(1), BASIC_DATE).atStartOfDay(), true));
            }
        } catch (DateTimeException | NumberFormatException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    /**
     * Reads a date property's value without formatting it back to text. ical4j has parsed the value already (and
     * resolved a known TZID); for a zone only the message defines, the text as written is read instead.
     *
     * @param property a DATE or DATE-TIME property
     * @return the moment, or empty if the value is neither
     */
    static Optional<LocalMoment> of(Property property) {
        if (property instanceof DateProperty<?> date) {
            try {
                Optional<LocalMoment> moment = of(date.getDate());
                if (moment.isPresent()) {
                    return moment;
                }
            } catch (DateTimeException | IllegalArgumentException e) {
                // a TZID that only the message defines: fall back to the text
            }
        }
        return parse(property.getValue());
    }

    /**
     * @param property an EXDATE or RDATE (DATE or DATE-TIME values)
     * @return its moments; unreadable values are skipped
     */
    static List<LocalMoment> all(Property property) {
        List<LocalMoment> out = new ArrayList<>();
        if (property instanceof DateListProperty<?> list && !(property instanceof RDate<?> r
                && r.getPeriods().isPresent())) {
            try {
                for (Temporal t : list.getDates()) {
                    of(t).ifPresent(out::add);
                }
                return out;
            } catch (DateTimeException | IllegalArgumentException | NullPointerException e) {
                out.clear(); // a TZID that only the message defines, or PERIOD values: read the text
            }
        }
        for (String v : property.getValue().split(",")) {
            parse(v).ifPresent(out::add);
        }
        return out;
    }

    private static Optional<LocalMoment> of(Temporal t) {
        if (t instanceof LocalDate d) {
            return Optional.of(new LocalMoment(d.atStartOfDay(), true));
        }
        if (t instanceof LocalDateTime ldt) {
            return Optional.of(new LocalMoment(ldt, false));
        }
        if (t instanceof ZonedDateTime z) {
            return Optional.of(new LocalMoment(z.toLocalDateTime(), false));
        }
        if (t instanceof OffsetDateTime o) {
            return Optional.of(new LocalMoment(o.toLocalDateTime(), false));
        }
        if (t instanceof Instant i) {
            return Optional.of(new LocalMoment(LocalDateTime.ofInstant(i, ZoneOffset.UTC), false));
        }
        return Optional.empty();
    }

    /**
     * @param value an iCalendar DURATION such as {@code PT1H30M}, {@code P1W} or {@code -PT15M}
     * @return the duration (nominal days are 24 hours), or empty if the value is not a duration
     */
    static Optional<Duration> parseDuration(String value) {
        Matcher m = DURATION.matcher(value.strip().toUpperCase(Locale.ROOT));
        if (!m.matches() || value.strip().equalsIgnoreCase("P") || value.strip().toUpperCase(Locale.ROOT)
                .endsWith("T")) {
            return Optional.empty();
        }
        Duration d = Duration.ofDays(7L * number(m.group(2)) + number(m.group(3)))
                .plusHours(number(m.group(4))).plusMinutes(number(m.group(5))).plusSeconds(number(m.group(6)));
        return Optional.of("-".equals(m.group(1)) ? d.negated() : d);
    }

    private static long number(String s) {
        return s == null ? 0 : Long.parseLong(s);
    }

    /** @return the calendar day this moment falls on */
    LocalDate day() {
        return time.toLocalDate();
    }

    @Override
    public int compareTo(LocalMoment o) {
        return time.compareTo(o.time);
    }
}
