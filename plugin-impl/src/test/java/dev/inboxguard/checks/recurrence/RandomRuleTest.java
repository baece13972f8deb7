package dev.inboxguard.checks.recurrence;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.api.Verdict;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Random RRULEs, RDATE lists and VTIMEZONEs, hostile and plain, through the whole guard: every message gets a
 * verdict, and none takes longer than the time budget plus a margin for a loaded machine (the budget, not luck,
 * is what bounds the work).
 */
class RandomRuleTest {
    private static final String[] FREQS = {"SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"};
    private static final String[] DAYS = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
    private static final long BUDGET_MILLIS = 200;
    private static final long MARGIN_MILLIS = 800;

    @Test
    void everyRandomMessageGetsAVerdictWithinTheBudget() {
        Random random = new Random(20261121L);
        for (int i = 0; i < 20; i++) {
            RecurrenceCheckTest.verdict(message(new Random(i), rule(new Random(i)), i)); // warm up the JVM
        }
        long worst = 0;
        String worstRule = "";
        int messages = 600;
        long total = 0;
        for (int i = 0; i < messages; i++) {
            String rule = rule(random);
            byte[] ics = message(random, rule, i);
            long start = System.nanoTime();
            Verdict v = RecurrenceCheckTest.verdict(ics);
            long millis = (System.nanoTime() - start) / 1_000_000;
            total += millis;
            assertNotNull(v.action());
            if (millis > worst) {
                worst = millis;
                worstRule = rule;
            }
            assertTrue(millis < BUDGET_MILLIS + MARGIN_MILLIS, rule + " took " + millis + " ms");
        }
        System.out.printf("[random rules] %d messages, %d ms in all, worst %d ms for %s%n", messages, total, worst,
                worstRule);
    }

    static String rule(Random r) {
        List<String> parts = new ArrayList<>();
        parts.add("FREQ=" + FREQS[r.nextInt(FREQS.length)]);
        if (r.nextInt(3) == 0) {
            parts.add("INTERVAL=" + (r.nextInt(4) == 0 ? 1 + r.nextInt(100_000) : 1 + r.nextInt(5)));
        }
        switch (r.nextInt(4)) {
            case 0 -> parts.add("COUNT=" + (r.nextBoolean() ? 1 + r.nextInt(50) : 1 + r.nextInt(2_000_000)));
            case 1 -> parts.add(String.format("UNTIL=%04d%02d%02dT000000Z", 1900 + r.nextInt(300), 1 + r.nextInt(12),
                    1 + r.nextInt(28)));
            default -> {
            }
        }
        list(r, parts, "BYSECOND", 0, 59, false);
        list(r, parts, "BYMINUTE", 0, 59, false);
        list(r, parts, "BYHOUR", 0, 23, false);
        list(r, parts, "BYMONTHDAY", 1, 31, true);
        list(r, parts, "BYYEARDAY", 1, 366, true);
        list(r, parts, "BYWEEKNO", 1, 53, true);
        list(r, parts, "BYMONTH", 1, 12, false);
        list(r, parts, "BYSETPOS", 1, 366, true);
        if (r.nextInt(4) == 0) {
            List<String> days = new ArrayList<>();
            for (int i = 0; i <= r.nextInt(7); i++) {
                int ordinal = r.nextInt(3) == 0 ? (r.nextBoolean() ? 1 : -1) * (1 + r.nextInt(5)) : 0;
                days.add((ordinal == 0 ? "" : String.valueOf(ordinal)) + DAYS[r.nextInt(7)]);
            }
            parts.add("BYDAY=" + String.join(",", days));
        }
        if (r.nextInt(10) == 0) {
            parts.add("WKST=" + DAYS[r.nextInt(7)]);
        }
        java.util.Collections.shuffle(parts, r);
        return String.join(";", parts);
    }

    private static void list(Random r, List<String> parts, String name, int min, int max, boolean signed) {
        if (r.nextInt(5) != 0) {
            return;
        }
        int n = r.nextInt(4) == 0 ? 1 + r.nextInt(max - min + 1) : 1 + r.nextInt(4);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int v = min + r.nextInt(max - min + 1);
            values.add(String.valueOf(signed && r.nextBoolean() ? -v : v));
        }
        parts.add(name + "=" + String.join(",", values));
    }

    static byte[] message(Random r, String rule, int i) {
        StringBuilder sb = new StringBuilder("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//fuzz//EN\r\nMETHOD:REQUEST\r\n");
        boolean zone = r.nextInt(3) == 0;
        if (zone) {
            sb.append("BEGIN:VTIMEZONE\r\nTZID:Fuzz/Zone\r\n");
            for (int o = 0; o <= r.nextInt(3); o++) {
                sb.append(o % 2 == 0 ? "BEGIN:STANDARD\r\n" : "BEGIN:DAYLIGHT\r\n")
                        .append(String.format("DTSTART:%04d0101T000000\r\n", 1600 + r.nextInt(500)))
                        .append("RRULE:").append(rule(r)).append("\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n")
                        .append(o % 2 == 0 ? "END:STANDARD\r\n" : "END:DAYLIGHT\r\n");
            }
            sb.append("END:VTIMEZONE\r\n");
        }
        boolean allDay = r.nextInt(4) == 0;
        String start = String.format("%04d%02d%02d", 1900 + r.nextInt(250), 1 + r.nextInt(12), 1 + r.nextInt(28));
        sb.append("BEGIN:VEVENT\r\nUID:fuzz-").append(i).append("\r\nDTSTAMP:20261120T100000Z\r\nSUMMARY:fuzz\r\n")
                .append("ORGANIZER:mailto:alice@example.com\r\nATTENDEE:mailto:bob@example.com\r\n");
        if (allDay) {
            sb.append("DTSTART;VALUE=DATE:").append(start).append("\r\n");
        } else {
            sb.append(zone ? "DTSTART;TZID=Fuzz/Zone:" : "DTSTART:").append(start)
                    .append(String.format("T%02d%02d%02d", r.nextInt(24), r.nextInt(60), r.nextInt(60)))
                    .append(zone ? "" : "Z").append("\r\n");
            sb.append("DURATION:PT").append(1 + r.nextInt(600)).append("M\r\n");
        }
        sb.append("RRULE:").append(rule).append("\r\n");
        if (r.nextInt(5) == 0) {
            sb.append("RDATE").append(allDay ? ";VALUE=DATE:" : ":");
            int n = 1 + r.nextInt(40);
            for (int k = 0; k < n; k++) {
                sb.append(k == 0 ? "" : ",").append(String.format("%04d%02d%02d", 2026 + r.nextInt(3),
                        1 + r.nextInt(12), 1 + r.nextInt(28))).append(allDay ? "" : "T090000Z");
            }
            sb.append("\r\n");
        }
        sb.append("END:VEVENT\r\nEND:VCALENDAR\r\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }
}
