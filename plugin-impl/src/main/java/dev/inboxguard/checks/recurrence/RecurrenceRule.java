package dev.inboxguard.checks.recurrence;

import java.time.DayOfWeek;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An RRULE (RFC 5545 §3.3.10), parsed and range-checked. It can say what it does without being expanded
 * ({@link #candidatesPerPeriod()}, {@link #isForever()}), and {@link RuleIterator} expands it lazily.
 *
 * @param frequency  FREQ
 * @param interval   INTERVAL, 1 if absent
 * @param count      COUNT, if any
 * @param until      UNTIL as wall-clock time, if any
 * @param bySecond   BYSECOND values
 * @param byMinute   BYMINUTE values
 * @param byHour     BYHOUR values
 * @param byDay      BYDAY values
 * @param byMonthDay BYMONTHDAY values (negative counts from the month's end)
 * @param byYearDay  BYYEARDAY values (negative counts from the year's end)
 * @param byWeekNo   BYWEEKNO values (negative counts from the year's last week)
 * @param byMonth    BYMONTH values
 * @param bySetPos   BYSETPOS values
 * @param weekStart  WKST, Monday if absent
 * @param text       the rule as written
 */
record RecurrenceRule(Frequency frequency, int interval, Optional<Long> count, Optional<LocalDateTime> until,
                      List<Integer> bySecond, List<Integer> byMinute, List<Integer> byHour, List<WeekdayNum> byDay,
                      List<Integer> byMonthDay, List<Integer> byYearDay, List<Integer> byWeekNo,
                      List<Integer> byMonth, List<Integer> bySetPos, DayOfWeek weekStart, String text) {

    /** RRULE frequencies, finest first. */
    enum Frequency {
        SECONDLY(ChronoUnit.SECONDS, "second"),
        MINUTELY(ChronoUnit.MINUTES, "minute"),
        HOURLY(ChronoUnit.HOURS, "hour"),
        DAILY(ChronoUnit.DAYS, "day"),
        WEEKLY(ChronoUnit.WEEKS, "week"),
        MONTHLY(ChronoUnit.MONTHS, "month"),
        YEARLY(ChronoUnit.YEARS, "year");

        final ChronoUnit unit;
        final String noun;

        Frequency(ChronoUnit unit, String noun) {
            this.unit = unit;
            this.noun = noun;
        }

        boolean isHigh() {
            return compareTo(HOURLY) <= 0;
        }
    }

    /**
     * A BYDAY entry such as {@code MO}, {@code -1FR} or {@code 2TU}.
     *
     * @param ordinal the week of the month or year (negative from the end), 0 for every such weekday
     * @param day     the weekday
     */
    record WeekdayNum(int ordinal, DayOfWeek day) {
    }

    private static final int MAX_VALUES = 400;

    /**
     * @param text an RRULE value
     * @return the rule, or empty if it is not a valid RRULE
     */
    static Optional<RecurrenceRule> parse(String text) {
        Frequency frequency = null;
        int interval = 1;
        Long count = null;
        LocalDateTime until = null;
        List<Integer> bySecond = List.of();
        List<Integer> byMinute = List.of();
        List<Integer> byHour = List.of();
        List<WeekdayNum> byDay = List.of();
        List<Integer> byMonthDay = List.of();
        List<Integer> byYearDay = List.of();
        List<Integer> byWeekNo = List.of();
        List<Integer> byMonth = List.of();
        List<Integer> bySetPos = List.of();
        DayOfWeek weekStart = DayOfWeek.MONDAY;
        try {
            for (String piece : text.split(";")) {
                int eq = piece.indexOf('=');
                if (eq <= 0) {
                    return Optional.empty();
                }
                String name = piece.substring(0, eq).strip().toUpperCase(Locale.ROOT);
                String value = piece.substring(eq + 1).strip().toUpperCase(Locale.ROOT);
                switch (name) {
                    case "FREQ" -> frequency = Frequency.valueOf(value);
                    case "INTERVAL" -> interval = Integer.parseInt(value);
                    case "COUNT" -> count = Long.parseLong(value);
                    case "UNTIL" -> until = LocalMoment.parse(value).map(LocalMoment::time)
                            .orElseThrow(IllegalArgumentException::new);
                    case "BYSECOND" -> bySecond = numbers(value, 0, 60, false);
                    case "BYMINUTE" -> byMinute = numbers(value, 0, 59, false);
                    case "BYHOUR" -> byHour = numbers(value, 0, 23, false);
                    case "BYDAY" -> byDay = weekdays(value);
                    case "BYMONTHDAY" -> byMonthDay = numbers(value, 1, 31, true);
                    case "BYYEARDAY" -> byYearDay = numbers(value, 1, 366, true);
                    case "BYWEEKNO" -> byWeekNo = numbers(value, 1, 53, true);
                    case "BYMONTH" -> byMonth = numbers(value, 1, 12, false);
                    case "BYSETPOS" -> bySetPos = numbers(value, 1, 366, true);
                    case "WKST" -> weekStart = weekday(value);
                    default -> {
                        // RSCALE, SKIP and extensions: they do not make a rule more frequent
                    }
                }
            }
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (frequency == null || interval < 1 || (count != null && count < 1)) {
            return Optional.empty();
        }
        return Optional.of(new RecurrenceRule(frequency, interval, Optional.ofNullable(count),
                Optional.ofNullable(until), bySecond, byMinute, byHour, byDay, byMonthDay, byYearDay, byWeekNo,
                byMonth, bySetPos, weekStart, text));
    }

    private static List<Integer> numbers(String value, int min, int max, boolean signed) {
        String[] parts = value.split(",");
        if (parts.length > MAX_VALUES) {
            throw new IllegalArgumentException("too many values");
        }
        List<Integer> out = new ArrayList<>(parts.length);
        for (String p : parts) {
            int n = Integer.parseInt(p.strip().startsWith("+") ? p.strip().substring(1) : p.strip());
            int magnitude = Math.abs(n);
            if ((n < 0 && !signed) || magnitude < min || magnitude > max || (signed && n == 0)) {
                throw new IllegalArgumentException("out of range: " + n);
            }
            if (!out.contains(n)) {
                out.add(n);
            }
        }
        out.sort(null); // the expansion relies on ascending values
        return List.copyOf(out);
    }

    private static List<WeekdayNum> weekdays(String value) {
        String[] parts = value.split(",");
        if (parts.length > MAX_VALUES) {
            throw new IllegalArgumentException("too many values");
        }
        List<WeekdayNum> out = new ArrayList<>();
        for (String p : parts) {
            String s = p.strip();
            if (s.length() < 2) {
                throw new IllegalArgumentException("bad weekday " + s);
            }
            DayOfWeek day = weekday(s.substring(s.length() - 2));
            String number = s.substring(0, s.length() - 2);
            int ordinal = number.isEmpty() ? 0 : Integer.parseInt(number.startsWith("+") ? number.substring(1)
                    : number);
            if (Math.abs(ordinal) > 53 || (!number.isEmpty() && ordinal == 0)) {
                throw new IllegalArgumentException("bad ordinal " + s);
            }
            WeekdayNum w = new WeekdayNum(ordinal, day);
            if (!out.contains(w)) {
                out.add(w);
            }
        }
        return List.copyOf(out);
    }

    private static DayOfWeek weekday(String code) {
        return switch (code) {
            case "MO" -> DayOfWeek.MONDAY;
            case "TU" -> DayOfWeek.TUESDAY;
            case "WE" -> DayOfWeek.WEDNESDAY;
            case "TH" -> DayOfWeek.THURSDAY;
            case "FR" -> DayOfWeek.FRIDAY;
            case "SA" -> DayOfWeek.SATURDAY;
            case "SU" -> DayOfWeek.SUNDAY;
            default -> throw new IllegalArgumentException("bad weekday " + code);
        };
    }

    /** @return the same rule without COUNT: for questions about a rule's pattern, not its end */
    RecurrenceRule withoutCount() {
        return new RecurrenceRule(frequency, interval, Optional.empty(), until, bySecond, byMinute, byHour, byDay,
                byMonthDay, byYearDay, byWeekNo, byMonth, bySetPos, weekStart, text);
    }

    /** @return true if the rule neither counts nor ends */
    boolean isForever() {
        return count.isEmpty() && until.isEmpty();
    }

    /**
     * An upper bound of the candidate instances one period (one year of a YEARLY rule, one day of a DAILY one)
     * produces before limiting parts and BYSETPOS filter them. This bounds the work of one step of the expansion.
     *
     * @return the bound
     */
    long candidatesPerPeriod() {
        long days = switch (frequency) {
            case YEARLY -> 366;
            case MONTHLY -> 31;
            case WEEKLY -> 7;
            default -> 1;
        };
        long times = 1;
        if (frequency.compareTo(Frequency.HOURLY) > 0) {
            times *= Math.max(1, byHour.size());
        }
        if (frequency.compareTo(Frequency.MINUTELY) > 0) {
            times *= Math.max(1, byMinute.size());
        }
        if (frequency.compareTo(Frequency.SECONDLY) > 0) {
            times *= Math.max(1, bySecond.size());
        }
        boolean expandsDays = switch (frequency) {
            case YEARLY -> !byMonth.isEmpty() || !byWeekNo.isEmpty() || !byYearDay.isEmpty()
                    || !byMonthDay.isEmpty() || !byDay.isEmpty();
            case MONTHLY -> !byMonthDay.isEmpty() || !byDay.isEmpty();
            case WEEKLY -> !byDay.isEmpty();
            default -> false;
        };
        return (expandsDays ? days : 1) * times;
    }

    /**
     * A rule whose BYMONTH and BYMONTHDAY leave no day of any year (February 30th, April 31st) has no instance
     * but DTSTART. Its shape says so at once; walking it only finds out slowly, and parsers elsewhere have searched
     * such rules for their next instance without end.
     *
     * @return true if no month the rule allows has a day the rule names
     */
    boolean canNeverMatch() {
        // RFC 7529: another calendar scale (RSCALE=CHINESE has 30-day months in February) or SKIP changes which
        // days exist; only the Gregorian calendar is known here
        String upper = text.toUpperCase(java.util.Locale.ROOT);
        if (upper.contains("RSCALE=") || upper.contains("SKIP=")) {
            return false;
        }
        if (byMonthDay.isEmpty() || !byYearDay.isEmpty() || !byWeekNo.isEmpty()) {
            return false;
        }
        for (int m = 1; m <= 12; m++) {
            if (!byMonth.isEmpty() && !byMonth.contains(m)) {
                continue;
            }
            int longest = java.time.Month.of(m).maxLength();
            for (int d : byMonthDay) {
                if (Math.abs(d) <= longest) {
                    return false;
                }
            }
        }
        return true;
    }

    /** @return "every minute", "every 2 weeks" */
    String every() {
        return interval == 1 ? "every " + frequency.noun : "every " + interval + " " + frequency.noun + "s";
    }

    /** @return ", forever", ", 5,000 times" or ", until 2099-12-31" */
    String extent() {
        if (count.isPresent()) {
            return String.format(Locale.ROOT, ", %,d times", count.get());
        }
        return until.map(u -> ", until " + u.toLocalDate()).orElse(", forever");
    }
}
