package dev.inboxguard.caldav;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.fortuna.ical4j.model.Calendar;
import org.apache.jackrabbit.webdav.xml.DomUtil;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/** calendar-data in REPORTs (RFC 4791 §9.6): partial retrieval, expand, limit-recurrence-set, limit-freebusy-set. */
class CalendarDataTest {
    static CalendarData data(String inner) throws Exception {
        String xml = "<C:calendar-data xmlns:C=\"urn:ietf:params:xml:ns:caldav\">" + inner + "</C:calendar-data>";
        Element e = DomUtil.parseDocument(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)))
                .getDocumentElement();
        return CalendarData.read(e);
    }

    // a Berlin series across the end of summer time: 08:00Z in October, 09:00Z from November
    private static final Calendar SERIES = QueryFilterTest.ics("BEGIN:VTIMEZONE", "TZID:Europe/Berlin",
            "BEGIN:STANDARD", "DTSTART:19701025T030000", "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
            "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100", "END:STANDARD", "BEGIN:DAYLIGHT", "DTSTART:19700329T020000",
            "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200", "END:DAYLIGHT",
            "END:VTIMEZONE",
            "BEGIN:VEVENT", "UID:s1", "DTSTAMP:20261001T000000Z", "DTSTART;TZID=Europe/Berlin:20261019T100000",
            "DTEND;TZID=Europe/Berlin:20261019T110000", "RRULE:FREQ=WEEKLY;COUNT=4", "SUMMARY:Standup",
            "DESCRIPTION:a long description", "END:VEVENT",
            "BEGIN:VEVENT", "UID:s1", "DTSTAMP:20261001T000000Z", "RECURRENCE-ID;TZID=Europe/Berlin:20261102T100000",
            "DTSTART;TZID=Europe/Berlin:20261102T120000", "DTEND;TZID=Europe/Berlin:20261102T130000",
            "SUMMARY:Standup (moved)", "END:VEVENT");

    private static int count(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    void rfc4791_9_6_5_expandGivesUtcInstancesWithoutRulesOrZones() throws Exception {
        String out = data("<C:expand start=\"20261001T000000Z\" end=\"20261201T000000Z\"/>").render(SERIES);
        assertEquals(4, count(out, "BEGIN:VEVENT"), out);
        assertFalse(out.contains("RRULE") || out.contains("VTIMEZONE") || out.contains("TZID"), out);
        assertTrue(out.contains("RECURRENCE-ID:20261019T080000Z\r\nDTSTART") || out.contains("DTSTART:20261019T080000Z"),
                "summer time: 10:00 Berlin is 08:00Z\n" + out);
        assertTrue(out.contains("DTSTART:20261109T090000Z"), "winter time: 10:00 Berlin is 09:00Z\n" + out);
        assertTrue(out.contains("RECURRENCE-ID:20261102T090000Z"), out);
        assertTrue(out.contains("SUMMARY:Standup (moved)") && out.contains("DTSTART:20261102T110000Z"), out);
    }

    @Test
    void rfc4791_9_6_5_expandKeepsOnlyInstancesInTheRange() throws Exception {
        String out = data("<C:expand start=\"20261101T000000Z\" end=\"20261103T000000Z\"/>").render(SERIES);
        assertEquals(1, count(out, "BEGIN:VEVENT"), out);
        assertTrue(out.contains("Standup (moved)"), out);
    }

    @Test
    void rfc4791_9_6_6_limitRecurrenceSetKeepsTheMasterAndTouchingOverrides() throws Exception {
        String none = data("<C:limit-recurrence-set start=\"20261201T000000Z\" end=\"20261202T000000Z\"/>")
                .render(SERIES);
        assertEquals(1, count(none, "BEGIN:VEVENT"), none);
        assertTrue(none.contains("RRULE"), none);
        String one = data("<C:limit-recurrence-set start=\"20261102T000000Z\" end=\"20261103T000000Z\"/>")
                .render(SERIES);
        assertEquals(2, count(one, "BEGIN:VEVENT"), one);
    }

    @Test
    void rfc4791_9_6_1_partialRetrievalWithNovalue() throws Exception {
        String out = data("<C:comp name=\"VCALENDAR\"><C:prop name=\"VERSION\"/><C:comp name=\"VEVENT\">"
                + "<C:prop name=\"UID\"/><C:prop name=\"SUMMARY\"/><C:prop name=\"DESCRIPTION\" novalue=\"yes\"/>"
                + "</C:comp></C:comp>").render(SERIES);
        assertTrue(out.startsWith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\n"), out);
        assertFalse(out.contains("PRODID") || out.contains("DTSTART") || out.contains("VTIMEZONE"), out);
        assertTrue(out.contains("\r\nDESCRIPTION:\r\n"), out);
        assertEquals(2, count(out, "SUMMARY:"), out);
    }

    @Test
    void rfc4791_9_6_7_limitFreeBusySet() throws Exception {
        Calendar busy = QueryFilterTest.ics("BEGIN:VFREEBUSY", "UID:f", "DTSTAMP:20261101T000000Z",
                "FREEBUSY:20261106T100000Z/20261106T110000Z", "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20261120T100000Z/PT1H",
                "END:VFREEBUSY");
        String out = data("<C:limit-freebusy-set start=\"20261115T000000Z\" end=\"20261130T000000Z\"/>").render(busy);
        assertFalse(out.contains("20261106T100000Z"), out);
        assertTrue(out.contains("FBTYPE=BUSY-TENTATIVE:20261120T100000Z/"), out);
    }

    @Test
    void expandAndLimitExcludeEachOther() {
        assertThrows(QueryFilter.Refused.class, () -> data("<C:expand start=\"20261001T000000Z\" "
                + "end=\"20261201T000000Z\"/><C:limit-recurrence-set start=\"20261001T000000Z\" "
                + "end=\"20261201T000000Z\"/>"));
    }

    @Test
    void aSeriesTooCostlyToExpandIsSaidSo() throws Exception {
        Calendar secondly = QueryFilterTest.ics("BEGIN:VEVENT", "UID:x", "DTSTAMP:20261101T000000Z",
                "DTSTART:20261101T000000Z", "RRULE:FREQ=SECONDLY", "END:VEVENT");
        CalendarData expand = data("<C:expand start=\"20261101T000000Z\" end=\"20261201T000000Z\"/>");
        assertThrows(CalendarData.TooCostly.class, () -> expand.render(secondly));
    }
}
