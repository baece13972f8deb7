package dev.inboxguard.checks.recurrence;

import dev.inboxguard.checks.recurrence.RecurrenceRule.Frequency;
import dev.inboxguard.checks.recurrence.RecurrenceRule.WeekdayNum;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.TreeSet;

/**
 * Expands an RRULE lazily, one period at a time, from the seed (DTSTART) and within a window, in wall-clock time.
 *
 * <p>Written for hostile rules rather than taken from ical4j, whose expansion returned no instances at all for
 * plain rules here (FREQ=DAILY from 1970, FREQ=WEEKLY;BYDAY=...) and whose skip-ahead multiplies the interval in an
 * {@code int}. Here: a rule without COUNT starts at the period before the window (the jump is computed, not
 * iterated); a period's work is bounded by {@link RecurrenceRule#candidatesPerPeriod()}, which the caller limits;
 * high-frequency rules jump over whole days, hours and minutes that their BYxxx limits exclude; and the search for
 * the next instance gives up after {@link #MAX_EMPTY_PERIODS} empty periods, treating the rule as ended, as RFC 5545
 * implementations commonly do. Every period examined and every candidate built is charged to a {@link WorkBudget},
 * so a rule costs the same work on any machine.
 */
final class RuleIterator implements Iterator<LocalDateTime> {
    static final int MAX_EMPTY_PERIODS = 50_000;

    private final RecurrenceRule rule;
    private final WorkBudget budget;
    private final LocalDateTime seed;
    private final boolean dateOnly;
    private final LocalDateTime windowStart;
    private final LocalDateTime windowEnd;
    private final LocalDateTime anchor;
    private long period;
    private long emitted;
    private boolean finished;
    private final List<LocalDateTime> pending = new ArrayList<>();
    private int pendingIndex;
    private LocalDateTime next;
    private LocalDateTime last;
    private final boolean[] monthAllowed;
    private final boolean[] weekdayListed;
    private final List<LocalTime> dailyTimes;

    /**
     * @param rule        the rule
     * @param seed        DTSTART as wall-clock time
     * @param dateOnly    true for a DATE DTSTART (all-day instances at midnight)
     * @param windowStart first instance wanted
     * @param windowEnd   last instance wanted
     */
    RuleIterator(RecurrenceRule rule, LocalDateTime seed, boolean dateOnly, LocalDateTime windowStart,
                 LocalDateTime windowEnd) {
        this(rule, seed, dateOnly, windowStart, windowEnd, WorkBudget.unlimited());
    }

    /**
     * @param budget charged for each period and candidate; {@link #next()} throws {@link WorkBudget.Exhausted}
     *               once it is spent
     */
    RuleIterator(RecurrenceRule rule, LocalDateTime seed, boolean dateOnly, LocalDateTime windowStart,
                 LocalDateTime windowEnd, WorkBudget budget) {
        this.budget = budget;
        this.rule = rule;
        this.seed = seed;
        this.dateOnly = dateOnly;
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.anchor = anchor(seed);
        this.monthAllowed = flags(rule.byMonth(), 13);
        this.weekdayListed = new boolean[8];
        rule.byDay().forEach(w -> weekdayListed[w.day().getValue()] = true);
        // for DAILY and coarser rules the times of day are the same in every period
        this.dailyTimes = rule.frequency().compareTo(Frequency.HOURLY) > 0 ? times(seed) : null;
        if (rule.count().isEmpty() && windowStart.isAfter(seed)) {
            // COUNT must be counted from the seed; anything else may start just before the window
            long units = rule.frequency().unit.between(anchor, anchor(windowStart));
            period = Math.max(0, units / rule.interval() - 1);
        }
    }

    @Override
    public boolean hasNext() {
        if (next == null && !finished) {
            next = advance();
        }
        return next != null;
    }

    @Override
    public LocalDateTime next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        LocalDateTime result = next;
        next = null;
        return result;
    }

    private LocalDateTime advance() {
        int empty = 0;
        while (true) {
            while (pendingIndex < pending.size()) {
                LocalDateTime candidate = pending.get(pendingIndex++);
                // a date-only rule that repeats within a day lands on the same midnight again: one instance
                if (candidate.isBefore(seed) || (last != null && !candidate.isAfter(last))) {
                    continue;
                }
                last = candidate;
                if (rule.until().isPresent() && candidate.isAfter(untilFor(rule.until().get()))) {
                    finished = true;
                    return null;
                }
                if (candidate.isAfter(windowEnd)) {
                    finished = true;
                    return null;
                }
                emitted++;
                if (rule.count().isPresent() && emitted > rule.count().get()) {
                    finished = true;
                    return null;
                }
                if (!candidate.isBefore(windowStart)) {
                    return candidate;
                }
            }
            LocalDateTime start = periodStart(period);
            // a period starts at or before its candidates, so once it starts past the end, nothing follows
            if (start.isAfter(windowEnd) || (rule.until().isPresent()
                    && start.isAfter(untilFor(rule.until().get())))) {
                finished = true;
                return null;
            }
            pending.clear();
            pendingIndex = 0;
            budget.spend(1);
            expand(start, pending);
            if (pending.isEmpty()) {
                if (++empty > MAX_EMPTY_PERIODS) {
                    finished = true;
                    return null;
                }
                period = skipExcluded(start);
            } else {
                period++;
            }
        }
    }

    /** A DATE rule compares UNTIL by day. */
    private LocalDateTime untilFor(LocalDateTime until) {
        return dateOnly ? until.toLocalDate().atStartOfDay() : until;
    }

    private LocalDateTime anchor(LocalDateTime t) {
        return switch (rule.frequency()) {
            case YEARLY -> LocalDate.of(t.getYear(), 1, 1).atStartOfDay();
            case MONTHLY -> LocalDate.of(t.getYear(), t.getMonth(), 1).atStartOfDay();
            case WEEKLY -> t.toLocalDate().with(TemporalAdjusters.previousOrSame(rule.weekStart())).atStartOfDay();
            case DAILY -> t.toLocalDate().atStartOfDay();
            case HOURLY -> t.truncatedTo(ChronoUnit.HOURS);
            case MINUTELY -> t.truncatedTo(ChronoUnit.MINUTES);
            case SECONDLY -> t.truncatedTo(ChronoUnit.SECONDS);
        };
    }

    private LocalDateTime periodStart(long p) {
        return anchor.plus(p * rule.interval(), rule.frequency().unit);
    }

    /**
     * After an empty period of a high-frequency rule, jump to the first period that its day and hour limits can
     * allow, instead of stepping through every second of an excluded day.
     */
    private long skipExcluded(LocalDateTime start) {
        if (!rule.frequency().isHigh()) {
            return period + 1;
        }
        LocalDateTime target = start;
        if (!dayAllowed(start.toLocalDate())) {
            target = start.toLocalDate().plusDays(1).atStartOfDay();
        } else if (!rule.byHour().isEmpty() && !rule.byHour().contains(start.getHour())) {
            target = start.truncatedTo(ChronoUnit.HOURS).plusHours(1);
        } else if (rule.frequency() == Frequency.SECONDLY && !rule.byMinute().isEmpty()
                && !rule.byMinute().contains(start.getMinute())) {
            target = start.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        } else if (rule.frequency() == Frequency.SECONDLY && !rule.bySecond().isEmpty()) {
            int second = start.getSecond();
            int nextAllowed = rule.bySecond().stream().filter(x -> x > second).findFirst().orElse(-1);
            target = nextAllowed < 0 ? start.truncatedTo(ChronoUnit.MINUTES).plusMinutes(1)
                    : start.withSecond(Math.min(59, nextAllowed));
        }
        long units = rule.frequency().unit.between(anchor, target);
        long p = (units + rule.interval() - 1) / rule.interval();
        return Math.max(period + 1, p);
    }

    /** All candidates of the period that starts at {@code start}, sorted, after BYSETPOS. */
    private void expand(LocalDateTime start, List<LocalDateTime> out) {
        List<LocalDate> days = days(start);
        if (days.isEmpty()) {
            return;
        }
        List<LocalTime> times = dateOnly ? List.of(LocalTime.MIDNIGHT)
                : dailyTimes != null ? dailyTimes : times(start);
        if (times.isEmpty()) {
            return;
        }
        if (days.size() > 1) {
            days = new ArrayList<>(new TreeSet<>(days));
        }
        budget.spend((long) days.size() * times.size());
        // days ascending and times ascending (the BY lists are sorted), so the product is ascending
        List<LocalDateTime> all = new ArrayList<>(days.size() * times.size());
        for (LocalDate d : days) {
            for (LocalTime t : times) {
                all.add(d.atTime(t));
            }
        }
        if (rule.bySetPos().isEmpty()) {
            out.addAll(all);
            return;
        }
        TreeSet<LocalDateTime> chosen = new TreeSet<>();
        for (int pos : rule.bySetPos()) {
            int index = pos > 0 ? pos - 1 : all.size() + pos;
            if (index >= 0 && index < all.size()) {
                chosen.add(all.get(index));
            }
        }
        out.addAll(chosen);
    }

    private List<LocalDate> days(LocalDateTime start) {
        LocalDate day = start.toLocalDate();
        List<LocalDate> candidates = new ArrayList<>();
        switch (rule.frequency()) {
            case YEARLY -> yearDays(day.getYear(), candidates);
            case MONTHLY -> {
                YearMonth month = YearMonth.from(day);
                if (!rule.byMonthDay().isEmpty()) {
                    monthDays(month, candidates);
                } else if (!rule.byDay().isEmpty()) {
                    weekdaysIn(month.atDay(1), month.atEndOfMonth(), candidates);
                } else {
                    dayOfMonth(month, seed.getDayOfMonth(), candidates);
                }
            }
            case WEEKLY -> {
                if (rule.byDay().isEmpty()) {
                    candidates.add(day.with(TemporalAdjusters.nextOrSame(seed.getDayOfWeek())));
                } else {
                    for (int i = 0; i < 7; i++) {
                        LocalDate d = day.plusDays(i);
                        if (weekdayListed[d.getDayOfWeek().getValue()]) {
                            candidates.add(d);
                        }
                    }
                }
            }
            default -> candidates.add(day);
        }
        // every date built costs a step, also the ones the limits below filter out: BYDAY lists of hundreds of
        // entries would otherwise build thousands of dates per period for a single step
        budget.spend(candidates.size() + rule.byDay().size());
        if (candidates.size() == 1) {
            return dayAllowed(candidates.get(0)) ? candidates : List.of();
        }
        candidates.removeIf(d -> !dayAllowed(d));
        return candidates;
    }

    private void yearDays(int year, List<LocalDate> out) {
        if (!rule.byWeekNo().isEmpty()) {
            LocalDate week1 = LocalDate.of(year, 1, 4).with(TemporalAdjusters.previousOrSame(rule.weekStart()));
            LocalDate nextWeek1 = LocalDate.of(year + 1, 1, 4)
                    .with(TemporalAdjusters.previousOrSame(rule.weekStart()));
            int weeks = (int) ChronoUnit.WEEKS.between(week1, nextWeek1);
            for (int w : rule.byWeekNo()) {
                int n = w > 0 ? w : weeks + w + 1;
                if (n < 1 || n > weeks) {
                    continue;
                }
                LocalDate first = week1.plusWeeks(n - 1L);
                for (int i = 0; i < 7; i++) {
                    LocalDate d = first.plusDays(i);
                    if (d.getYear() == year && (rule.byDay().isEmpty() || weekdayListed[d.getDayOfWeek().getValue()])) {
                        out.add(d);
                    }
                }
            }
        } else if (!rule.byYearDay().isEmpty()) {
            int length = LocalDate.of(year, 1, 1).lengthOfYear();
            for (int n : rule.byYearDay()) {
                int index = n > 0 ? n : length + n + 1;
                if (index >= 1 && index <= length) {
                    out.add(LocalDate.ofYearDay(year, index));
                }
            }
        } else if (!rule.byMonthDay().isEmpty()) {
            for (int m = 1; m <= 12; m++) {
                if (rule.byMonth().isEmpty() || rule.byMonth().contains(m)) {
                    monthDays(YearMonth.of(year, m), out);
                }
            }
        } else if (!rule.byDay().isEmpty()) {
            if (rule.byMonth().isEmpty()) {
                weekdaysIn(LocalDate.of(year, 1, 1), LocalDate.of(year, 12, 31), out);
            } else {
                for (int m : rule.byMonth()) {
                    YearMonth month = YearMonth.of(year, m);
                    weekdaysIn(month.atDay(1), month.atEndOfMonth(), out);
                }
            }
        } else if (!rule.byMonth().isEmpty()) {
            for (int m : rule.byMonth()) {
                dayOfMonth(YearMonth.of(year, m), seed.getDayOfMonth(), out);
            }
        } else {
            dayOfMonth(YearMonth.of(year, seed.getMonth()), seed.getDayOfMonth(), out);
        }
    }

    private void monthDays(YearMonth month, List<LocalDate> out) {
        int length = month.lengthOfMonth();
        for (int n : rule.byMonthDay()) {
            int day = n > 0 ? n : length + n + 1;
            if (day >= 1 && day <= length) {
                out.add(month.atDay(day));
            }
        }
    }

    private static void dayOfMonth(YearMonth month, int day, List<LocalDate> out) {
        if (day <= month.lengthOfMonth()) {
            out.add(month.atDay(day)); // the 31st of a 30-day month does not exist, and is skipped (RFC 5545)
        }
    }

    /** BYDAY within a span: every such weekday, or the n-th (from the end if negative). */
    private void weekdaysIn(LocalDate first, LocalDate last, List<LocalDate> out) {
        for (WeekdayNum w : rule.byDay()) {
            LocalDate firstOfDay = first.with(TemporalAdjusters.nextOrSame(w.day()));
            if (w.ordinal() == 0) {
                for (LocalDate d = firstOfDay; !d.isAfter(last); d = d.plusWeeks(1)) {
                    out.add(d);
                }
            } else if (w.ordinal() > 0) {
                LocalDate d = firstOfDay.plusWeeks(w.ordinal() - 1L);
                if (!d.isAfter(last)) {
                    out.add(d);
                }
            } else {
                LocalDate d = last.with(TemporalAdjusters.previousOrSame(w.day())).plusWeeks(w.ordinal() + 1L);
                if (!d.isBefore(first)) {
                    out.add(d);
                }
            }
        }
    }

    /** The limiting parts that apply to a single day, whatever the frequency. */
    private boolean dayAllowed(LocalDate d) {
        if (monthAllowed != null && !monthAllowed[d.getMonthValue()]) {
            return false;
        }
        Frequency f = rule.frequency();
        if (!rule.byMonthDay().isEmpty() && f != Frequency.YEARLY && f != Frequency.MONTHLY) {
            int length = d.lengthOfMonth();
            if (rule.byMonthDay().stream().noneMatch(n -> (n > 0 ? n : length + n + 1) == d.getDayOfMonth())) {
                return false;
            }
        }
        if (!rule.byYearDay().isEmpty() && f != Frequency.YEARLY) {
            int length = d.lengthOfYear();
            if (rule.byYearDay().stream().noneMatch(n -> (n > 0 ? n : length + n + 1) == d.getDayOfYear())) {
                return false;
            }
        }
        boolean byDayExpands = (f == Frequency.WEEKLY) || (f == Frequency.MONTHLY && rule.byMonthDay().isEmpty())
                || (f == Frequency.YEARLY && rule.byMonthDay().isEmpty() && rule.byYearDay().isEmpty()
                && rule.byWeekNo().isEmpty());
        if (!rule.byDay().isEmpty() && !byDayExpands && !weekdayListed[d.getDayOfWeek().getValue()]) {
            return false;
        }
        if (!rule.byWeekNo().isEmpty() && f != Frequency.YEARLY) {
            int week = d.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR);
            if (!rule.byWeekNo().contains(week)) {
                return false;
            }
        }
        return true;
    }

    private List<LocalTime> times(LocalDateTime start) {
        Frequency f = rule.frequency();
        List<Integer> hours = f.compareTo(Frequency.HOURLY) > 0
                ? or(rule.byHour(), seed.getHour()) : limit(rule.byHour(), start.getHour());
        List<Integer> minutes = f.compareTo(Frequency.MINUTELY) > 0
                ? or(rule.byMinute(), seed.getMinute()) : limit(rule.byMinute(), start.getMinute());
        List<Integer> seconds = f.compareTo(Frequency.SECONDLY) > 0
                ? or(rule.bySecond(), seed.getSecond()) : limit(rule.bySecond(), start.getSecond());
        List<LocalTime> out = new ArrayList<>(hours.size() * minutes.size() * seconds.size());
        for (int h : hours) {
            for (int m : minutes) {
                for (int s : seconds) {
                    out.add(LocalTime.of(h, m, Math.min(59, s))); // BYSECOND=60 (a leap second) reads as :59
                }
            }
        }
        return out;
    }

    private static boolean[] flags(List<Integer> values, int size) {
        if (values.isEmpty()) {
            return null;
        }
        boolean[] out = new boolean[size];
        values.forEach(v -> out[v] = true);
        return out;
    }

    private static List<Integer> or(List<Integer> values, int fallback) {
        return values.isEmpty() ? List.of(fallback) : values;
    }

    private static List<Integer> limit(List<Integer> values, int actual) {
        return values.isEmpty() || values.contains(actual) ? List.of(actual) : List.of();
    }
}
