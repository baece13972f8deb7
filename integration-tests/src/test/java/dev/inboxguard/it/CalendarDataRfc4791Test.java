package dev.inboxguard.it;

import static dev.inboxguard.it.RfcServer.C;
import static dev.inboxguard.it.RfcServer.D;
import static dev.inboxguard.it.RfcServer.NS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 4791 §9.6 calendar-data in REPORT answers: partial retrieval of components and properties (§9.6.1-§9.6.4),
 * expand (§9.6.5), limit-recurrence-set (§9.6.6) and limit-freebusy-set (§9.6.7); and §7.9 calendar-multiget with
 * percent-encoded, duplicate and missing hrefs.
 */
class CalendarDataRfc4791Test {
    private static final String USER = "bob";
    private static final String CAL = "/dav/calendars/bob/data/";

    @TempDir
    static Path data;
    private static RfcServer s;

    @BeforeAll
    static void start() throws Exception {
        s = RfcServer.start(data);
        s.calendar(USER, CAL, "VEVENT", "VFREEBUSY");
        s.create(USER, CAL + "full.ics", Ical.wrap("BEGIN:VEVENT", "UID:d-full", "DTSTAMP:20261121T080000Z",
                "DTSTART:20270310T100000Z", "DTEND:20270310T110000Z", "SUMMARY:Review",
                "DESCRIPTION:A long text nobody wants on a phone", "LOCATION:Room 7", "BEGIN:VALARM",
                "ACTION:DISPLAY", "TRIGGER:-PT10M", "DESCRIPTION:Soon", "END:VALARM", "END:VEVENT"));
        // Mondays 09:00Z from 1 March, ten of them; 8 March excluded; 15 March moved to 17 March 14:00Z;
        // 12 April renamed
        s.create(USER, CAL + "weekly.ics", Ical.wrap("BEGIN:VEVENT", "UID:d-weekly", "DTSTAMP:20261121T080000Z",
                "DTSTART:20270301T090000Z", "DURATION:PT1H", "RRULE:FREQ=WEEKLY;COUNT=10",
                "EXDATE:20270308T090000Z", "SUMMARY:Standup", "END:VEVENT",
                "BEGIN:VEVENT", "UID:d-weekly", "DTSTAMP:20261121T080000Z", "RECURRENCE-ID:20270315T090000Z",
                "DTSTART:20270317T140000Z", "DURATION:PT1H", "SUMMARY:Standup (moved)", "END:VEVENT",
                "BEGIN:VEVENT", "UID:d-weekly", "DTSTAMP:20261121T080000Z", "RECURRENCE-ID:20270412T090000Z",
                "DTSTART:20270412T090000Z", "DURATION:PT1H", "SUMMARY:Standup (demo day)", "END:VEVENT"));
        // Saturdays 10:00 Berlin time: 20 and 27 March in CET, 3 April in CEST (DST starts 28 March 2027)
        s.create(USER, CAL + "berlin.ics", Ical.wrap(Ical.BERLIN, "BEGIN:VEVENT", "UID:d-berlin",
                "DTSTAMP:20261121T080000Z", "DTSTART;TZID=Europe/Berlin:20270320T100000",
                "DTEND;TZID=Europe/Berlin:20270320T110000", "RRULE:FREQ=WEEKLY;COUNT=3", "SUMMARY:Yoga",
                "END:VEVENT"));
        // Fridays 10:00 Istanbul time: Turkey has kept +03:00 all year since 2016. The client's VTIMEZONE says so,
        // but only a zone known by name is trusted for a TZID, and the rules ical4j built for it said +02:00 in winter
        s.create(USER, CAL + "istanbul.ics", Ical.wrap("BEGIN:VTIMEZONE", "TZID:Europe/Istanbul", "BEGIN:STANDARD",
                "TZOFFSETFROM:+0300", "TZOFFSETTO:+0300", "TZNAME:+03", "DTSTART:19700101T000000", "END:STANDARD",
                "END:VTIMEZONE", "BEGIN:VEVENT", "UID:d-istanbul", "DTSTAMP:20261121T080000Z",
                "DTSTART;TZID=Europe/Istanbul:20270115T100000", "DTEND;TZID=Europe/Istanbul:20270115T110000",
                "RRULE:FREQ=WEEKLY;COUNT=2", "SUMMARY:Çay", "END:VEVENT"));
        s.create(USER, CAL + "busy.ics", Ical.wrap("BEGIN:VFREEBUSY", "UID:d-fb", "DTSTAMP:20261121T080000Z",
                "DTSTART:20270601T000000Z", "DTEND:20270615T000000Z", "FREEBUSY:20270601T100000Z/20270601T110000Z",
                "FREEBUSY:20270605T100000Z/20270605T120000Z", "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20270610T100000Z/PT1H",
                "END:VFREEBUSY"));
    }

    @AfterAll
    static void stop() throws Exception {
        s.close();
    }

    private static String multiget(String prop, String... hrefs) {
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"utf-8\"?><C:calendar-multiget " + NS
                + "><D:prop><D:getetag/>" + prop + "</D:prop>");
        for (String h : hrefs) {
            b.append("<D:href>").append(h).append("</D:href>");
        }
        return b.append("</C:calendar-multiget>").toString();
    }

    private static String query(String prop, String filterInVevent) {
        return "<?xml version=\"1.0\" encoding=\"utf-8\"?><C:calendar-query " + NS + "><D:prop><D:getetag/>" + prop
                + "</D:prop><C:filter><C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\">"
                + filterInVevent + "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>";
    }

    private static String uid(String uid) {
        return "<C:prop-filter name=\"UID\"><C:text-match collation=\"i;octet\">" + uid
                + "</C:text-match></C:prop-filter>";
    }

    /** @return the calendar-data of the one object the REPORT answers with */
    private static Ical.Comp only(String what, String body, String name) throws Exception {
        DavXml.Multistatus ms = DavXml.multistatus(what, s.report(USER, CAL, "1", body));
        assertEquals(Set.of(CAL + name), ms.paths(), what + ": exactly one object");
        return Ical.parse(ms.require(CAL + name).calendarData());
    }

    @Test
    @DisplayName("RFC 4791 §9.6.1-§9.6.4 partial retrieval: only the requested components and properties, "
            + "novalue drops the value")
    void rfc4791s9_6_partialRetrieval() throws Exception {
        String spec = "<C:calendar-data><C:comp name=\"VCALENDAR\"><C:prop name=\"VERSION\"/>"
                + "<C:comp name=\"VEVENT\"><C:prop name=\"SUMMARY\"/><C:prop name=\"UID\"/>"
                + "<C:prop name=\"DESCRIPTION\" novalue=\"yes\"/></C:comp></C:comp></C:calendar-data>";
        for (String body : List.of(multiget(spec, CAL + "full.ics"), query(spec, uid("d-full")))) {
            String what = body.contains("multiget") ? "RFC 4791 §7.9 calendar-multiget" : "RFC 4791 §7.8 calendar-query";
            Ical.Comp cal = only(what, body, "full.ics");
            assertEquals("VCALENDAR", cal.name);
            assertEquals(List.of("VERSION"), cal.propNames(),
                    what + " §9.6.4 only VERSION of the VCALENDAR's properties (no PRODID): " + cal);
            assertEquals("2.0", cal.value("VERSION"));
            assertEquals(1, cal.comps.size(), what + " §9.6.1 only the VEVENT: " + cal);
            Ical.Comp ev = cal.comps("VEVENT").get(0);
            assertEquals(new TreeSet<>(Set.of("SUMMARY", "UID", "DESCRIPTION")), new TreeSet<>(ev.propNames()),
                    what + " §9.6.4 only SUMMARY, UID and DESCRIPTION: " + cal);
            assertEquals("Review", ev.value("SUMMARY"));
            assertEquals("d-full", ev.value("UID"));
            assertEquals("", ev.value("DESCRIPTION"), what + " §9.6.4 novalue=\"yes\": the property without its "
                    + "value: " + cal);
            assertTrue(ev.comps.isEmpty(), what + " §9.6.1 the VALARM was not asked for: " + cal);
        }
    }

    @Test
    @DisplayName("RFC 4791 §9.6.2/§9.6.3 allprop and allcomp")
    void rfc4791s9_6_allpropAllcomp() throws Exception {
        String noAlarms = "<C:calendar-data><C:comp name=\"VCALENDAR\"><C:allprop/><C:comp name=\"VEVENT\">"
                + "<C:allprop/></C:comp></C:comp></C:calendar-data>";
        Ical.Comp cal = only("calendar-multiget", multiget(noAlarms, CAL + "full.ics"), "full.ics");
        Ical.Comp ev = cal.comps("VEVENT").get(0);
        assertTrue(ev.propNames().containsAll(List.of("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION",
                "LOCATION")), "RFC 4791 §9.6.2 allprop keeps every property: " + cal);
        assertEquals("A long text nobody wants on a phone", ev.value("DESCRIPTION"));
        assertTrue(ev.comps.isEmpty(), "RFC 4791 §9.6.1 VALARM is not listed, so it is left out: " + cal);
        assertNotNull(cal.prop("PRODID"), "RFC 4791 §9.6.2 allprop on VCALENDAR keeps PRODID: " + cal);

        String everything = "<C:calendar-data><C:comp name=\"VCALENDAR\"><C:allprop/><C:comp name=\"VEVENT\">"
                + "<C:allprop/><C:allcomp/></C:comp></C:comp></C:calendar-data>";
        Ical.Comp all = only("calendar-multiget", multiget(everything, CAL + "full.ics"), "full.ics");
        Ical.Comp alarm = all.comps("VEVENT").get(0).comps("VALARM").get(0);
        assertEquals("-PT10M", alarm.value("TRIGGER"), "RFC 4791 §9.6.3 allcomp keeps the VALARM, whole: " + all);
    }

    @Test
    @DisplayName("RFC 4791 §9.6 calendar-data without children returns the whole object")
    void rfc4791s9_6_wholeObject() throws Exception {
        Ical.Comp cal = only("calendar-query", query("<C:calendar-data/>", uid("d-full")), "full.ics");
        Ical.Comp ev = cal.comps("VEVENT").get(0);
        assertEquals("Room 7", ev.value("LOCATION"));
        assertEquals(1, ev.comps("VALARM").size(), "RFC 4791 §9.6 the whole object: " + cal);
    }

    private static Map<String, Ical.Comp> byRecurrenceId(Ical.Comp cal) {
        Map<String, Ical.Comp> out = new TreeMap<>();
        for (Ical.Comp e : cal.comps("VEVENT")) {
            out.put(e.value("RECURRENCE-ID"), e);
        }
        return out;
    }

    private static void assertNoRecurrenceRules(Ical.Comp cal) {
        for (Ical.Comp e : cal.comps("VEVENT")) {
            for (String p : List.of("RRULE", "RDATE", "EXDATE", "EXRULE")) {
                assertNull(e.prop(p), "RFC 4791 §9.6.5 an expanded instance has no " + p + ": " + cal);
            }
            assertNotNull(e.prop("RECURRENCE-ID"), "RFC 4791 §9.6.5 every instance has a RECURRENCE-ID: " + cal);
        }
        assertTrue(cal.comps("VTIMEZONE").isEmpty(), "RFC 4791 §9.6.5 no VTIMEZONE: times are UTC: " + cal);
    }

    @Test
    @DisplayName("RFC 4791 §9.6.5 expand: instances with RECURRENCE-ID, EXDATE honoured, override kept, in range only")
    void rfc4791s9_6_5_expandSeriesWithOverrideAndExdate() throws Exception {
        String expand = "<C:calendar-data><C:expand start=\"20270301T000000Z\" end=\"20270401T000000Z\"/>"
                + "</C:calendar-data>";
        Ical.Comp cal = only("calendar-query expand", query(expand, "<C:time-range start=\"20270301T000000Z\" "
                + "end=\"20270401T000000Z\"/>" + uid("d-weekly")), "weekly.ics");
        assertNoRecurrenceRules(cal);
        Map<String, Ical.Comp> inst = byRecurrenceId(cal);
        assertEquals(Set.of("20270301T090000Z", "20270315T090000Z", "20270322T090000Z", "20270329T090000Z"),
                inst.keySet(), "RFC 4791 §9.6.5 March has four instances (8 March is an EXDATE): " + cal);
        assertEquals("20270317T140000Z", inst.get("20270315T090000Z").value("DTSTART"),
                "RFC 4791 §9.6.5 the overridden instance keeps its new start: " + cal);
        assertEquals("Standup (moved)", inst.get("20270315T090000Z").value("SUMMARY"),
                "RFC 4791 §9.6.5 the overridden instance keeps its changes: " + cal);
        assertEquals("20270322T090000Z", inst.get("20270322T090000Z").value("DTSTART"));
        assertEquals("Standup", inst.get("20270322T090000Z").value("SUMMARY"));

        String narrow = "<C:calendar-data><C:expand start=\"20270320T000000Z\" end=\"20270401T000000Z\"/>"
                + "</C:calendar-data>";
        Ical.Comp part = only("calendar-query expand", query(narrow, uid("d-weekly")), "weekly.ics");
        assertEquals(Set.of("20270322T090000Z", "20270329T090000Z"), byRecurrenceId(part).keySet(),
                "RFC 4791 §9.6.5 only instances that overlap the expand range: " + part);
    }

    @Test
    @DisplayName("RFC 4791 §9.6.5 expand of a TZID=Europe/Berlin series across DST: UTC times, the hour moves")
    void rfc4791s9_6_5_expandAcrossDst() throws Exception {
        String expand = "<C:calendar-data><C:expand start=\"20270301T000000Z\" end=\"20270501T000000Z\"/>"
                + "</C:calendar-data>";
        Ical.Comp cal = only("calendar-query expand", query(expand, uid("d-berlin")), "berlin.ics");
        assertNoRecurrenceRules(cal);
        Map<String, Ical.Comp> inst = byRecurrenceId(cal);
        assertEquals(Set.of("20270320T090000Z", "20270327T090000Z", "20270403T080000Z"), inst.keySet(),
                "RFC 4791 §9.6.5 RECURRENCE-ID in UTC: 10:00 CET is 09:00Z, 10:00 CEST is 08:00Z: " + cal);
        for (Map.Entry<String, Ical.Comp> e : inst.entrySet()) {
            Ical.Prop start = e.getValue().prop("DTSTART");
            assertEquals(e.getKey(), start.value, "RFC 4791 §9.6.5 DTSTART in UTC: " + cal);
            assertFalse(start.params.containsKey("TZID"), "RFC 4791 §9.6.5 no TZID left: " + cal);
            Ical.Prop end = e.getValue().prop("DTEND");
            if (end != null) {
                assertEquals(Ical.utc(Ical.utc(e.getKey()).plusSeconds(3600)), end.value,
                        "RFC 4791 §9.6.5 DTEND in UTC, one hour later: " + cal);
                assertFalse(end.params.containsKey("TZID"), "RFC 4791 §9.6.5 no TZID on DTEND: " + cal);
            }
        }
        assertFalse(Ical.unfold(cal.toString()).contains("TZID"), "RFC 4791 §9.6.5 no TZID anywhere: " + cal);
    }

    @Test
    @DisplayName("RFC 4791 §9.6.5 expand of a TZID=Europe/Istanbul series in winter: +03:00, today's rules")
    void rfc4791s9_6_5_expandWithTodaysZoneRules() throws Exception {
        String expand = "<C:calendar-data><C:expand start=\"20270101T000000Z\" end=\"20270201T000000Z\"/>"
                + "</C:calendar-data>";
        Ical.Comp cal = only("calendar-query expand", query(expand, uid("d-istanbul")), "istanbul.ics");
        assertEquals(Set.of("20270115T070000Z", "20270122T070000Z"), byRecurrenceId(cal).keySet(),
                "RFC 4791 §9.6.5 10:00 in Istanbul is 07:00Z all year since 2016: " + cal);
        // and a time range of two minutes around 07:00Z finds it, as the same rules say
        only("calendar-query time-range", query("<C:calendar-data/>", uid("d-istanbul")
                + "<C:time-range start=\"20270115T065900Z\" end=\"20270115T070100Z\"/>"), "istanbul.ics");
    }

    @Test
    @DisplayName("RFC 4791 §9.6.6 limit-recurrence-set: the master and only the overrides touching the range")
    void rfc4791s9_6_6_limitRecurrenceSet() throws Exception {
        String limit = "<C:calendar-data><C:limit-recurrence-set start=\"20270401T000000Z\" "
                + "end=\"20270501T000000Z\"/></C:calendar-data>";
        Ical.Comp cal = only("calendar-multiget limit-recurrence-set", multiget(limit, CAL + "weekly.ics"),
                "weekly.ics");
        List<Ical.Comp> events = cal.comps("VEVENT");
        Set<String> ids = events.stream().map(e -> String.valueOf(e.value("RECURRENCE-ID")))
                .collect(Collectors.toCollection(TreeSet::new));
        assertEquals(Set.of("null", "20270412T090000Z"), ids,
                "RFC 4791 §9.6.6 the master and the 12 April override; the March override is outside: " + cal);
        Ical.Comp master = events.stream().filter(e -> e.prop("RECURRENCE-ID") == null).findFirst().orElseThrow();
        assertEquals("FREQ=WEEKLY;COUNT=10", master.value("RRULE"),
                "RFC 4791 §9.6.6 the master keeps its RRULE (nothing is expanded): " + cal);
    }

    @Test
    @DisplayName("RFC 4791 §9.6.7 limit-freebusy-set: only FREEBUSY values overlapping the range")
    void rfc4791s9_6_7_limitFreebusySet() throws Exception {
        String limit = "<C:calendar-data><C:limit-freebusy-set start=\"20270604T000000Z\" "
                + "end=\"20270607T000000Z\"/></C:calendar-data>";
        Ical.Comp cal = only("calendar-multiget limit-freebusy-set", multiget(limit, CAL + "busy.ics"),
                "busy.ics");
        Ical.Comp fb = cal.comps("VFREEBUSY").get(0);
        List<String> periods = fb.props("FREEBUSY").stream().flatMap(p -> List.of(p.value.split(",")).stream())
                .map(Ical::period).toList();
        assertEquals(List.of("20270605T100000Z/20270605T120000Z"), periods,
                "RFC 4791 §9.6.7 only the 5 June period overlaps 4-7 June: " + cal);
        assertEquals("d-fb", fb.value("UID"), "RFC 4791 §9.6.7 the other properties stay: " + cal);
    }

    @Test
    @DisplayName("RFC 4791 §7.9 calendar-multiget: percent-encoded hrefs, a duplicate answered once, a missing one 404")
    void rfc4791s7_9_multiget() throws Exception {
        String cal = RfcServer.cal(USER, "multi get");
        s.calendar(USER, cal, "VEVENT");
        s.create(USER, cal + RfcServer.seg("a b.ics"), Ical.event("mg-space", "20270110T100000Z",
                "20270110T110000Z", "Space"));
        s.create(USER, cal + RfcServer.seg("Über.ics"), Ical.event("mg-umlaut", "20270111T100000Z",
                "20270111T110000Z", "Umlaut"));
        String decoded = "/dav/calendars/bob/multi get/";
        String body = multiget("<C:calendar-data/>", cal + RfcServer.seg("a b.ics"),
                cal + RfcServer.seg("Über.ics"), cal + RfcServer.seg("a b.ics"),
                cal + "%c3%9cber.ics", cal + "missing.ics");
        DavXml.Multistatus ms = DavXml.multistatus("calendar-multiget", s.report(USER, cal, "1", body));
        assertEquals(Set.of(decoded + "a b.ics", decoded + "Über.ics", decoded + "missing.ics"), ms.paths(),
                "RFC 4791 §7.9 one response per resource: " + ms.body);
        assertEquals(1, ms.count(decoded + "a b.ics"), "RFC 4791 §7.9 a repeated href is answered once: " + ms.body);
        assertEquals(1, ms.count(decoded + "Über.ics"),
                "RFC 4791 §7.9 the same href in other hex case is answered once: " + ms.body);
        assertTrue(Ical.parse(ms.require(decoded + "a b.ics").calendarData()).comps("VEVENT").get(0)
                .value("UID").equals("mg-space"), ms.body);
        assertEquals("mg-umlaut", Ical.parse(ms.require(decoded + "Über.ics").calendarData()).comps("VEVENT")
                .get(0).value("UID"), ms.body);
        assertEquals(404, ms.require(decoded + "missing.ics").status,
                "RFC 4791 §7.9 / RFC 4918 §14.24 a missing resource is a response with status 404: " + ms.body);
        for (DavXml.Response r : ms.responses) {
            assertFalse(r.rawHref.contains(" ") || r.rawHref.contains("Ü"),
                    "RFC 3986 §2.1 / RFC 4918 §8.3.1 hrefs are percent-encoded on the wire: " + r.rawHref);
            assertTrue(r.status == 404 || r.status(D, "getetag") == 200, ms.body);
            assertTrue(r.status == 404 || r.status(C, "calendar-data") == 200, ms.body);
        }
    }
    @Test
    @DisplayName("RFC 4791 §9.6.5 expand: an override moved into the range from outside it is returned")
    void rfc4791s9_6_5_expandOverridePulledIn() throws Exception {
        String expand = "<C:calendar-data><C:expand start=\"20270409T000000Z\" end=\"20270413T000000Z\"/>"
                + "</C:calendar-data>";
        s.create(USER, CAL + "pulled.ics", Ical.wrap("BEGIN:VEVENT", "UID:d-pulled", "DTSTAMP:20261121T080000Z",
                "DTSTART:20270301T090000Z", "DURATION:PT1H", "RRULE:FREQ=WEEKLY;COUNT=8", "SUMMARY:Weekly",
                "END:VEVENT", "BEGIN:VEVENT", "UID:d-pulled", "DTSTAMP:20261121T080000Z",
                "RECURRENCE-ID:20270419T090000Z", "DTSTART:20270410T090000Z", "DURATION:PT1H",
                "SUMMARY:Pulled forward", "END:VEVENT"));
        Ical.Comp cal = only("calendar-query expand", query(expand, uid("d-pulled")), "pulled.ics");
        Map<String, Ical.Comp> inst = byRecurrenceId(cal);
        assertEquals(Set.of("20270412T090000Z", "20270419T090000Z"), inst.keySet(),
                "RFC 4791 §9.6.5 the 12 April instance and the 19 April one moved to 10 April: " + cal);
        assertEquals("20270410T090000Z", inst.get("20270419T090000Z").value("DTSTART"), cal.toString());
        assertEquals("Pulled forward", inst.get("20270419T090000Z").value("SUMMARY"), cal.toString());
    }

    @Test
    @DisplayName("RFC 4791 §9.6.5 / RFC 5545 §3.8.5.2 expand: an RDATE PERIOD instance keeps the period's length")
    void rfc4791s9_6_5_expandRdatePeriod() throws Exception {
        s.create(USER, CAL + "rdate.ics", Ical.wrap("BEGIN:VEVENT", "UID:d-rdate", "DTSTAMP:20261121T080000Z",
                "DTSTART:20270401T100000Z", "DURATION:PT1H", "RDATE;VALUE=PERIOD:20270409T080000Z/PT3H",
                "SUMMARY:Extra", "END:VEVENT"));
        String expand = "<C:calendar-data><C:expand start=\"20270409T000000Z\" end=\"20270410T000000Z\"/>"
                + "</C:calendar-data>";
        Ical.Comp cal = only("calendar-query expand", query(expand, uid("d-rdate")), "rdate.ics");
        Ical.Comp inst = byRecurrenceId(cal).get("20270409T080000Z");
        assertNotNull(inst, "RFC 4791 §9.6.5 the RDATE instance: " + cal);
        java.time.Instant start = Ical.utc(inst.value("DTSTART"));
        java.time.Instant end = inst.value("DTEND") != null ? Ical.utc(inst.value("DTEND"))
                : start.plus(Ical.duration(inst.value("DURATION")));
        assertEquals("20270409T110000Z", Ical.utc(end), "RFC 5545 §3.8.5.2 RDATE;VALUE=PERIOD gives the instance "
                + "its own duration (3 hours, not the master's 1 hour): " + cal);
    }

    @Test
    @DisplayName("RFC 4791 §7.9 / RFC 4918 §15.6 the ETag in a REPORT equals the ETag of GET")
    void rfc4791s7_9_etagMatchesGet() throws Exception {
        DavXml.Multistatus ms = DavXml.multistatus("calendar-multiget", s.report(USER, CAL, "1",
                multiget("", CAL + "full.ics")));
        String reported = ms.require(CAL + "full.ics").text(D, "getetag").strip();
        String header = s.send(USER, "GET", CAL + "full.ics", null).headers().firstValue("ETag").orElse("");
        assertEquals(header, reported, "RFC 4918 §15.6 one entity tag for one representation");
    }
    @Test
    @DisplayName("RFC 4791 §9.6.5 expand of a single TZID event: UTC times, no VTIMEZONE; outside the range nothing")
    void rfc4791s9_6_5_expandSingleZonedEvent() throws Exception {
        s.create(USER, CAL + "zoned.ics", Ical.wrap(Ical.BERLIN, "BEGIN:VEVENT", "UID:d-zoned",
                "DTSTAMP:20261121T080000Z", "DTSTART;TZID=Europe/Berlin:20270610T100000",
                "DTEND;TZID=Europe/Berlin:20270610T110000", "SUMMARY:Zoned", "END:VEVENT"));
        String june = "<C:calendar-data><C:expand start=\"20270601T000000Z\" end=\"20270701T000000Z\"/>"
                + "</C:calendar-data>";
        Ical.Comp cal = only("calendar-multiget expand", multiget(june, CAL + "zoned.ics"), "zoned.ics");
        assertTrue(cal.comps("VTIMEZONE").isEmpty(), "RFC 4791 §9.6.5 no VTIMEZONE: " + cal);
        Ical.Comp ev = cal.comps("VEVENT").get(0);
        assertEquals("20270610T080000Z", ev.value("DTSTART"), "RFC 4791 §9.6.5 converted to UTC (CEST): " + cal);
        assertEquals("20270610T090000Z", ev.value("DTEND"), "RFC 4791 §9.6.5 converted to UTC: " + cal);

        String august = "<C:calendar-data><C:expand start=\"20270801T000000Z\" end=\"20270901T000000Z\"/>"
                + "</C:calendar-data>";
        Ical.Comp none = only("calendar-multiget expand", multiget(august, CAL + "zoned.ics"), "zoned.ics");
        assertTrue(none.comps("VEVENT").isEmpty(), "RFC 4791 §9.6.5 only instances in the range are returned: "
                + none);
    }
}
