package dev.inboxguard.checks.recurrence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.YearMonth;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The expansion against the examples of RFC 5545 §3.8.5.3 and against brute-force oracles. */
class RuleIteratorTest {

    static List<LocalDateTime> expand(String rule, String dtstart, int max) {
        LocalMoment seed = LocalMoment.parse(dtstart).orElseThrow();
        RuleIterator it = new RuleIterator(RecurrenceRule.parse(rule).orElseThrow(), seed.time(), seed.date(),
                seed.time(), seed.time().plusYears(12));
        List<LocalDateTime> out = new ArrayList<>();
        while (it.hasNext() && out.size() < max) {
            out.add(it.next());
        }
        return out;
    }

    static List<LocalDateTime> at(String... values) {
        List<LocalDateTime> out = new ArrayList<>();
        for (String v : values) {
            out.add(LocalMoment.parse(v).orElseThrow().time());
        }
        return out;
    }

    @Test
    void rfc5545Examples() {
        assertEquals(at("19970902T090000", "19970903T090000", "19970904T090000"),
                expand("FREQ=DAILY;COUNT=3", "19970902T090000", 100));
        assertEquals(at("19970902T090000", "19970904T090000", "19970916T090000", "19970918T090000",
                "19970930T090000", "19971002T090000", "19971014T090000", "19971016T090000"),
                expand("FREQ=WEEKLY;INTERVAL=2;WKST=SU;BYDAY=TU,TH;COUNT=8", "19970902T090000", 100));
        assertEquals(at("19970902T090000", "19970915T090000", "19971002T090000", "19971015T090000"),
                expand("FREQ=MONTHLY;BYMONTHDAY=2,15;COUNT=4", "19970902T090000", 100));
        assertEquals(at("19970610T090000", "19970710T090000", "19980610T090000", "19980710T090000"),
                expand("FREQ=YEARLY;COUNT=4;BYMONTH=6,7", "19970610T090000", 100));
        assertEquals(at("19970101T090000", "19970410T090000", "19970719T090000", "20000101T090000",
                "20000409T090000", "20000718T090000"),
                expand("FREQ=YEARLY;INTERVAL=3;COUNT=6;BYYEARDAY=1,100,200", "19970101T090000", 100));
        assertEquals(at("19970519T090000", "19980518T090000", "19990517T090000"),
                expand("FREQ=YEARLY;BYDAY=20MO", "19970519T090000", 3));
        assertEquals(at("19970512T090000", "19980511T090000", "19990517T090000"),
                expand("FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO", "19970512T090000", 3));
        assertEquals(at("19980213T090000", "19980313T090000", "19981113T090000", "19990813T090000",
                "20001013T090000"),
                expand("FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13", "19970902T090000", 5));
        assertEquals(at("19961105T090000", "20001107T090000", "20041102T090000"),
                expand("FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;BYMONTHDAY=2,3,4,5,6,7,8", "19961105T090000", 3));
        assertEquals(at("19970904T090000", "19971007T090000", "19971106T090000"),
                expand("FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3", "19970904T090000", 100));
        assertEquals(at("19970902T090000", "19970902T120000", "19970902T150000"),
                expand("FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000Z", "19970902T090000", 100));
        assertEquals(at("19970902T090000", "19970902T091500", "19970902T093000", "19970902T094500",
                "19970902T100000", "19970902T101500"),
                expand("FREQ=MINUTELY;INTERVAL=15;COUNT=6", "19970902T090000", 100));
        assertEquals(93, expand("FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;BYDAY=SU,MO,TU,WE,TH,FR,SA",
                "19980101T090000", 1000).size());
        List<LocalDateTime> day = expand("FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40",
                "19970902T090000", 48);
        assertEquals(24, day.stream().filter(t -> t.toLocalDate().equals(LocalDate.of(1997, 9, 2))).count());
        assertEquals(LocalDateTime.of(1997, 9, 3, 9, 0), day.get(24));
    }

    @Test
    void thirtyFirstOfShortMonthsIsSkipped() {
        assertEquals(at("20270131T100000", "20270331T100000", "20270531T100000"),
                expand("FREQ=MONTHLY;COUNT=3", "20270131T100000", 10));
        assertEquals(at("20280229", "20320229"), expand("FREQ=YEARLY;COUNT=2", "20280229", 10));
    }

    @Test
    void lastWeekdayOfTheMonthAgreesWithJavaTime() {
        List<LocalDateTime> got = expand("FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1", "20260101T170000", 36);
        for (LocalDateTime t : got) {
            LocalDate last = YearMonth.from(t).atEndOfMonth();
            while (last.getDayOfWeek().getValue() > 5) {
                last = last.minusDays(1);
            }
            assertEquals(last, t.toLocalDate());
        }
        assertEquals(36, got.size());
    }

    @Test
    void ordinalWeekdaysAgreeWithJavaTime() {
        Random random = new Random(5545);
        for (int i = 0; i < 200; i++) {
            DayOfWeek day = DayOfWeek.of(1 + random.nextInt(7));
            int ordinal = random.nextBoolean() ? 1 + random.nextInt(4) : -1 - random.nextInt(4);
            String code = day.name().substring(0, 2);
            List<LocalDateTime> got = expand("FREQ=MONTHLY;BYDAY=" + ordinal + code, "20250101T120000", 24);
            List<LocalDate> expected = new ArrayList<>();
            for (YearMonth m = YearMonth.of(2025, 1); expected.size() < 24; m = m.plusMonths(1)) {
                LocalDate d = m.atDay(1).with(TemporalAdjusters.dayOfWeekInMonth(ordinal, day));
                if (YearMonth.from(d).equals(m)) {
                    expected.add(d);
                }
            }
            assertEquals(expected, got.stream().map(LocalDateTime::toLocalDate).collect(Collectors.toList()),
                    ordinal + code);
        }
    }

    @Test
    void dailyAndWeeklyRulesAgreeWithABruteForceOracle() {
        Random random = new Random(2445);
        String[] codes = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
        for (int i = 0; i < 300; i++) {
            List<Integer> days = new ArrayList<>();
            StringBuilder byDay = new StringBuilder();
            for (int d = 0; d < 7; d++) {
                if (random.nextInt(3) == 0) {
                    days.add(d + 1);
                    byDay.append(byDay.length() == 0 ? "" : ",").append(codes[d]);
                }
            }
            int month = 1 + random.nextInt(12);
            int interval = 1 + random.nextInt(3);
            boolean weekly = random.nextBoolean();
            String rule = "FREQ=" + (weekly ? "WEEKLY" : "DAILY") + ";INTERVAL=" + interval
                    + (byDay.length() > 0 ? ";BYDAY=" + byDay : "") + (random.nextBoolean() ? ";BYMONTH=" + month : "");
            LocalDate seed = LocalDate.of(2026, 1, 1).plusDays(random.nextInt(400));
            List<LocalDate> got = expand(rule, String.format("%04d%02d%02dT080000", seed.getYear(),
                    seed.getMonthValue(), seed.getDayOfMonth()), 60).stream().map(LocalDateTime::toLocalDate).toList();
            List<LocalDate> expected = new ArrayList<>();
            LocalDate weekOfSeed = seed.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            for (LocalDate d = seed; expected.size() < 60 && !d.isAfter(seed.plusYears(12)); d = d.plusDays(1)) {
                boolean dayOk = days.isEmpty() ? (weekly ? d.getDayOfWeek() == seed.getDayOfWeek() : true)
                        : days.contains(d.getDayOfWeek().getValue());
                boolean monthOk = !rule.contains("BYMONTH") || d.getMonthValue() == month;
                long step = weekly
                        ? java.time.temporal.ChronoUnit.WEEKS.between(weekOfSeed,
                        d.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)))
                        : java.time.temporal.ChronoUnit.DAYS.between(seed, d);
                if (dayOk && monthOk && step % interval == 0) {
                    expected.add(d);
                }
            }
            assertEquals(expected, got, rule + " from " + seed);
        }
    }

    @Test
    void startingAtTheWindowGivesTheSameInstancesAsWalkingFromTheSeed() {
        for (String rule : List.of("FREQ=DAILY", "FREQ=WEEKLY;BYDAY=MO,TH", "FREQ=MONTHLY;BYDAY=-1FR",
                "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "FREQ=HOURLY;INTERVAL=7", "FREQ=MINUTELY;INTERVAL=13;BYHOUR=9",
                "FREQ=WEEKLY;INTERVAL=3")) {
            RecurrenceRule r = RecurrenceRule.parse(rule).orElseThrow();
            LocalDateTime seed = LocalDateTime.of(2001, 3, 7, 9, 30);
            LocalDateTime from = LocalDateTime.of(2026, 11, 21, 0, 0);
            LocalDateTime to = from.plusDays(400);
            List<LocalDateTime> walked = new ArrayList<>();
            RuleIterator full = new RuleIterator(r, seed, false, seed, to);
            while (full.hasNext()) {
                LocalDateTime t = full.next();
                if (!t.isBefore(from)) {
                    walked.add(t);
                }
            }
            List<LocalDateTime> jumped = new ArrayList<>();
            RuleIterator skip = new RuleIterator(r, seed, false, from, to);
            skip.forEachRemaining(jumped::add);
            assertEquals(walked, jumped, rule);
            assertTrue(!jumped.isEmpty(), rule);
        }
    }

    @Test
    void highFrequencyLimitsAreJumpedOver() {
        // every second of 9:00-9:59 on Mondays: 3,600 a day, reached without stepping through the other seconds
        List<LocalDateTime> got = expand("FREQ=SECONDLY;BYHOUR=9;BYDAY=MO", "20261121T000000", 4000);
        assertEquals(4000, got.size());
        assertEquals(LocalDateTime.of(2026, 11, 23, 9, 0, 0), got.get(0));
        assertEquals(LocalDateTime.of(2026, 11, 30, 9, 6, 39), got.get(3999));
    }
}
