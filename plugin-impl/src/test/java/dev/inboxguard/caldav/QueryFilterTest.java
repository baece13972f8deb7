package dev.inboxguard.caldav;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import net.fortuna.ical4j.model.Calendar;
import org.apache.jackrabbit.webdav.xml.DomUtil;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

/** The calendar-query filter language of RFC 4791 §9.7, and the time-range rules of §9.9, on parsed objects. */
class QueryFilterTest {
    private static final CalendarReader READER = new CalendarReader(ConfigFile.defaults().limits());

    static Calendar ics(String... lines) {
        String text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + String.join("\r\n", lines)
                + "\r\nEND:VCALENDAR\r\n";
        return ((CalendarRead.Parsed) READER.read(text.getBytes(StandardCharsets.UTF_8))).calendar();
    }

    static QueryFilter filter(String inner) throws Exception {
        String xml = "<C:filter xmlns:C=\"urn:ietf:params:xml:ns:caldav\">" + inner + "</C:filter>";
        Element e = DomUtil.parseDocument(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)))
                .getDocumentElement();
        return QueryFilter.read(e);
    }

    private static final Calendar WEEKLY = ics("BEGIN:VEVENT", "UID:w1", "DTSTAMP:20261101T000000Z",
            "DTSTART;TZID=Europe/Berlin:20261102T100000", "DURATION:PT1H", "RRULE:FREQ=WEEKLY;COUNT=4",
            "EXDATE;TZID=Europe/Berlin:20261116T100000", "SUMMARY:Weekly planning",
            "ATTENDEE;PARTSTAT=ACCEPTED;CN=Bob:mailto:bob@example.com", "BEGIN:VALARM", "ACTION:DISPLAY",
            "DESCRIPTION:soon", "TRIGGER:-PT15M", "END:VALARM", "END:VEVENT",
            "BEGIN:VEVENT", "UID:w1", "DTSTAMP:20261101T000000Z", "RECURRENCE-ID;TZID=Europe/Berlin:20261109T100000",
            "DTSTART;TZID=Europe/Berlin:20261110T150000", "DURATION:PT1H", "SUMMARY:Weekly planning (moved)",
            "END:VEVENT");

    @Test
    void rfc4791_9_7_1_nestedCompFilterAndIsNotDefined() throws Exception {
        assertTrue(filter("<C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\"/></C:comp-filter>")
                .matches(WEEKLY));
        assertFalse(filter("<C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VTODO\"/></C:comp-filter>")
                .matches(WEEKLY));
        assertTrue(filter("<C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VTODO\"><C:is-not-defined/>"
                + "</C:comp-filter></C:comp-filter>").matches(WEEKLY));
        assertTrue(filter("<C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\"><C:comp-filter "
                + "name=\"VALARM\"/></C:comp-filter></C:comp-filter>").matches(WEEKLY));
    }

    @Test
    void rfc4791_9_7_2_propFilterWithTextMatchAndNegation() throws Exception {
        String uid = "<C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\"><C:prop-filter name=\"UID\">"
                + "<C:text-match collation=\"i;octet\">%s</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter>";
        assertTrue(filter(uid.formatted("w1")).matches(WEEKLY));
        assertFalse(filter(uid.formatted("W1")).matches(WEEKLY), "i;octet is case-sensitive");
        assertFalse(filter(uid.formatted("nothing")).matches(WEEKLY));
        String summary = "<C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\"><C:prop-filter "
                + "name=\"SUMMARY\"><C:text-match negate-condition=\"%s\">PLANNING</C:text-match></C:prop-filter>"
                + "</C:comp-filter></C:comp-filter>";
        assertTrue(filter(summary.formatted("no")).matches(WEEKLY), "i;ascii-casemap by default");
        assertFalse(filter(summary.formatted("yes")).matches(WEEKLY));
        assertTrue(filter("<C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\"><C:prop-filter "
                + "name=\"LOCATION\"><C:is-not-defined/></C:prop-filter></C:comp-filter></C:comp-filter>")
                .matches(WEEKLY));
    }

    @Test
    void rfc4791_9_7_3_paramFilter() throws Exception {
        String partstat = "<C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\"><C:prop-filter "
                + "name=\"ATTENDEE\"><C:text-match>bob@example.com</C:text-match><C:param-filter name=\"PARTSTAT\">"
                + "<C:text-match>%s</C:text-match></C:param-filter></C:prop-filter></C:comp-filter></C:comp-filter>";
        assertTrue(filter(partstat.formatted("ACCEPTED")).matches(WEEKLY));
        assertFalse(filter(partstat.formatted("DECLINED")).matches(WEEKLY));
        assertTrue(filter("<C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\"><C:prop-filter "
                + "name=\"ATTENDEE\"><C:param-filter name=\"DELEGATED-FROM\"><C:is-not-defined/></C:param-filter>"
                + "</C:prop-filter></C:comp-filter></C:comp-filter>").matches(WEEKLY));
    }

    @Test
    void rfc5051_unicodeCasemapFoldsBeyondAscii() throws Exception {
        Calendar c = ics("BEGIN:VEVENT", "UID:u", "DTSTAMP:20261101T000000Z", "DTSTART:20261102T100000Z",
                "SUMMARY:ÄRGER im Büro", "END:VEVENT");
        String f = "<C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\"><C:prop-filter name=\"SUMMARY\">"
                + "<C:text-match collation=\"%s\">ärger</C:text-match></C:prop-filter></C:comp-filter></C:comp-filter>";
        assertTrue(filter(f.formatted("i;unicode-casemap")).matches(c));
        assertFalse(filter(f.formatted("i;ascii-casemap")).matches(c), "ASCII case mapping leaves Ä alone");
    }

    private static String eventRange(String start, String end) {
        return "<C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\"><C:time-range start=\"" + start
                + "\" end=\"" + end + "\"/></C:comp-filter></C:comp-filter>";
    }

    @Test
    void rfc4791_9_9_recurringEventMatchesOnlyWhereAnInstanceIs() throws Exception {
        // instances: Nov 2 and 23 at 09:00Z (CET); Nov 16 is excluded; Nov 9 moved to Nov 10 14:00Z
        assertTrue(filter(eventRange("20261102T083000Z", "20261102T093000Z")).matches(WEEKLY));
        assertFalse(filter(eventRange("20261116T000000Z", "20261117T000000Z")).matches(WEEKLY), "EXDATE");
        assertFalse(filter(eventRange("20261109T000000Z", "20261110T000000Z")).matches(WEEKLY),
                "the overridden instance is no longer there");
        assertTrue(filter(eventRange("20261110T140000Z", "20261110T141500Z")).matches(WEEKLY),
                "the override is where it moved");
        assertFalse(filter(eventRange("20261201T000000Z", "20270101T000000Z")).matches(WEEKLY), "COUNT ended");
        assertFalse(filter(eventRange("20261102T100000Z", "20261102T110000Z")).matches(WEEKLY),
                "an instance ending at the range's start does not overlap");
    }

    @Test
    void rfc4791_9_9_todoTable() throws Exception {
        String todo = "<C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VTODO\"><C:time-range start=\"%s\" "
                + "end=\"%s\"/></C:comp-filter></C:comp-filter>";
        Calendar dueOnly = ics("BEGIN:VTODO", "UID:t1", "DTSTAMP:20261101T000000Z", "DUE:20261105T120000Z",
                "END:VTODO");
        assertTrue(filter(todo.formatted("20261105T000000Z", "20261105T120000Z")).matches(dueOnly), "E >= DUE");
        assertFalse(filter(todo.formatted("20261105T120000Z", "20261106T000000Z")).matches(dueOnly), "S < DUE");
        Calendar completed = ics("BEGIN:VTODO", "UID:t2", "DTSTAMP:20261101T000000Z", "COMPLETED:20261103T080000Z",
                "END:VTODO");
        assertTrue(filter(todo.formatted("20261103T000000Z", "20261104T000000Z")).matches(completed));
        assertFalse(filter(todo.formatted("20261104T000000Z", "20261105T000000Z")).matches(completed));
        Calendar bare = ics("BEGIN:VTODO", "UID:t3", "DTSTAMP:20261101T000000Z", "SUMMARY:someday", "END:VTODO");
        assertTrue(filter(todo.formatted("19700101T000000Z", "19700102T000000Z")).matches(bare),
                "a to-do with no dates matches every range");
        Calendar startDuration = ics("BEGIN:VTODO", "UID:t4", "DTSTAMP:20261101T000000Z",
                "DTSTART:20261107T090000Z", "DURATION:PT2H", "END:VTODO");
        assertTrue(filter(todo.formatted("20261107T110000Z", "20261107T120000Z")).matches(startDuration),
                "S <= DTSTART+DURATION");
        assertFalse(filter(todo.formatted("20261107T110001Z", "20261107T120000Z")).matches(startDuration));
    }

    @Test
    void rfc4791_9_9_alarmTriggerTimes() throws Exception {
        String alarm = "<C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\"><C:comp-filter "
                + "name=\"VALARM\"><C:time-range start=\"%s\" end=\"%s\"/></C:comp-filter></C:comp-filter>"
                + "</C:comp-filter>";
        // the Nov 23 instance starts 09:00Z; its alarm fires 08:45Z
        assertTrue(filter(alarm.formatted("20261123T084000Z", "20261123T085000Z")).matches(WEEKLY));
        assertFalse(filter(alarm.formatted("20261123T085000Z", "20261123T090000Z")).matches(WEEKLY));
    }

    @Test
    void rfc4791_9_9_journalAndFreeBusy() throws Exception {
        Calendar journal = ics("BEGIN:VJOURNAL", "UID:j", "DTSTAMP:20261101T000000Z", "DTSTART;VALUE=DATE:20261104",
                "END:VJOURNAL");
        String j = "<C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VJOURNAL\"><C:time-range start=\"%s\" "
                + "end=\"%s\"/></C:comp-filter></C:comp-filter>";
        assertTrue(filter(j.formatted("20261104T120000Z", "20261104T130000Z")).matches(journal), "a date lasts a day");
        assertFalse(filter(j.formatted("20261105T000000Z", "20261106T000000Z")).matches(journal));
        Calendar busy = ics("BEGIN:VFREEBUSY", "UID:f", "DTSTAMP:20261101T000000Z",
                "FREEBUSY:20261106T100000Z/20261106T110000Z", "END:VFREEBUSY");
        String f = "<C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VFREEBUSY\"><C:time-range start=\"%s\" "
                + "end=\"%s\"/></C:comp-filter></C:comp-filter>";
        assertTrue(filter(f.formatted("20261106T103000Z", "20261106T120000Z")).matches(busy));
        assertFalse(filter(f.formatted("20261106T110000Z", "20261106T120000Z")).matches(busy));
    }

    @Test
    void rfc4791_7_8_unsupportedAndMalformedFiltersAreRefused() {
        QueryFilter.Refused collation = assertThrows(QueryFilter.Refused.class, () -> filter(
                "<C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\"><C:prop-filter name=\"UID\">"
                        + "<C:text-match collation=\"i;klingon\">x</C:text-match></C:prop-filter></C:comp-filter>"
                        + "</C:comp-filter>"));
        assertEquals("supported-collation", collation.precondition());
        QueryFilter.Refused unknown = assertThrows(QueryFilter.Refused.class, () -> filter(
                "<C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\"><C:fuzzy-match/></C:comp-filter>"
                        + "</C:comp-filter>"));
        assertEquals("supported-filter", unknown.precondition());
        QueryFilter.Refused notCalendar = assertThrows(QueryFilter.Refused.class, () -> filter(
                "<C:comp-filter name=\"VEVENT\"/>"));
        assertEquals("valid-filter", notCalendar.precondition());
        StringBuilder many = new StringBuilder("<C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\">");
        many.append("<C:prop-filter name=\"X\"/>".repeat(QueryFilter.MAX_ELEMENTS + 1));
        many.append("</C:comp-filter></C:comp-filter>");
        assertEquals("supported-filter", assertThrows(QueryFilter.Refused.class, () -> filter(many.toString()))
                .precondition());
    }

    @Test
    void theIndexHintIsOnlyGivenForOneKindInOneRange() throws Exception {
        assertEquals("VEVENT", filter(eventRange("20261101T000000Z", "20261201T000000Z")).hint().orElseThrow().kind());
        assertTrue(filter("<C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\"/></C:comp-filter>")
                .hint().isEmpty());
    }
}
