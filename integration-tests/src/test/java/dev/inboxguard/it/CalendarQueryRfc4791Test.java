package dev.inboxguard.it;

import static dev.inboxguard.it.RfcServer.C;
import static dev.inboxguard.it.RfcServer.D;
import static dev.inboxguard.it.RfcServer.NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 4791 §7.8 calendar-query over the real server: the filter elements of §9.7 (comp-filter, prop-filter,
 * param-filter, is-not-defined, text-match with its collations and negate-condition) and the time-range rules of
 * §9.9 for each component type. One calendar holds events, to-dos, journals and stored free-busy; every query is
 * checked for exactly the objects it must return.
 */
class CalendarQueryRfc4791Test {
    private static final String USER = "alice";
    private static final String CAL = "/dav/calendars/alice/q/";

    private static final Set<String> EVENTS = Set.of("simple.ics", "nodesc.ics", "weekly.ics", "berlin.ics",
            "umlaut.ics", "alarmrel.ics", "alarmabs.ics");
    private static final Set<String> TODOS = Set.of("todo-dur.ics", "todo-due.ics", "todo-start.ics",
            "todo-dueonly.ics", "todo-completed.ics", "todo-created.ics", "todo-both.ics", "todo-none.ics");
    private static final Set<String> JOURNALS = Set.of("j-datetime.ics", "j-date.ics", "j-none.ics");
    private static final Set<String> FREEBUSY = Set.of("fb-dtstart.ics", "fb-periods.ics");

    @TempDir
    static Path data;
    private static RfcServer s;

    @BeforeAll
    static void start() throws Exception {
        s = RfcServer.start(data);
        s.calendar(USER, CAL, "VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY");
        s.create(USER, CAL + "simple.ics", Ical.wrap("BEGIN:VEVENT", "UID:q-simple", "DTSTAMP:20270101T120000Z",
                "DTSTART:20270310T100000Z", "DTEND:20270310T110000Z", "SUMMARY:Budget Review",
                "DESCRIPTION;LANGUAGE=en:Quarterly numbers", "LOCATION:Room 1", "END:VEVENT"));
        s.create(USER, CAL + "nodesc.ics", Ical.wrap("BEGIN:VEVENT", "UID:q-nodesc", "DTSTAMP:20261121T080000Z",
                "DTSTART:20270311T120000Z", "DURATION:PT1H", "SUMMARY:Lunch", "END:VEVENT"));
        // Mondays from 1 March, ten of them; 8 March is excluded, 15 March is moved to Wednesday 17 March 14:00
        s.create(USER, CAL + "weekly.ics", Ical.wrap("BEGIN:VEVENT", "UID:q-weekly", "DTSTAMP:20261121T080000Z",
                "DTSTART:20270301T090000Z", "DURATION:PT1H", "RRULE:FREQ=WEEKLY;COUNT=10",
                "EXDATE:20270308T090000Z", "SUMMARY:Standup", "DESCRIPTION:Team sync", "END:VEVENT",
                "BEGIN:VEVENT", "UID:q-weekly", "DTSTAMP:20261121T080000Z", "RECURRENCE-ID:20270315T090000Z",
                "DTSTART:20270317T140000Z", "DURATION:PT1H", "SUMMARY:Standup (moved)", "DESCRIPTION:Team sync",
                "END:VEVENT"));
        // Saturdays 10:00 Berlin time: 20 and 27 March (CET, 09:00Z), 3 April (CEST, 08:00Z)
        s.create(USER, CAL + "berlin.ics", Ical.wrap(Ical.BERLIN, "BEGIN:VEVENT", "UID:q-berlin",
                "DTSTAMP:20261121T080000Z", "DTSTART;TZID=Europe/Berlin:20270320T100000", "DURATION:PT1H",
                "RRULE:FREQ=WEEKLY;COUNT=3", "SUMMARY:Yoga", "DESCRIPTION:Stretch", "END:VEVENT"));
        s.create(USER, CAL + "umlaut.ics", Ical.event("q-umlaut", "20270312T100000Z", "20270312T110000Z",
                "ÄRGER im Büro", "DESCRIPTION:Complaints"));
        s.create(USER, CAL + "alarmrel.ics", Ical.wrap("BEGIN:VEVENT", "UID:q-alarmrel",
                "DTSTAMP:20261121T080000Z", "DTSTART:20270801T100000Z", "DTEND:20270801T110000Z",
                "SUMMARY:Dentist", "DESCRIPTION:Teeth", "BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT15M",
                "DESCRIPTION:Reminder", "END:VALARM", "END:VEVENT"));
        // triggers at 20:00, 20:30 and 21:00 the evening before
        s.create(USER, CAL + "alarmabs.ics", Ical.wrap("BEGIN:VEVENT", "UID:q-alarmabs",
                "DTSTAMP:20261121T080000Z", "DTSTART:20270802T100000Z", "DTEND:20270802T120000Z",
                "SUMMARY:Flight", "DESCRIPTION:Plane", "BEGIN:VALARM", "ACTION:DISPLAY",
                "TRIGGER;VALUE=DATE-TIME:20270801T200000Z", "REPEAT:2", "DURATION:PT30M", "DESCRIPTION:Pack",
                "END:VALARM", "END:VEVENT"));

        todo("todo-dur", "DTSTART:20270401T100000Z", "DURATION:PT2H");
        todo("todo-due", "DTSTART:20270402T100000Z", "DUE:20270402T120000Z");
        todo("todo-start", "DTSTART:20270408T100000Z");
        todo("todo-dueonly", "DUE:20270403T120000Z");
        todo("todo-completed", "COMPLETED:20270404T120000Z");
        todo("todo-created", "CREATED:20270101T000000Z");
        todo("todo-both", "CREATED:20270406T000000Z", "COMPLETED:20270407T000000Z");
        todo("todo-none");

        s.create(USER, CAL + "j-datetime.ics", Ical.wrap("BEGIN:VJOURNAL", "UID:q-jdt", "DTSTAMP:20261121T080000Z",
                "DTSTART:20270405T100000Z", "SUMMARY:Notes", "END:VJOURNAL"));
        s.create(USER, CAL + "j-date.ics", Ical.wrap("BEGIN:VJOURNAL", "UID:q-jd", "DTSTAMP:20261121T080000Z",
                "DTSTART;VALUE=DATE:20270406", "SUMMARY:Diary", "END:VJOURNAL"));
        s.create(USER, CAL + "j-none.ics", Ical.wrap("BEGIN:VJOURNAL", "UID:q-jn", "DTSTAMP:20261121T080000Z",
                "SUMMARY:Undated", "END:VJOURNAL"));

        s.create(USER, CAL + "fb-dtstart.ics", Ical.wrap("BEGIN:VFREEBUSY", "UID:q-fb1",
                "DTSTAMP:20261121T080000Z", "DTSTART:20270601T000000Z", "DTEND:20270608T000000Z",
                "FREEBUSY:20270602T100000Z/PT1H", "END:VFREEBUSY"));
        s.create(USER, CAL + "fb-periods.ics", Ical.wrap("BEGIN:VFREEBUSY", "UID:q-fb2",
                "DTSTAMP:20261121T080000Z", "FREEBUSY:20270701T100000Z/20270701T110000Z", "END:VFREEBUSY"));
    }

    private static void todo(String name, String... props) throws Exception {
        String[] lines = new String[props.length + 5];
        lines[0] = "BEGIN:VTODO";
        lines[1] = "UID:q-" + name;
        lines[2] = "DTSTAMP:20261121T080000Z";
        lines[3] = "SUMMARY:" + name;
        System.arraycopy(props, 0, lines, 4, props.length);
        lines[lines.length - 1] = "END:VTODO";
        s.create(USER, CAL + name + ".ics", Ical.wrap(lines));
    }

    @AfterAll
    static void stop() throws Exception {
        s.close();
    }

    // ---- helpers

    private static HttpResponse<String> rawQuery(String filter) throws Exception {
        return s.report(USER, CAL, "1", "<?xml version=\"1.0\" encoding=\"utf-8\"?><C:calendar-query " + NS
                + "><D:prop><D:getetag/></D:prop><C:filter>" + filter + "</C:filter></C:calendar-query>");
    }

    /** @return the names of the objects the query returns; every one must come with its ETag */
    private static Set<String> query(String filter) throws Exception {
        DavXml.Multistatus ms = DavXml.multistatus("calendar-query " + filter, rawQuery(filter));
        Set<String> names = new TreeSet<>();
        for (DavXml.Response r : ms.responses) {
            assertTrue(r.path.startsWith(CAL), "RFC 4791 §7.8 only members of the calendar: " + r.path);
            assertTrue(r.status(D, "getetag") == 200, "RFC 4791 §7.8 each match has its DAV:getetag: " + ms.body);
            names.add(r.path.substring(CAL.length()));
        }
        return names;
    }

    private static String vcal(String inner) {
        return "<C:comp-filter name=\"VCALENDAR\">" + inner + "</C:comp-filter>";
    }

    private static String comp(String name, String inner) {
        return vcal("<C:comp-filter name=\"" + name + "\">" + inner + "</C:comp-filter>");
    }

    private static String range(String start, String end) {
        return "<C:time-range start=\"" + start + "\" end=\"" + end + "\"/>";
    }

    private static String summary(String textMatch) {
        return comp("VEVENT", "<C:prop-filter name=\"SUMMARY\">" + textMatch + "</C:prop-filter>");
    }

    private static Set<String> set(String... names) {
        return new TreeSet<>(Set.of(names));
    }

    private static Set<String> minus(Set<String> all, String... names) {
        Set<String> out = new TreeSet<>(all);
        out.removeAll(Set.of(names));
        return out;
    }

    private static void assertQuery(Set<String> expected, String filter, String rfc) throws Exception {
        assertEquals(new TreeSet<>(expected), query(filter), rfc + " -- filter " + filter);
    }

    private static void assertRefused(String precondition, String filter, String rfc) throws Exception {
        HttpResponse<String> r = rawQuery(filter);
        assertEquals(403, r.statusCode(), rfc + " -- filter " + filter + ": " + r.body());
        assertTrue(DavXml.hasPrecondition(r.body(), C, precondition),
                rfc + " -- the DAV:error names CALDAV:" + precondition + ": " + r.body());
    }

    // ---- §9.7.1 comp-filter

    @Test
    @DisplayName("RFC 4791 §9.7.1 a comp-filter selects objects by component type")
    void rfc4791s9_7_1_compFilterSelectsByComponentType() throws Exception {
        Set<String> all = new TreeSet<>(EVENTS);
        all.addAll(TODOS);
        all.addAll(JOURNALS);
        all.addAll(FREEBUSY);
        assertQuery(all, vcal(""), "RFC 4791 §9.7.1 VCALENDAR alone matches every object");
        assertQuery(EVENTS, comp("VEVENT", ""), "RFC 4791 §9.7.1 VEVENT");
        assertQuery(TODOS, comp("VTODO", ""), "RFC 4791 §9.7.1 VTODO");
        assertQuery(JOURNALS, comp("VJOURNAL", ""), "RFC 4791 §9.7.1 VJOURNAL");
        assertQuery(FREEBUSY, comp("VFREEBUSY", ""), "RFC 4791 §9.7.1 VFREEBUSY");
    }

    @Test
    @DisplayName("RFC 4791 §9.7.1 nested comp-filter and is-not-defined on a sub-component (VALARM)")
    void rfc4791s9_7_1_nestedCompFilterAndIsNotDefined() throws Exception {
        assertQuery(set("alarmrel.ics", "alarmabs.ics"), comp("VEVENT", "<C:comp-filter name=\"VALARM\"/>"),
                "RFC 4791 §9.7.1 VCALENDAR > VEVENT > VALARM matches events with an alarm");
        assertQuery(minus(EVENTS, "alarmrel.ics", "alarmabs.ics"),
                comp("VEVENT", "<C:comp-filter name=\"VALARM\"><C:is-not-defined/></C:comp-filter>"),
                "RFC 4791 §9.7.1 VALARM is-not-defined matches events without an alarm");
        assertQuery(set(), comp("VEVENT", "<C:comp-filter name=\"VTODO\"/>"),
                "RFC 4791 §9.7.1 no event holds a VTODO");
    }

    // ---- §9.7.2 prop-filter, §9.7.4 is-not-defined

    @Test
    @DisplayName("RFC 4791 §9.7.2 prop-filter: a property is defined / §9.7.4 is-not-defined")
    void rfc4791s9_7_2_propFilterAndIsNotDefined() throws Exception {
        assertQuery(set("simple.ics"), comp("VEVENT", "<C:prop-filter name=\"LOCATION\"/>"),
                "RFC 4791 §9.7.2 an empty prop-filter matches when the property is defined");
        assertQuery(set("nodesc.ics"),
                comp("VEVENT", "<C:prop-filter name=\"DESCRIPTION\"><C:is-not-defined/></C:prop-filter>"),
                "RFC 4791 §9.7.4 DESCRIPTION is-not-defined matches only the event without one (an alarm's "
                        + "DESCRIPTION does not count)");
        assertQuery(set("todo-due.ics", "todo-dueonly.ics"), comp("VTODO", "<C:prop-filter name=\"DUE\"/>"),
                "RFC 4791 §9.7.2 to-dos with DUE");
        assertQuery(minus(TODOS, "todo-due.ics", "todo-dueonly.ics"),
                comp("VTODO", "<C:prop-filter name=\"DUE\"><C:is-not-defined/></C:prop-filter>"),
                "RFC 4791 §9.7.4 to-dos without DUE");
    }

    @Test
    @DisplayName("RFC 4791 §9.7.3 param-filter with text-match and with is-not-defined")
    void rfc4791s9_7_3_paramFilter() throws Exception {
        assertQuery(set("berlin.ics"), comp("VEVENT", "<C:prop-filter name=\"DTSTART\"><C:param-filter "
                        + "name=\"TZID\"><C:text-match>Europe/Berlin</C:text-match></C:param-filter></C:prop-filter>"),
                "RFC 4791 §9.7.3 DTSTART;TZID=Europe/Berlin");
        assertQuery(set("simple.ics"), comp("VEVENT", "<C:prop-filter name=\"DESCRIPTION\"><C:param-filter "
                        + "name=\"LANGUAGE\"/></C:prop-filter>"),
                "RFC 4791 §9.7.3 an empty param-filter matches when the parameter is defined");
        assertQuery(set("weekly.ics", "berlin.ics", "umlaut.ics", "alarmrel.ics", "alarmabs.ics"),
                comp("VEVENT", "<C:prop-filter name=\"DESCRIPTION\"><C:param-filter name=\"LANGUAGE\">"
                        + "<C:is-not-defined/></C:param-filter></C:prop-filter>"),
                "RFC 4791 §9.7.3/§9.7.4 DESCRIPTION without LANGUAGE (the event with no DESCRIPTION is not "
                        + "matched: the prop-filter needs the property)");
        assertQuery(set(), comp("VEVENT", "<C:prop-filter name=\"DESCRIPTION\"><C:param-filter "
                        + "name=\"LANGUAGE\"><C:text-match>de</C:text-match></C:param-filter></C:prop-filter>"),
                "RFC 4791 §9.7.3 LANGUAGE=de matches nothing");
    }

    // ---- §9.7.5 text-match and §7.5 collations

    @Test
    @DisplayName("RFC 4791 §9.7.5 text-match is a substring match, i;ascii-casemap by default")
    void rfc4791s9_7_5_textMatchDefaultCollation() throws Exception {
        assertQuery(set("simple.ics"), summary("<C:text-match>budget</C:text-match>"),
                "RFC 4791 §9.7.5 the default collation i;ascii-casemap ignores ASCII case");
        assertQuery(set("simple.ics"), summary("<C:text-match collation=\"i;ascii-casemap\">GET REV"
                + "</C:text-match>"), "RFC 4791 §9.7.5 a substring in the middle");
        assertQuery(set(), summary("<C:text-match collation=\"i;ascii-casemap\">ärger</C:text-match>"),
                "RFC 4790 §9.2 i;ascii-casemap folds only ASCII letters: 'ä' is not 'Ä'");
        assertQuery(set("umlaut.ics"), summary("<C:text-match collation=\"i;ascii-casemap\">Ärger</C:text-match>"),
                "RFC 4790 §9.2 i;ascii-casemap: 'Ä' equals 'Ä', 'rger' equals 'RGER'");
    }

    @Test
    @DisplayName("RFC 4791 §7.5.1 collations i;octet and i;unicode-casemap")
    void rfc4791s7_5_1_octetAndUnicodeCasemap() throws Exception {
        assertQuery(set(), summary("<C:text-match collation=\"i;octet\">budget</C:text-match>"),
                "RFC 4790 §9.3 i;octet is case-sensitive");
        assertQuery(set("simple.ics"), summary("<C:text-match collation=\"i;octet\">Budget</C:text-match>"),
                "RFC 4790 §9.3 i;octet exact octets");
        assertQuery(set("umlaut.ics"), summary("<C:text-match collation=\"i;octet\">ÄRGER</C:text-match>"),
                "RFC 4790 §9.3 i;octet with non-ASCII octets");
        assertQuery(set("umlaut.ics"), summary("<C:text-match collation=\"i;unicode-casemap\">ärger</C:text-match>"),
                "RFC 5051 i;unicode-casemap folds 'Ä' to 'ä'");
        assertQuery(set("umlaut.ics"), summary("<C:text-match collation=\"i;unicode-casemap\">BÜRO</C:text-match>"),
                "RFC 5051 i;unicode-casemap folds 'ü' to 'Ü'");
    }

    @Test
    @DisplayName("RFC 4791 §9.7.5 negate-condition=\"yes\" inverts the match (the property must still exist)")
    void rfc4791s9_7_5_negateCondition() throws Exception {
        assertQuery(minus(EVENTS, "simple.ics"),
                summary("<C:text-match negate-condition=\"yes\">budget</C:text-match>"),
                "RFC 4791 §9.7.5 SUMMARY not containing 'budget'");
        assertQuery(set("simple.ics"), summary("<C:text-match negate-condition=\"no\">budget</C:text-match>"),
                "RFC 4791 §9.7.5 negate-condition=\"no\" is the plain match");
        assertQuery(set(), comp("VEVENT", "<C:prop-filter name=\"LOCATION\"><C:text-match negate-condition=\"yes\">"
                        + "Room</C:text-match></C:prop-filter>"),
                "RFC 4791 §9.7.5 the only LOCATION contains 'Room'; events without LOCATION do not match");
    }

    @Test
    @DisplayName("RFC 4791 §7.8 precondition CALDAV:supported-collation: an unknown collation is refused")
    void rfc4791s7_8_unknownCollationIsRefused() throws Exception {
        assertRefused("supported-collation", summary("<C:text-match collation=\"i;no-such-collation\">x"
                + "</C:text-match>"), "RFC 4791 §7.8 (CALDAV:supported-collation)");
    }

    @Test
    @DisplayName("RFC 4791 §7.8 precondition CALDAV:supported-filter: an unknown filter element is refused")
    void rfc4791s7_8_unknownFilterElementIsRefused() throws Exception {
        assertRefused("supported-filter", comp("VEVENT", "<C:where-filter name=\"SUMMARY\"/>"),
                "RFC 4791 §7.8 (CALDAV:supported-filter)");
    }

    @Test
    @DisplayName("RFC 4791 §7.8 precondition CALDAV:valid-filter: malformed filters are refused")
    void rfc4791s7_8_malformedFilterIsRefused() throws Exception {
        assertRefused("valid-filter", comp("VEVENT", range("yesterday", "20270101T000000Z")),
                "RFC 4791 §7.8/§9.9 (CALDAV:valid-filter) a time-range start that is no date-time");
        assertRefused("valid-filter", comp("VEVENT", "<C:time-range/>"),
                "RFC 4791 §9.9 (CALDAV:valid-filter) a time-range needs start or end");
        assertRefused("valid-filter", comp("VEVENT", range("20270101T000000", "20270102T000000")),
                "RFC 4791 §9.9 (CALDAV:valid-filter) start and end MUST be UTC");
        assertRefused("valid-filter", vcal("<C:comp-filter/>"),
                "RFC 4791 §9.7.1 (CALDAV:valid-filter) a comp-filter needs its name");
    }

    // ---- §9.9 time-range

    @Test
    @DisplayName("RFC 4791 §9.9 VEVENT time-range: single events and a week with an EXDATE'd series instance")
    void rfc4791s9_9_veventSingleAndExdate() throws Exception {
        assertQuery(set("simple.ics", "nodesc.ics", "umlaut.ics"), comp("VEVENT",
                        range("20270308T000000Z", "20270314T000000Z")),
                "RFC 4791 §9.9 the week of 8 March: three single events; the series' only instance there is "
                        + "excluded by EXDATE, so the series does not match");
        assertQuery(set(), comp("VEVENT", range("20270308T000000Z", "20270309T000000Z")),
                "RFC 4791 §9.9 8 March has only the EXDATE'd instance");
        assertQuery(set("simple.ics"), comp("VEVENT", range("20270310T105959Z", "20270310T110000Z")),
                "RFC 4791 §9.9 (start < DTEND) AND (end > DTSTART)");
        assertQuery(set(), comp("VEVENT", range("20270310T110000Z", "20270310T120000Z")),
                "RFC 4791 §9.9 a range that starts at DTEND does not overlap");
    }

    @Test
    @DisplayName("RFC 4791 §9.9 VEVENT time-range: an overridden instance counts where it was moved to")
    void rfc4791s9_9_veventOverrideMoved() throws Exception {
        assertQuery(set(), comp("VEVENT", range("20270315T000000Z", "20270317T000000Z")),
                "RFC 4791 §9.9 the 15 March instance was moved away: nothing there");
        assertQuery(set("weekly.ics"), comp("VEVENT", range("20270317T000000Z", "20270318T000000Z")),
                "RFC 4791 §9.9 the override moved into 17 March matches");
        assertQuery(set("weekly.ics"), comp("VEVENT", range("20270322T083000Z", "20270322T093000Z")),
                "RFC 4791 §9.9 a regular instance (22 March)");
        assertQuery(set(), comp("VEVENT", range("20270510T000000Z", "20270511T000000Z")),
                "RFC 4791 §9.9 after COUNT=10 the series has no instance");
    }

    @Test
    @DisplayName("RFC 4791 §9.9 VEVENT time-range: TZID=Europe/Berlin instances across the DST change")
    void rfc4791s9_9_veventTimeZoneAcrossDst() throws Exception {
        assertQuery(set("berlin.ics"), comp("VEVENT", range("20270327T090500Z", "20270327T091000Z")),
                "RFC 4791 §9.9 27 March 10:00 CET is 09:00Z-10:00Z");
        assertQuery(set("berlin.ics"), comp("VEVENT", range("20270403T085000Z", "20270403T085500Z")),
                "RFC 4791 §9.9 3 April 10:00 CEST is 08:00Z-09:00Z");
        assertQuery(set(), comp("VEVENT", range("20270403T090500Z", "20270403T091000Z")),
                "RFC 4791 §9.9 3 April 09:05Z is after the CEST instance (it would be inside it in CET)");
    }

    @Test
    @DisplayName("RFC 4791 §9.9 VTODO time-range: every row of the table")
    void rfc4791s9_9_vtodoTable() throws Exception {
        // todo-created (CREATED 2027-01-01) matches every range ending after it; todo-none matches every range
        assertQuery(set("todo-dur.ics", "todo-created.ics", "todo-none.ics"),
                comp("VTODO", range("20270401T110000Z", "20270401T113000Z")),
                "RFC 4791 §9.9 DTSTART+DURATION: (start <= DTSTART+DURATION) AND (end > DTSTART)");
        assertQuery(set("todo-created.ics", "todo-none.ics"),
                comp("VTODO", range("20270401T130000Z", "20270401T140000Z")),
                "RFC 4791 §9.9 DTSTART+DURATION: a range after DTSTART+DURATION");
        assertQuery(set("todo-due.ics", "todo-created.ics", "todo-none.ics"),
                comp("VTODO", range("20270402T110000Z", "20270402T113000Z")),
                "RFC 4791 §9.9 DTSTART+DUE: ((start < DUE) OR (start <= DTSTART)) AND ((end > DTSTART) OR ...)");
        assertQuery(set("todo-created.ics", "todo-none.ics"),
                comp("VTODO", range("20270402T080000Z", "20270402T090000Z")),
                "RFC 4791 §9.9 DTSTART+DUE: a range before DTSTART");
        assertQuery(set("todo-dueonly.ics", "todo-created.ics", "todo-none.ics"),
                comp("VTODO", range("20270403T110000Z", "20270403T120000Z")),
                "RFC 4791 §9.9 DUE only: (start < DUE) AND (end >= DUE), with end equal to DUE");
        assertQuery(set("todo-created.ics", "todo-none.ics"),
                comp("VTODO", range("20270403T120000Z", "20270403T130000Z")),
                "RFC 4791 §9.9 DUE only: a range starting at DUE does not match");
        assertQuery(set("todo-completed.ics", "todo-created.ics", "todo-none.ics"),
                comp("VTODO", range("20270404T110000Z", "20270404T130000Z")),
                "RFC 4791 §9.9 COMPLETED only: (start <= COMPLETED) AND (end >= COMPLETED)");
        assertQuery(set("todo-both.ics", "todo-created.ics", "todo-none.ics"),
                comp("VTODO", range("20270406T100000Z", "20270406T110000Z")),
                "RFC 4791 §9.9 COMPLETED and CREATED: between the two");
        assertQuery(set("todo-start.ics", "todo-created.ics", "todo-none.ics"),
                comp("VTODO", range("20270408T100000Z", "20270408T110000Z")),
                "RFC 4791 §9.9 DTSTART only: (start <= DTSTART) AND (end > DTSTART)");
        assertQuery(set("todo-created.ics", "todo-none.ics"),
                comp("VTODO", range("20270408T100100Z", "20270408T110000Z")),
                "RFC 4791 §9.9 DTSTART only: a range starting after DTSTART");
        assertQuery(set("todo-none.ics"), comp("VTODO", range("20260601T000000Z", "20260602T000000Z")),
                "RFC 4791 §9.9 before CREATED only the to-do with none of the properties (TRUE) matches");
    }

    @Test
    @DisplayName("RFC 4791 §9.9 VJOURNAL time-range: DATE-TIME, DATE (one day), and no DTSTART (never)")
    void rfc4791s9_9_vjournal() throws Exception {
        assertQuery(set("j-datetime.ics"), comp("VJOURNAL", range("20270405T090000Z", "20270405T110000Z")),
                "RFC 4791 §9.9 VJOURNAL DATE-TIME: (start <= DTSTART) AND (end > DTSTART)");
        assertQuery(set("j-datetime.ics"), comp("VJOURNAL", range("20270405T100000Z", "20270405T110000Z")),
                "RFC 4791 §9.9 VJOURNAL DATE-TIME: start equal to DTSTART");
        assertQuery(set(), comp("VJOURNAL", range("20270405T100100Z", "20270405T110000Z")),
                "RFC 4791 §9.9 VJOURNAL DATE-TIME: a range after DTSTART");
        assertQuery(set("j-date.ics"), comp("VJOURNAL", range("20270406T150000Z", "20270406T160000Z")),
                "RFC 4791 §9.9 VJOURNAL DATE: (start < DTSTART+P1D) AND (end > DTSTART)");
        assertQuery(set("j-datetime.ics", "j-date.ics"), comp("VJOURNAL", range("20200101T000000Z",
                        "20300101T000000Z")),
                "RFC 4791 §9.9 VJOURNAL without DTSTART never overlaps a range (FALSE), however wide");
    }

    @Test
    @DisplayName("RFC 4791 §9.9 VFREEBUSY time-range: DTSTART/DTEND, else the FREEBUSY periods")
    void rfc4791s9_9_vfreebusy() throws Exception {
        assertQuery(set("fb-dtstart.ics"), comp("VFREEBUSY", range("20270605T000000Z", "20270606T000000Z")),
                "RFC 4791 §9.9 VFREEBUSY with DTSTART and DTEND");
        assertQuery(set(), comp("VFREEBUSY", range("20270610T000000Z", "20270611T000000Z")),
                "RFC 4791 §9.9 VFREEBUSY: a range after DTEND");
        assertQuery(set("fb-periods.ics"), comp("VFREEBUSY", range("20270701T103000Z", "20270701T104500Z")),
                "RFC 4791 §9.9 VFREEBUSY without DTSTART/DTEND: a FREEBUSY period overlaps");
        assertQuery(set(), comp("VFREEBUSY", range("20270701T120000Z", "20270701T130000Z")),
                "RFC 4791 §9.9 VFREEBUSY without DTSTART/DTEND: no FREEBUSY period overlaps");
    }

    @Test
    @DisplayName("RFC 4791 §9.9 VALARM time-range: relative and absolute triggers, REPEAT/DURATION")
    void rfc4791s9_9_valarm() throws Exception {
        assertQuery(set("alarmrel.ics"), comp("VEVENT", "<C:comp-filter name=\"VALARM\">"
                        + range("20270801T094000Z", "20270801T095000Z") + "</C:comp-filter>"),
                "RFC 4791 §9.9 TRIGGER:-PT15M before 10:00Z fires at 09:45Z");
        assertQuery(set(), comp("VEVENT", "<C:comp-filter name=\"VALARM\">"
                        + range("20270801T100000Z", "20270801T110000Z") + "</C:comp-filter>"),
                "RFC 4791 §9.9 the event's own time is not the alarm's");
        assertQuery(set("alarmabs.ics"), comp("VEVENT", "<C:comp-filter name=\"VALARM\">"
                        + range("20270801T205500Z", "20270801T210500Z") + "</C:comp-filter>"),
                "RFC 4791 §9.9 the second repetition of the absolute trigger (21:00Z)");
        assertQuery(set("alarmabs.ics"), comp("VEVENT", "<C:comp-filter name=\"VALARM\">"
                        + range("20270801T202500Z", "20270801T203500Z") + "</C:comp-filter>"),
                "RFC 4791 §9.9 the first repetition (20:30Z)");
        assertQuery(set(), comp("VEVENT", "<C:comp-filter name=\"VALARM\">"
                        + range("20270801T200500Z", "20270801T202500Z") + "</C:comp-filter>"),
                "RFC 4791 §9.9 between the repetitions no trigger fires");
    }

    @Test
    @DisplayName("RFC 4791 §9.7.2 time-range inside a prop-filter tests the property's DATE-TIME value")
    void rfc4791s9_7_2_timeRangeOnProperty() throws Exception {
        assertQuery(set("simple.ics"), comp("VEVENT", "<C:prop-filter name=\"DTSTAMP\">"
                        + range("20270101T000000Z", "20270102T000000Z") + "</C:prop-filter>"),
                "RFC 4791 §9.7.2 DTSTAMP in 1 January 2027");
        assertQuery(set("nodesc.ics"), comp("VEVENT", "<C:prop-filter name=\"DTSTART\">"
                        + range("20270311T000000Z", "20270312T000000Z") + "</C:prop-filter>"),
                "RFC 4791 §9.7.2 DTSTART value on 11 March");
        assertQuery(set("todo-completed.ics"), comp("VTODO", "<C:prop-filter name=\"COMPLETED\">"
                        + range("20270404T000000Z", "20270405T000000Z") + "</C:prop-filter>"),
                "RFC 4791 §9.7.2 COMPLETED on 4 April");
    }
    @Test
    @DisplayName("RFC 4791 §9.7.1 VEVENT is-not-defined at the top level selects the objects without events")
    void rfc4791s9_7_1_topLevelIsNotDefined() throws Exception {
        Set<String> others = new TreeSet<>(TODOS);
        others.addAll(JOURNALS);
        others.addAll(FREEBUSY);
        assertQuery(others, comp("VEVENT", "<C:is-not-defined/>"), "RFC 4791 §9.7.1 no VEVENT in the object");
    }

    @Test
    @DisplayName("RFC 4791 §9.9 VEVENT time-range: RDATE (DATE-TIME and PERIOD) and an event with DTSTART only")
    void rfc4791s9_9_rdateAndInstant() throws Exception {
        String cal = "/dav/calendars/alice/q-rdate/";
        s.calendar(USER, cal, "VEVENT");
        s.create(USER, cal + "rdate.ics", Ical.wrap("BEGIN:VEVENT", "UID:q-rdate", "DTSTAMP:20261121T080000Z",
                "DTSTART:20270401T100000Z", "DURATION:PT1H", "RDATE:20270405T150000Z,20270407T150000Z",
                "RDATE;VALUE=PERIOD:20270409T080000Z/PT3H", "SUMMARY:Extra dates", "END:VEVENT"));
        s.create(USER, cal + "instant.ics", Ical.wrap("BEGIN:VEVENT", "UID:q-instant", "DTSTAMP:20261121T080000Z",
                "DTSTART:20270402T100000Z", "SUMMARY:Instant", "END:VEVENT"));
        String q = "<C:calendar-query " + NS + "><D:prop><D:getetag/></D:prop><C:filter>%s</C:filter></C:calendar-query>";
        java.util.function.BiFunction<String, String, Set<String>> at = (start, end) -> {
            try {
                return DavXml.multistatus("calendar-query", s.report(USER, cal, "1", q.formatted(comp("VEVENT",
                        range(start, end))))).members(cal);
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        };
        assertEquals(Set.of("rdate.ics"), at.apply("20270405T153000Z", "20270405T154000Z"),
                "RFC 4791 §9.9 / RFC 5545 §3.8.5.2 an RDATE instance");
        assertEquals(Set.of("rdate.ics"), at.apply("20270409T103000Z", "20270409T104000Z"),
                "RFC 5545 §3.8.5.2 an RDATE PERIOD instance lasts its period (08:00-11:00Z)");
        assertEquals(Set.of(), at.apply("20270406T000000Z", "20270407T000000Z"), "RFC 4791 §9.9 no instance");
        assertEquals(Set.of("instant.ics"), at.apply("20270402T100000Z", "20270402T100100Z"),
                "RFC 4791 §9.9 DTSTART only, DATE-TIME: (start <= DTSTART) AND (end > DTSTART)");
        assertEquals(Set.of(), at.apply("20270402T095900Z", "20270402T100000Z"),
                "RFC 4791 §9.9 DTSTART only: a range ending at DTSTART does not match");
    }

    @Test
    @DisplayName("RFC 4791 §9.8 CALDAV:timezone in calendar-query resolves floating times")
    void rfc4791s9_8_timezoneElementForFloatingTimes() throws Exception {
        String cal = "/dav/calendars/alice/q-floating/";
        s.calendar(USER, cal, "VEVENT");
        s.create(USER, cal + "float.ics", Ical.wrap("BEGIN:VEVENT", "UID:q-float", "DTSTAMP:20261121T080000Z",
                "DTSTART:20270320T100000", "DTEND:20270320T110000", "SUMMARY:Floating", "END:VEVENT"));
        String tz = "<C:timezone>" + Ical.wrap(Ical.BERLIN).replace("\r", "&#13;") + "</C:timezone>";
        String filter = "<C:filter>" + comp("VEVENT", range("20270320T090500Z", "20270320T091000Z")) + "</C:filter>";
        DavXml.Multistatus berlin = DavXml.multistatus("calendar-query", s.report(USER, cal, "1", "<C:calendar-query "
                + NS + "><D:prop><D:getetag/></D:prop>" + filter + tz + "</C:calendar-query>"));
        assertEquals(Set.of("float.ics"), berlin.members(cal), "RFC 4791 §9.8 with CALDAV:timezone Europe/Berlin the "
                + "floating 10:00-11:00 is 09:00Z-10:00Z: " + berlin.body);
        DavXml.Multistatus late = DavXml.multistatus("calendar-query", s.report(USER, cal, "1", "<C:calendar-query "
                + NS + "><D:prop><D:getetag/></D:prop><C:filter>" + comp("VEVENT", range("20270320T103000Z",
                "20270320T104500Z")) + "</C:filter>" + tz + "</C:calendar-query>"));
        assertEquals(Set.of(), late.members(cal), "RFC 4791 §9.8 10:30Z is after the Berlin instance: " + late.body);
    }

    @Test
    @DisplayName("RFC 4791 §5.2.2 the calendar's calendar-timezone resolves floating times in time-range")
    void rfc4791s5_2_2_calendarTimezoneForFloatingTimes() throws Exception {
        String cal = "/dav/calendars/alice/q-berlin-floating/";
        HttpResponse<String> made = s.mkcalendar(USER, cal, "<C:calendar-timezone>" + Ical.wrap(Ical.BERLIN)
                .replace("\r", "&#13;") + "</C:calendar-timezone>");
        assertEquals(201, made.statusCode(), made.body());
        s.create(USER, cal + "float.ics", Ical.wrap("BEGIN:VEVENT", "UID:q-float2", "DTSTAMP:20261121T080000Z",
                "DTSTART:20270320T100000", "DTEND:20270320T110000", "SUMMARY:Floating", "END:VEVENT"));
        DavXml.Multistatus early = DavXml.multistatus("calendar-query", s.report(USER, cal, "1", "<C:calendar-query "
                + NS + "><D:prop><D:getetag/></D:prop><C:filter>" + comp("VEVENT", range("20270320T090500Z",
                "20270320T091000Z")) + "</C:filter></C:calendar-query>"));
        assertEquals(Set.of("float.ics"), early.members(cal), "RFC 4791 §5.2.2 floating 10:00 in a Europe/Berlin "
                + "calendar is 09:00Z: " + early.body);
    }
}
