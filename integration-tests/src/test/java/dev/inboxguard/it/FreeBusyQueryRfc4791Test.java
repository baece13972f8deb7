package dev.inboxguard.it;

import static dev.inboxguard.it.RfcServer.NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 4791 §7.10 free-busy-query: the busy time of one calendar as a VFREEBUSY, with the RFC 5545 rules for what
 * is busy (TRANSP, STATUS, FBTYPE) and recurrence (EXDATE, moved and cancelled overrides).
 */
class FreeBusyQueryRfc4791Test {
    private static final String USER = "carol";
    private static final String CAL = "/dav/calendars/carol/fb/";

    @TempDir
    static Path data;
    private static RfcServer s;

    @BeforeAll
    static void start() throws Exception {
        s = RfcServer.start(data);
        s.calendar(USER, CAL, "VEVENT", "VFREEBUSY");
        // 10 May 2027: two overlapping meetings, to be merged into 10:00-12:00
        s.create(USER, CAL + "busy1.ics", Ical.event("fb-busy1", "20270510T100000Z", "20270510T110000Z", "A"));
        s.create(USER, CAL + "busy2.ics", Ical.event("fb-busy2", "20270510T103000Z", "20270510T120000Z", "B"));
        s.create(USER, CAL + "transparent.ics", Ical.event("fb-transp", "20270510T130000Z", "20270510T140000Z",
                "Reading", "TRANSP:TRANSPARENT"));
        s.create(USER, CAL + "cancelled.ics", Ical.event("fb-cancel", "20270510T140000Z", "20270510T150000Z",
                "Called off", "STATUS:CANCELLED"));
        s.create(USER, CAL + "tentative.ics", Ical.event("fb-tent", "20270510T150000Z", "20270510T160000Z",
                "Maybe", "STATUS:TENTATIVE"));
        s.create(USER, CAL + "later.ics", Ical.event("fb-later", "20270520T100000Z", "20270520T110000Z", "Later"));
        // daily 08:00-08:30 from 10 to 13 May: 11 May excluded, 12 May moved to 17:00, 13 May cancelled
        s.create(USER, CAL + "daily.ics", Ical.wrap("BEGIN:VEVENT", "UID:fb-daily", "DTSTAMP:20261121T080000Z",
                "DTSTART:20270510T080000Z", "DURATION:PT30M", "RRULE:FREQ=DAILY;COUNT=4",
                "EXDATE:20270511T080000Z", "SUMMARY:Coffee", "END:VEVENT",
                "BEGIN:VEVENT", "UID:fb-daily", "DTSTAMP:20261121T080000Z", "RECURRENCE-ID:20270512T080000Z",
                "DTSTART:20270512T170000Z", "DURATION:PT30M", "SUMMARY:Coffee late", "END:VEVENT",
                "BEGIN:VEVENT", "UID:fb-daily", "DTSTAMP:20261121T080000Z", "RECURRENCE-ID:20270513T080000Z",
                "DTSTART:20270513T080000Z", "DURATION:PT30M", "STATUS:CANCELLED", "SUMMARY:No coffee",
                "END:VEVENT"));
        s.create(USER, CAL + "published.ics", Ical.wrap("BEGIN:VFREEBUSY", "UID:fb-published",
                "DTSTAMP:20261121T080000Z", "DTSTART:20270501T000000Z", "DTEND:20270601T000000Z",
                "FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20270511T130000Z/20270511T140000Z",
                "FREEBUSY:20270513T120000Z/PT1H", "FREEBUSY:20270525T120000Z/PT1H", "END:VFREEBUSY"));
    }

    @AfterAll
    static void stop() throws Exception {
        s.close();
    }

    private static HttpResponse<String> freeBusy(String user, String cal, String start, String end)
            throws Exception {
        return s.report(user, cal, "1", "<?xml version=\"1.0\" encoding=\"utf-8\"?><C:free-busy-query " + NS
                + "><C:time-range start=\"" + start + "\" end=\"" + end + "\"/></C:free-busy-query>");
    }

    /** @return "FBTYPE START/END" for every period of every FREEBUSY property, in UTC with explicit ends */
    private static Set<String> periods(Ical.Comp vfreebusy) {
        Set<String> out = new TreeSet<>();
        for (Ical.Prop p : vfreebusy.props("FREEBUSY")) {
            String type = p.params.getOrDefault("FBTYPE", "BUSY");
            for (String period : p.value.split(",")) {
                out.add(type + " " + Ical.period(period));
            }
        }
        return out;
    }

    @Test
    @DisplayName("RFC 4791 §7.10 free-busy-query answers 200 text/calendar with one VFREEBUSY over the range")
    void rfc4791s7_10_answerIsAVfreebusy() throws Exception {
        HttpResponse<String> r = freeBusy(USER, CAL, "20270510T000000Z", "20270514T000000Z");
        assertEquals(200, r.statusCode(), "RFC 4791 §7.10 success is 200 OK: " + r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/calendar"),
                "RFC 4791 §7.10 the body is text/calendar: " + r.headers().map());
        Ical.Comp cal = Ical.parse(r.body());
        assertEquals("VCALENDAR", cal.name);
        assertEquals(1, cal.comps("VFREEBUSY").size(), "RFC 4791 §7.10 exactly one VFREEBUSY: " + r.body());
        assertTrue(cal.comps("VEVENT").isEmpty(), "RFC 4791 §7.10 no event data is disclosed: " + r.body());
        Ical.Comp fb = cal.comps("VFREEBUSY").get(0);
        assertEquals("20270510T000000Z", fb.value("DTSTART"), "RFC 4791 §7.10 DTSTART is the range start: " + r.body());
        assertEquals("20270514T000000Z", fb.value("DTEND"), "RFC 4791 §7.10 DTEND is the range end: " + r.body());
        for (Ical.Prop p : fb.props("FREEBUSY")) {
            assertTrue(p.value.matches("[0-9TZ/P,HMS]+"), "RFC 5545 §3.8.2.6 FREEBUSY periods in UTC: " + p);
        }
    }

    @Test
    @DisplayName("RFC 4791 §7.10 busy time: merged per FBTYPE; TRANSPARENT and CANCELLED ignored; TENTATIVE is "
            + "BUSY-TENTATIVE; EXDATE and overrides honoured; stored VFREEBUSY included")
    void rfc4791s7_10_busyPeriods() throws Exception {
        HttpResponse<String> r = freeBusy(USER, CAL, "20270510T000000Z", "20270514T000000Z");
        assertEquals(200, r.statusCode(), r.body());
        Set<String> got = periods(Ical.parse(r.body()).comps("VFREEBUSY").get(0));
        Set<String> expected = new TreeSet<>(List.of(
                "BUSY 20270510T080000Z/20270510T083000Z",
                "BUSY 20270510T100000Z/20270510T120000Z",
                "BUSY 20270512T170000Z/20270512T173000Z",
                "BUSY 20270513T120000Z/20270513T130000Z",
                "BUSY-TENTATIVE 20270510T150000Z/20270510T160000Z",
                "BUSY-UNAVAILABLE 20270511T130000Z/20270511T140000Z"));
        assertEquals(expected, got, "RFC 4791 §7.10 (with RFC 5545 §3.2.9 FBTYPE, §3.8.2.7 TRANSP, §3.8.1.11 "
                + "STATUS, §3.8.5.1 EXDATE, §3.8.4.4 RECURRENCE-ID): " + r.body());
    }

    @Test
    @DisplayName("RFC 4791 §7.10 a range with no busy time gives a VFREEBUSY without FREEBUSY")
    void rfc4791s7_10_emptyRange() throws Exception {
        HttpResponse<String> r = freeBusy(USER, CAL, "20270515T000000Z", "20270519T000000Z");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(Set.of(), periods(Ical.parse(r.body()).comps("VFREEBUSY").get(0)),
                "RFC 4791 §7.10 nothing is busy from 15 to 19 May: " + r.body());
    }

    @Test
    @DisplayName("RFC 4791 §7.10 a range over a year is refused with 403")
    void rfc4791s7_10_tooLongRangeIsRefused() throws Exception {
        HttpResponse<String> r = freeBusy(USER, CAL, "20270101T000000Z", "20280105T000000Z");
        assertEquals(403, r.statusCode(), "RFC 4791 §7.10 the server may refuse a range it will not compute: "
                + r.body());
        HttpResponse<String> year = freeBusy(USER, CAL, "20270101T000000Z", "20271231T000000Z");
        assertEquals(200, year.statusCode(), "RFC 4791 §7.10 a year is answered: " + year.body());
    }

    @Test
    @DisplayName("RFC 4791 §7.10 another user's calendar: no free-busy (404)")
    void rfc4791s7_10_otherUsersCalendar() throws Exception {
        HttpResponse<String> r = freeBusy("dave", CAL, "20270510T000000Z", "20270514T000000Z");
        assertEquals(404, r.statusCode(), "RFC 4791 §7.10 / RFC 3744: dave has no read-free-busy on carol's "
                + "calendar, and calendars are private here: " + r.body());
        assertTrue(!r.body().contains("FREEBUSY"), r.body());
    }
    @Test
    @DisplayName("RFC 4791 §5.2.2 / §7.10 floating and all-day events are busy in the calendar's calendar-timezone")
    void rfc4791s5_2_2_floatingTimesInTheCalendarTimezone() throws Exception {
        String cal = "/dav/calendars/carol/fb-berlin/";
        HttpResponse<String> made = s.mkcalendar(USER, cal, "<C:calendar-timezone>" + Ical.wrap(Ical.BERLIN)
                .replace("\r", "&#13;") + "</C:calendar-timezone><C:supported-calendar-component-set>"
                + "<C:comp name=\"VEVENT\"/></C:supported-calendar-component-set>");
        assertEquals(201, made.statusCode(), made.body());
        s.create(USER, cal + "floating.ics", Ical.wrap("BEGIN:VEVENT", "UID:fb-float", "DTSTAMP:20261121T080000Z",
                "DTSTART:20270610T100000", "DTEND:20270610T110000", "SUMMARY:Floating", "END:VEVENT"));
        s.create(USER, cal + "allday.ics", Ical.wrap("BEGIN:VEVENT", "UID:fb-allday", "DTSTAMP:20261121T080000Z",
                "DTSTART;VALUE=DATE:20270612", "DTEND;VALUE=DATE:20270613", "SUMMARY:Offsite", "END:VEVENT"));
        HttpResponse<String> r = freeBusy(USER, cal, "20270601T000000Z", "20270701T000000Z");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(Set.of("BUSY 20270610T080000Z/20270610T090000Z", "BUSY 20270611T220000Z/20270612T220000Z"),
                periods(Ical.parse(r.body()).comps("VFREEBUSY").get(0)), "RFC 4791 §5.2.2: the calendar-timezone "
                        + "resolves floating and DATE values to UTC (Berlin is UTC+2 in June): " + r.body());
    }
}
