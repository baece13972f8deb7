package dev.inboxguard.checks.recurrence;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Real-world legitimate series and abusive ones, as whole iTIP REQUESTs. "Now" for all of them is
 * {@link #NOW}. Shared by the unit tests and the benchmarks.
 */
public final class RecurrenceCorpus {
    /** The instant every case is judged at. */
    public static final String NOW = "2026-11-21T00:00:00Z";

    /**
     * One message.
     *
     * @param name     what it is
     * @param expected the codes it must raise; empty for a legitimate series
     * @param ics      the message
     */
    public record Case(String name, Set<String> expected, byte[] ics) {
        /** @return true for a legitimate series */
        public boolean legitimate() {
            return expected.isEmpty();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final DateTimeFormatter BASIC = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss");
    private static final String BERLIN = String.join("\n",
            "BEGIN:VTIMEZONE", "TZID:Europe/Berlin",
            "BEGIN:DAYLIGHT", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "TZNAME:CEST", "DTSTART:19700329T020000",
            "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "END:DAYLIGHT",
            "BEGIN:STANDARD", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "TZNAME:CET", "DTSTART:19701025T030000",
            "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU", "END:STANDARD", "END:VTIMEZONE");

    private RecurrenceCorpus() {
    }

    /** @return every case */
    public static List<Case> all() {
        List<Case> c = new ArrayList<>();
        legitimate(c);
        abusive(c);
        return c;
    }

    private static void legitimate(List<Case> c) {
        c.add(ok("weekly meeting with no end", BERLIN, event(
                "DTSTART;TZID=Europe/Berlin:20261123T100000", "DTEND;TZID=Europe/Berlin:20261123T110000",
                "RRULE:FREQ=WEEKLY;BYDAY=MO")));
        c.add(ok("daily stand-up on weekdays", BERLIN, event(
                "DTSTART;TZID=Europe/Berlin:20261123T091500", "DTEND;TZID=Europe/Berlin:20261123T093000",
                "RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR")));
        c.add(ok("daily stand-up every day", "", event(
                "DTSTART:20261123T083000Z", "DURATION:PT15M", "RRULE:FREQ=DAILY")));
        c.add(ok("monthly last-Friday meeting", BERLIN, event(
                "DTSTART;TZID=Europe/Berlin:20261127T160000", "DTEND;TZID=Europe/Berlin:20261127T170000",
                "RRULE:FREQ=MONTHLY;BYDAY=-1FR")));
        c.add(ok("school term with holidays excluded", BERLIN, event(
                "DTSTART;TZID=Europe/Berlin:20260908T081500", "DTEND;TZID=Europe/Berlin:20260908T100000",
                "RRULE:FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20270701T000000Z",
                "EXDATE;TZID=Europe/Berlin:20261027T081500,20261029T081500,20261222T081500,20261224T081500",
                "EXDATE;TZID=Europe/Berlin:20261229T081500,20261231T081500,20270406T081500,20270408T081500")));
        c.add(ok("hourly conference sessions with COUNT", "", event(
                "DTSTART:20270315T080000Z", "DTEND:20270315T085000Z", "RRULE:FREQ=HOURLY;COUNT=8")));
        c.add(ok("yearly birthday", "", event(
                "DTSTART;VALUE=DATE:19850412", "DTEND;VALUE=DATE:19850413", "RRULE:FREQ=YEARLY",
                "TRANSP:TRANSPARENT")));
        c.add(ok("multi-day all-day event", "", event(
                "DTSTART;VALUE=DATE:20270510", "DTEND;VALUE=DATE:20270513")));
        c.add(ok("an event one year ahead", "", event(
                "DTSTART:20271120T140000Z", "DTEND:20271120T160000Z")));
        c.add(ok("fortnightly one-to-one", BERLIN, event(
                "DTSTART;TZID=Europe/Berlin:20261124T140000", "DTEND;TZID=Europe/Berlin:20261124T143000",
                "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU")));
        c.add(ok("quarterly review on the 15th", "", event(
                "DTSTART:20270115T130000Z", "DTEND:20270115T150000Z",
                "RRULE:FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15")));
        c.add(ok("first Monday of the month", "", event(
                "DTSTART:20261207T090000Z", "DTEND:20261207T100000Z", "RRULE:FREQ=MONTHLY;BYDAY=1MO")));
        c.add(ok("second Tuesday by BYSETPOS", "", event(
                "DTSTART:20261208T170000Z", "DTEND:20261208T180000Z",
                "RRULE:FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2")));
        c.add(ok("fourth Thursday of November", "", event(
                "DTSTART;VALUE=DATE:20261126", "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=4TH")));
        c.add(ok("weekly series with three moved instances", BERLIN, event(
                "DTSTART;TZID=Europe/Berlin:20261125T100000", "DTEND;TZID=Europe/Berlin:20261125T110000",
                "RRULE:FREQ=WEEKLY"), override("RECURRENCE-ID;TZID=Europe/Berlin:20261202T100000",
                "DTSTART;TZID=Europe/Berlin:20261203T100000", "DTEND;TZID=Europe/Berlin:20261203T110000"),
                override("RECURRENCE-ID;TZID=Europe/Berlin:20261209T100000",
                        "DTSTART;TZID=Europe/Berlin:20261209T150000", "DTEND;TZID=Europe/Berlin:20261209T160000"),
                override("RECURRENCE-ID;TZID=Europe/Berlin:20261216T100000",
                        "DTSTART;TZID=Europe/Berlin:20261216T103000", "DTEND;TZID=Europe/Berlin:20261216T113000")));
        c.add(ok("medication three times a day", "", event(
                "DTSTART:20261121T080000", "DURATION:PT5M", "RRULE:FREQ=DAILY;BYHOUR=8,14,20")));
        c.add(ok("a course on ten listed dates", "", event(
                "DTSTART:20270111T180000Z", "DTEND:20270111T200000Z",
                "RDATE:20270118T180000Z,20270125T180000Z,20270201T180000Z,20270208T180000Z,20270215T180000Z",
                "RDATE:20270222T180000Z,20270301T180000Z,20270308T180000Z,20270315T180000Z")));
        c.add(ok("extra dates given as periods", "", event(
                "DTSTART:20270111T180000Z", "DTEND:20270111T200000Z",
                "RDATE;VALUE=PERIOD:20270120T180000Z/20270120T210000Z,20270205T090000Z/PT8H")));
        c.add(ok("weekly meeting since 2015", BERLIN, event(
                "DTSTART;TZID=Europe/Berlin:20150105T100000", "DTEND;TZID=Europe/Berlin:20150105T110000",
                "RRULE:FREQ=WEEKLY;BYDAY=MO")));
        c.add(ok("daily reminder since 2010", "", event(
                "DTSTART;VALUE=DATE:20100101", "RRULE:FREQ=DAILY", "TRANSP:TRANSPARENT")));
        c.add(ok("floating-time weekly lesson", "", event(
                "DTSTART:20261124T170000", "DTEND:20261124T180000", "RRULE:FREQ=WEEKLY")));
        c.add(ok("daily in UTC until next summer", "", event(
                "DTSTART:20261201T070000Z", "DTEND:20261201T071500Z", "RRULE:FREQ=DAILY;UNTIL=20270630T070000Z")));
        c.add(ok("two-day workshop", "", event(
                "DTSTART:20270422T090000Z", "DTEND:20270422T170000Z", "RRULE:FREQ=DAILY;COUNT=2")));
        c.add(ok("sprint planning every two weeks for a year", "", event(
                "DTSTART:20270104T090000Z", "DTEND:20270104T110000Z",
                "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;UNTIL=20271231T000000Z")));
        c.add(ok("last day of February", "", event(
                "DTSTART;VALUE=DATE:20270228", "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1")));
        c.add(ok("weekly all-day event", "", event(
                "DTSTART;VALUE=DATE:20261127", "DTEND;VALUE=DATE:20261128", "RRULE:FREQ=WEEKLY")));
        c.add(ok("Outlook series in a Windows time zone", String.join("\n",
                "BEGIN:VTIMEZONE", "TZID:W. Europe Standard Time",
                "BEGIN:STANDARD", "DTSTART:16010101T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100",
                "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10", "END:STANDARD",
                "BEGIN:DAYLIGHT", "DTSTART:16010101T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200",
                "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3", "END:DAYLIGHT", "END:VTIMEZONE"),
                event("DTSTART;TZID=W. Europe Standard Time:20261126T140000",
                        "DTEND;TZID=W. Europe Standard Time:20261126T150000",
                        "RRULE:FREQ=WEEKLY;BYDAY=TH;INTERVAL=1")));
        c.add(ok("a time zone with its history as transition dates", String.join("\n",
                "BEGIN:VTIMEZONE", "TZID:America/New_York",
                "BEGIN:DAYLIGHT", "DTSTART:19670430T020000", "TZOFFSETFROM:-0500", "TZOFFSETTO:-0400",
                "RDATE:19670430T020000,19680428T020000,19690427T020000,19700426T020000,19710425T020000",
                "RDATE:19720430T020000,19730429T020000,19740106T020000,19750223T020000", "END:DAYLIGHT",
                "BEGIN:DAYLIGHT", "DTSTART:20070311T020000", "TZOFFSETFROM:-0500", "TZOFFSETTO:-0400",
                "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "END:DAYLIGHT",
                "BEGIN:STANDARD", "DTSTART:20071104T020000", "TZOFFSETFROM:-0400", "TZOFFSETTO:-0500",
                "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "END:STANDARD", "END:VTIMEZONE"),
                event("DTSTART;TZID=America/New_York:20261201T090000",
                        "DTEND;TZID=America/New_York:20261201T100000", "RRULE:FREQ=WEEKLY;BYDAY=TU,TH")));
        c.add(ok("a conference day of listed talks", "", event(
                "DTSTART:20270512T080000Z", "DURATION:PT45M",
                "RDATE:20270512T090000Z,20270512T100000Z,20270512T110000Z,20270512T120000Z,20270512T130000Z",
                "RDATE:20270512T140000Z,20270512T150000Z,20270512T160000Z,20270512T170000Z")));
        c.add(ok("weekly chore as a task", "", component("VTODO",
                "DTSTART:20261121T100000Z", "DUE:20261121T120000Z", "RRULE:FREQ=WEEKLY;BYDAY=SA", "PRIORITY:5")));
        c.add(ok("24-hour on-call shifts back to back", "", event(
                "DTSTART:20261123T080000Z", "DURATION:PT24H", "RRULE:FREQ=DAILY;COUNT=60")));
        c.add(ok("night shift across midnight", "", event(
                "DTSTART:20261123T220000", "DTEND:20261124T060000", "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE")));
        c.add(ok("weekday lunch walk, twice weekly in summer", "", event(
                "DTSTART:20270601T120000Z", "DTEND:20270601T123000Z",
                "RRULE:FREQ=YEARLY;BYMONTH=6,7,8;BYDAY=TU,TH")));
    }

    private static void abusive(List<Case> c) {
        c.add(bad("a 5-minute event every minute, forever", Set.of("recurrence.unbounded",
                "recurrence.too-many", "recurrence.too-dense", "recurrence.overlapping"), "", event(
                "DTSTART:20261121T000000Z", "DURATION:PT5M", "RRULE:FREQ=MINUTELY")));
        c.add(bad("every second, forever", Set.of("recurrence.unbounded", "recurrence.too-dense"), "", event(
                "DTSTART:20261121T000000Z", "RRULE:FREQ=SECONDLY")));
        c.add(bad("every hour, forever", Set.of("recurrence.unbounded", "recurrence.too-many"), "", event(
                "DTSTART:20261121T000000Z", "DURATION:PT30M", "RRULE:FREQ=HOURLY")));
        c.add(bad("every 30 minutes, forever", Set.of("recurrence.unbounded", "recurrence.too-dense"), "", event(
                "DTSTART:20261121T000000Z", "RRULE:FREQ=MINUTELY;INTERVAL=30")));
        c.add(bad("a million daily instances", Set.of("recurrence.too-many"), "", event(
                "DTSTART:20261121T090000Z", "RRULE:FREQ=DAILY;COUNT=1000000")));
        c.add(bad("5,000 weekly instances", Set.of("recurrence.too-many"), "", event(
                "DTSTART:20261121T090000Z", "RRULE:FREQ=WEEKLY;COUNT=5000")));
        c.add(bad("every quarter hour of every day", Set.of("recurrence.too-dense", "recurrence.too-many"), "",
                event("DTSTART:20261121T000000Z", "RRULE:FREQ=DAILY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,"
                        + "16,17,18,19,20,21,22,23;BYMINUTE=0,15,30,45")));
        c.add(bad("BYxxx lists that multiply to 97,000 a year", Set.of("recurrence.too-costly"), "", event(
                "DTSTART:20261121T000000Z", "RRULE:FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;BYMONTHDAY="
                        + "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28;BYHOUR=0,1,2,3,"
                        + "4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,5,10,15,20,25,30,35,40,"
                        + "45,50,55")));
        c.add(bad("a three-day event every day", Set.of("recurrence.overlapping"), "", event(
                "DTSTART:20261123T090000Z", "DURATION:P3D", "RRULE:FREQ=DAILY;COUNT=30")));
        c.add(bad("an eight-day event every week", Set.of("recurrence.overlapping"), "", event(
                "DTSTART;VALUE=DATE:20261123", "DTEND;VALUE=DATE:20261201", "RRULE:FREQ=WEEKLY")));
        c.add(bad("a weekly sleeper starting in 2031", Set.of("recurrence.far-future"), "", event(
                "DTSTART:20310106T090000Z", "DTEND:20310106T100000Z", "RRULE:FREQ=WEEKLY")));
        c.add(bad("a single sleeper ten years ahead", Set.of("recurrence.far-future"), "", event(
                "DTSTART:20361120T090000Z", "DTEND:20361120T100000Z")));
        c.add(bad("a dense sleeper", Set.of("recurrence.far-future", "recurrence.too-dense"), "", event(
                "DTSTART:20300101T000000Z", "RRULE:FREQ=MINUTELY;COUNT=2000")));
        c.add(bad("fifty listed instances on one day", Set.of("recurrence.too-dense"), "", event(
                "DTSTART:20261201T000000Z", "DURATION:PT10M", rdatesOneDay(50))));
        c.add(bad("twenty one-hour instances ten minutes apart", Set.of("recurrence.overlapping"), "", event(
                "DTSTART:20261201T080000Z", "DURATION:PT1H", rdatesEvery(20, 10))));
        c.add(bad("hourly until 2099", Set.of("recurrence.too-many"), "", event(
                "DTSTART:20261121T000000Z", "RRULE:FREQ=HOURLY;UNTIL=20991231T000000Z")));
        c.add(bad("every minute until 2099", Set.of("recurrence.too-many", "recurrence.too-dense"), "", event(
                "DTSTART:20261121T000000Z", "RRULE:FREQ=MINUTELY;UNTIL=20991231T000000Z")));
        c.add(bad("3,000 instances a second apart", Set.of("recurrence.too-dense"), "", event(
                "DTSTART:20261201T000000Z", "RRULE:FREQ=SECONDLY;COUNT=3000")));
        c.add(bad("every minute since 1970", Set.of("recurrence.too-many", "recurrence.too-dense"), "", event(
                "DTSTART:19700101T000000Z", "RRULE:FREQ=MINUTELY;UNTIL=20991231T000000Z")));
        c.add(bad("every 7 seconds since 1900", Set.of("recurrence.too-many", "recurrence.too-dense"), "", event(
                "DTSTART:19000101T000000Z", "RRULE:FREQ=SECONDLY;INTERVAL=7;UNTIL=20991231T000000Z")));
        c.add(bad("a time zone that changes every second", Set.of("timezone.abusive"), String.join("\n",
                "BEGIN:VTIMEZONE", "TZID:Bomb/Seconds",
                "BEGIN:STANDARD", "DTSTART:19700101T000000", "RRULE:FREQ=SECONDLY", "TZOFFSETFROM:+0100",
                "TZOFFSETTO:+0000", "END:STANDARD",
                "BEGIN:DAYLIGHT", "DTSTART:19700101T000001", "RRULE:FREQ=SECONDLY", "TZOFFSETFROM:+0000",
                "TZOFFSETTO:+0100", "END:DAYLIGHT", "END:VTIMEZONE"),
                event("DTSTART;TZID=Bomb/Seconds:20261201T100000", "DTEND;TZID=Bomb/Seconds:20261201T110000")));
        c.add(bad("a time zone that changes daily", Set.of("timezone.abusive"), String.join("\n",
                "BEGIN:VTIMEZONE", "TZID:Bomb/Daily",
                "BEGIN:STANDARD", "DTSTART:19700101T000000", "RRULE:FREQ=DAILY", "TZOFFSETFROM:+0100",
                "TZOFFSETTO:+0000", "END:STANDARD", "END:VTIMEZONE"),
                event("DTSTART;TZID=Bomb/Daily:20261201T100000")));
        c.add(bad("a time zone with 600 observances", Set.of("timezone.abusive"), manyObservances(600),
                event("DTSTART;TZID=Bomb/Many:20261201T100000")));
        c.add(bad("a time zone with 3,000 transition dates", Set.of("timezone.abusive"), manyTransitions(3000),
                event("DTSTART;TZID=Bomb/Dates:20261201T100000")));
        c.add(bad("a time zone rule that fires every Sunday", Set.of("timezone.abusive"), String.join("\n",
                "BEGIN:VTIMEZONE", "TZID:Bomb/Sundays",
                "BEGIN:STANDARD", "DTSTART:19700101T000000",
                "RRULE:FREQ=YEARLY;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12;BYDAY=SU", "TZOFFSETFROM:+0100",
                "TZOFFSETTO:+0000", "END:STANDARD", "END:VTIMEZONE"),
                event("DTSTART;TZID=Bomb/Sundays:20261201T100000")));
        c.add(bad("every half hour of every day of the week", Set.of("recurrence.too-dense"), "", event(
                "DTSTART:20261121T000000Z", "RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYHOUR=0,1,2,3,4,5,6,7,"
                        + "8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,30")));
        c.add(bad("every half hour of every day of the month", Set.of("recurrence.too-dense"), "", event(
                "DTSTART:20261121T000000Z", "RRULE:FREQ=MONTHLY;BYMONTHDAY=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,"
                        + "17,18,19,20,21,22,23,24,25,26,27,28,29,30,31;BYHOUR=0,2,4,6,8,10,12,14,16,18,20,22;"
                        + "BYMINUTE=0,15,30,45")));
        c.add(bad("every minute of every day of the year", Set.of("recurrence.too-costly"), "", event(
                "DTSTART:20261121T000000Z", "RRULE:FREQ=YEARLY;BYYEARDAY=" + range(1, 366) + ";BYHOUR="
                        + range(0, 23) + ";BYMINUTE=" + range(0, 59))));
        c.add(bad("a task every hour, forever", Set.of("recurrence.unbounded"), "", component("VTODO",
                "DTSTART:20261121T000000Z", "RRULE:FREQ=HOURLY", "PRIORITY:1")));
        c.add(bad("1,500 listed dates", Set.of("recurrence.too-many"), "", event(
                "DTSTART:20261201T000000Z", rdatesDaily(1500))));
        c.add(bad("600 changed instances", Set.of("recurrence.too-many"), "", manyOverrides(600)));
        c.add(bad("every minute for a week, each lasting an hour", Set.of("recurrence.overlapping",
                "recurrence.too-dense"), "", event(
                "DTSTART:20261201T000000Z", "DURATION:PT1H", "RRULE:FREQ=MINUTELY;UNTIL=20261208T000000Z")));
        // shapes reported against other calendar parsers, 2019-2026: each must be answered within the work budget
        c.add(bad("February 30th, counted from 1970", Set.of("recurrence.too-costly"), "", event(
                "DTSTART:19700101T090000Z", "DURATION:PT1H", "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=5")));
        c.add(bad("February 30th, forever", Set.of("recurrence.too-costly"), "", event(
                "DTSTART:19900101T090000Z", "DURATION:PT1H", "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30")));
        c.add(bad("April 31st every second, counted from 1970", Set.of("recurrence.too-costly"), "", event(
                "DTSTART:19700101T000000Z", "RRULE:FREQ=SECONDLY;BYMONTH=4;BYMONTHDAY=31;COUNT=3")));
        c.add(bad("every BYxxx list full, with COUNT=2", Set.of("recurrence.too-costly"), "", event(
                "DTSTART:20261121T000000Z", "RRULE:FREQ=YEARLY;BYMONTH=" + range(1, 12) + ";BYMONTHDAY="
                        + range(1, 31) + ";BYHOUR=" + range(0, 23) + ";BYMINUTE=" + range(0, 59) + ";BYSECOND="
                        + range(0, 59) + ";COUNT=2")));
        c.add(bad("every second, a billion times", Set.of("recurrence.too-many"), "", event(
                "DTSTART:20261121T000000Z", "RRULE:FREQ=SECONDLY;COUNT=1000000000")));
        c.add(bad("5,000 nested components", Set.of("limits.size"), "", event(
                "BEGIN:X-NEST\n".repeat(5000).strip(), "END:X-NEST\n".repeat(5000).strip())));
        c.add(bad("3,000 alarms side by side", Set.of("limits.size"), "", event(
                "DTSTART:20261201T100000Z", ("BEGIN:VALARM\nACTION:DISPLAY\nDESCRIPTION:x\nTRIGGER:-PT5M\n"
                        + "END:VALARM\n").repeat(3000).strip())));
        c.add(bad("400 changed instances that each recur every minute", Set.of("recurrence.too-costly"), "",
                recurringOverrides(400)));
        c.add(bad("an alarm that repeats a hundred million times", Set.of("limits.size"), "", event(
                "DTSTART:20261201T100000Z", "DTEND:20261201T110000Z", "BEGIN:VALARM", "ACTION:DISPLAY",
                "DESCRIPTION:Reminder", "TRIGGER:-PT15M", "DURATION:PT1S", "REPEAT:100000000", "END:VALARM")));
    }

    private static Case ok(String name, String timezones, String... components) {
        return new Case(name, Set.of(), message(timezones, components));
    }

    private static Case bad(String name, Set<String> expected, String timezones, String... components) {
        return new Case(name, expected, message(timezones, components));
    }

    private static int uid;

    private static String event(String... lines) {
        return component("VEVENT", lines);
    }

    private static String component(String kind, String... lines) {
        return "BEGIN:" + kind + "\nUID:corpus-" + (++uid) + "@example.com\nDTSTAMP:20261120T100000Z\n"
                + "SUMMARY:Corpus\nORGANIZER:mailto:alice@example.com\nATTENDEE:mailto:bob@example.com\n"
                + String.join("\n", lines) + "\nEND:" + kind;
    }

    /** An override of the series just built (the same UID). */
    private static String override(String... lines) {
        return "BEGIN:VEVENT\nUID:corpus-" + uid + "@example.com\nDTSTAMP:20261120T100000Z\n"
                + "SUMMARY:Corpus\nORGANIZER:mailto:alice@example.com\nATTENDEE:mailto:bob@example.com\n"
                + String.join("\n", lines) + "\nEND:VEVENT";
    }

    private static byte[] message(String timezones, String... components) {
        StringBuilder sb = new StringBuilder("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//InboxGuard corpus//EN\n"
                + "METHOD:REQUEST\n");
        if (!timezones.isEmpty()) {
            sb.append(timezones).append('\n');
        }
        for (String component : components) {
            sb.append(component).append('\n');
        }
        sb.append("END:VCALENDAR\n");
        return sb.toString().replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /** A weekly series whose changed instances each carry a rule of their own: each is a series to evaluate. */
    private static String recurringOverrides(int n) {
        StringBuilder sb = new StringBuilder(event("DTSTART:20261123T090000Z", "DURATION:PT1H",
                "RRULE:FREQ=WEEKLY"));
        LocalDateTime t = LocalDateTime.of(2026, 11, 23, 9, 0);
        for (int i = 0; i < n; i++) {
            sb.append('\n').append(override("RECURRENCE-ID:" + t.plusWeeks(i).format(BASIC) + "Z",
                    "DTSTART:" + t.plusWeeks(i).plusHours(1).format(BASIC) + "Z", "DURATION:PT1M",
                    "RRULE:FREQ=MINUTELY;COUNT=2000"));
        }
        return sb.toString();
    }

    private static String rdatesOneDay(int n) {
        LocalDateTime t = LocalDateTime.of(2026, 12, 2, 0, 0);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add(t.plusMinutes(20L * i).format(BASIC) + "Z");
        }
        return "RDATE:" + String.join(",", values);
    }

    private static String rdatesEvery(int n, int minutes) {
        LocalDateTime t = LocalDateTime.of(2026, 12, 2, 8, 0);
        List<String> values = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            values.add(t.plusMinutes((long) minutes * i).format(BASIC) + "Z");
        }
        return "RDATE:" + String.join(",", values);
    }

    private static String rdatesDaily(int n) {
        LocalDateTime t = LocalDateTime.of(2026, 12, 2, 9, 0);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            lines.add("RDATE:" + t.plusDays(i).format(BASIC) + "Z");
        }
        return String.join("\n", lines);
    }

    private static String manyOverrides(int n) {
        StringBuilder sb = new StringBuilder(event("DTSTART:20261123T090000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY"));
        LocalDateTime t = LocalDateTime.of(2026, 11, 23, 9, 0);
        for (int i = 0; i < n; i++) {
            sb.append('\n').append(override("RECURRENCE-ID:" + t.plusDays(i).format(BASIC) + "Z",
                    "DTSTART:" + t.plusDays(i).plusHours(1).format(BASIC) + "Z", "DURATION:PT1H"));
        }
        return sb.toString();
    }

    private static String manyObservances(int n) {
        StringBuilder sb = new StringBuilder("BEGIN:VTIMEZONE\nTZID:Bomb/Many");
        for (int i = 0; i < n; i++) {
            sb.append(String.format("\nBEGIN:STANDARD\nDTSTART:%04d0101T000000\nTZOFFSETFROM:+0100\n"
                    + "TZOFFSETTO:+0000\nEND:STANDARD", 1400 + i));
        }
        return sb.append("\nEND:VTIMEZONE").toString();
    }

    private static String manyTransitions(int n) {
        StringBuilder sb = new StringBuilder("BEGIN:VTIMEZONE\nTZID:Bomb/Dates\nBEGIN:STANDARD\n"
                + "DTSTART:19700101T000000\nTZOFFSETFROM:+0100\nTZOFFSETTO:+0000");
        LocalDateTime t = LocalDateTime.of(1970, 1, 1, 0, 0);
        for (int i = 0; i < n; i++) {
            sb.append(i % 20 == 0 ? "\nRDATE:" : ",").append(t.plusDays(i).format(BASIC));
        }
        return sb.append("\nEND:STANDARD\nEND:VTIMEZONE").toString();
    }

    private static String range(int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i <= to; i++) {
            sb.append(i == from ? "" : ",").append(i);
        }
        return sb.toString();
    }
}
