package dev.inboxguard.checks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.Samples;
import dev.inboxguard.TestRecipient;
import dev.inboxguard.api.CaldavSubmission;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.ItipMethod;
import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.checks.ItipRestrictions.Presence;
import dev.inboxguard.checks.ItipRestrictions.Row;
import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import net.fortuna.ical4j.model.Calendar;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every row of every RFC 5546 restriction table, both ways: a message built to satisfy the table passes, and the
 * same message broken in exactly that row fails with {@code malformed}. The strict check (nothing tolerated)
 * proves the table; a separate test proves the tolerances.
 */
class ItipStructureCheckTest {
    private static final ItipRestrictions TABLES = ItipRestrictions.rfc5546();
    private static final ItipStructureCheck STRICT = new ItipStructureCheck(TABLES, Set.of());
    private static final List<String> KINDS = List.of("VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY");

    /** A plausible value for each property the tables name. */
    private static final Map<String, String> VALUES = Map.ofEntries(
            Map.entry("ATTENDEE", "mailto:bob@example.com"),
            Map.entry("ORGANIZER", "mailto:alice@example.com"),
            Map.entry("DTSTAMP", "20261120T100000Z"),
            Map.entry("DTSTART", "20261123T100000Z"),
            Map.entry("DTEND", "20261123T110000Z"),
            Map.entry("DUE", "20261124T100000Z"),
            Map.entry("DURATION", "PT1H"),
            Map.entry("UID", "uid-1@example.com"),
            Map.entry("SEQUENCE", "1"),
            Map.entry("SUMMARY", "Planning"),
            Map.entry("PRIORITY", "5"),
            Map.entry("CLASS", "PUBLIC"),
            Map.entry("CREATED", "20261101T100000Z"),
            Map.entry("LAST-MODIFIED", "20261101T100000Z"),
            Map.entry("DESCRIPTION", "Agenda"),
            Map.entry("GEO", "52.5;13.4"),
            Map.entry("LOCATION", "Room 1"),
            Map.entry("RECURRENCE-ID", "20261130T100000Z"),
            Map.entry("REQUEST-STATUS", "2.0;Success"),
            Map.entry("RRULE", "FREQ=WEEKLY;COUNT=4"),
            Map.entry("STATUS", "CONFIRMED"),
            Map.entry("TRANSP", "OPAQUE"),
            Map.entry("URL", "https://example.com/meeting"),
            Map.entry("COMPLETED", "20261124T100000Z"),
            Map.entry("PERCENT-COMPLETE", "10"),
            Map.entry("FREEBUSY", "20261123T100000Z/PT1H"),
            Map.entry("CONTACT", "Alice"),
            Map.entry("COMMENT", "note"),
            Map.entry("ATTACH", "https://example.com/a.pdf"),
            Map.entry("CATEGORIES", "work"),
            Map.entry("RESOURCES", "projector"),
            Map.entry("RELATED-TO", "uid-0@example.com"),
            Map.entry("EXDATE", "20261130T100000Z"),
            Map.entry("RDATE", "20261201T100000Z"),
            Map.entry("METHOD", "REQUEST"),
            Map.entry("VERSION", "2.0"),
            Map.entry("PRODID", "-//tests//EN"),
            Map.entry("CALSCALE", "GREGORIAN"),
            Map.entry("TZID", "Europe/Berlin"),
            Map.entry("TZURL", "https://example.com/tz"),
            Map.entry("TZOFFSETFROM", "+0100"),
            Map.entry("TZOFFSETTO", "+0200"),
            Map.entry("TZNAME", "CEST"),
            Map.entry("ACTION", "DISPLAY"),
            Map.entry("TRIGGER", "-PT5M"),
            Map.entry("REPEAT", "1"));

    private static String value(String property) {
        String v = VALUES.get(property);
        if (v == null) {
            throw new IllegalStateException("no sample value for " + property);
        }
        return v;
    }

    /** A message as a tree of lines, so one row can be broken at a time. */
    private static final class Draft {
        final String kind;
        final ItipMethod method;
        final Map<String, List<String>> calendar = new LinkedHashMap<>();
        final Map<String, List<String>> component = new LinkedHashMap<>();
        final Map<String, List<String>> alarm = new LinkedHashMap<>();
        final Map<String, List<String>> timezone = new LinkedHashMap<>();
        final Map<String, List<String>> standard = new LinkedHashMap<>();
        boolean withAlarm;
        boolean withTimezone;
        boolean withStandard = true;
        int components = 1;
        final List<String> extraComponents = new ArrayList<>();

        Draft(String kind, ItipMethod method) {
            this.kind = kind;
            this.method = method;
            calendar.put("VERSION", List.of("2.0"));
            calendar.put("PRODID", List.of("-//tests//EN"));
            calendar.put("METHOD", List.of(method.name()));
            for (Row row : TABLES.table(kind, method).orElseThrow()) {
                if (row.component().equals(kind) && needed(row.presence()) && !row.isComponent()) {
                    component.put(row.item(), List.of(value(row.item())));
                }
            }
            for (Row row : TABLES.shared()) {
                Map<String, List<String>> target = switch (row.component()) {
                    case "VALARM" -> alarm;
                    case "VTIMEZONE" -> timezone;
                    case "STANDARD" -> standard;
                    default -> null;
                };
                if (target != null && needed(row.presence()) && !row.isComponent()) {
                    target.put(row.item(), List.of(value(row.item())));
                }
            }
        }

        static boolean needed(Presence p) {
            return p == Presence.EXACTLY_ONE || p == Presence.AT_LEAST_ONE;
        }

        Map<String, List<String>> section(String component) {
            return switch (component) {
                case "VCALENDAR" -> calendar;
                case "VALARM" -> alarm;
                case "VTIMEZONE" -> timezone;
                case "STANDARD", "DAYLIGHT" -> standard;
                default -> this.component;
            };
        }

        byte[] bytes() {
            StringBuilder sb = new StringBuilder("BEGIN:VCALENDAR\r\n");
            lines(sb, calendar);
            if (withTimezone) {
                sb.append("BEGIN:VTIMEZONE\r\n");
                lines(sb, timezone);
                if (withStandard) {
                    sb.append("BEGIN:STANDARD\r\n");
                    lines(sb, standard);
                    sb.append("END:STANDARD\r\n");
                }
                sb.append("END:VTIMEZONE\r\n");
            }
            for (int i = 0; i < components; i++) {
                sb.append("BEGIN:").append(kind).append("\r\n");
                lines(sb, component);
                if (withAlarm) {
                    sb.append("BEGIN:VALARM\r\n");
                    lines(sb, alarm);
                    sb.append("END:VALARM\r\n");
                }
                sb.append("END:").append(kind).append("\r\n");
            }
            for (String other : extraComponents) {
                sb.append("BEGIN:").append(other).append("\r\nUID:other\r\nDTSTAMP:20261120T100000Z\r\nEND:")
                        .append(other).append("\r\n");
            }
            return sb.append("END:VCALENDAR\r\n").toString().getBytes(StandardCharsets.UTF_8);
        }

        private static void lines(StringBuilder sb, Map<String, List<String>> props) {
            props.forEach((name, values) -> values.forEach(v -> sb.append(name).append(':').append(v).append("\r\n")));
        }
    }

    static List<Finding> inspect(ItipStructureCheck check, byte[] bytes) {
        CalendarRead read = new CalendarReader(Samples.limits()).read(bytes);
        CalendarRead.Parsed parsed = assertInstanceOf(CalendarRead.Parsed.class, read,
                () -> new String(bytes, StandardCharsets.UTF_8));
        return check.inspect(message(parsed.calendar(), bytes), NO_RECIPIENT);
    }

    static SchedulingMessage message(Calendar calendar, byte[] bytes) {
        return new SchedulingMessage(calendar, bytes, CalendarUserAddress.of("bob@example.com"),
                new CaldavSubmission("alice", Set.of(CalendarUserAddress.of("alice@example.com"))));
    }

    static final RecipientContext NO_RECIPIENT = TestRecipient.of("bob@example.com", Clock.systemUTC());

    private static Stream<Map.Entry<String, ItipMethod>> tables() {
        List<Map.Entry<String, ItipMethod>> out = new ArrayList<>();
        for (String kind : KINDS) {
            for (ItipMethod m : ItipMethod.values()) {
                if (TABLES.table(kind, m).isPresent()) {
                    out.add(Map.entry(kind, m));
                }
            }
        }
        return out.stream();
    }

    @Test
    void allTwentyTwoTablesAreLoaded() {
        assertEquals(22, tables().count());
    }

    @TestFactory
    Stream<DynamicTest> aMessageBuiltToEachTablePasses() {
        return tables().map(t -> DynamicTest.dynamicTest(t.getValue() + " " + t.getKey(), () -> {
            Draft d = new Draft(t.getKey(), t.getValue());
            List<Finding> findings = inspect(STRICT, d.bytes());
            assertEquals(List.of(), findings, () -> new String(d.bytes(), StandardCharsets.UTF_8));
        }));
    }

    @TestFactory
    Stream<DynamicTest> breakingAnyRowMakesTheMessageMalformed() {
        List<DynamicTest> tests = new ArrayList<>();
        tables().forEach(t -> {
            String kind = t.getKey();
            ItipMethod method = t.getValue();
            List<Row> rows = new ArrayList<>(TABLES.table(kind, method).orElseThrow());
            boolean alarmsAllowed = rows.stream().noneMatch(r -> r.component().equals("VALARM") && r.isComponent()
                    && r.presence() == Presence.NEVER);
            boolean zonesAllowed = rows.stream().noneMatch(r -> r.component().equals("VTIMEZONE")
                    && r.isComponent() && r.presence() == Presence.NEVER);
            // RFC 5545 gives VJOURNAL and VFREEBUSY no alarms and ical4j drops a VALARM inside them while
            // parsing, so no VALARM row can apply to what ical4j hands over for those kinds
            boolean alarmsVisible = !kind.equals("VJOURNAL") && !kind.equals("VFREEBUSY");
            for (Row shared : TABLES.shared()) {
                if ((shared.component().equals("VALARM") && alarmsAllowed)
                        || (shared.component().matches("VTIMEZONE|STANDARD") && zonesAllowed)
                        || shared.component().equals("VCALENDAR")) {
                    rows.add(shared);
                }
            }
            rows.removeIf(r -> r.component().equals("VALARM") && !alarmsVisible);
            for (Row row : rows) {
                String name = method + " " + kind + " " + row.component() + " " + row.item() + " "
                        + row.presence();
                tests.add(DynamicTest.dynamicTest(name, () -> {
                    Draft d = new Draft(kind, method);
                    d.withAlarm = row.component().equals("VALARM");
                    d.withTimezone = row.component().matches("VTIMEZONE|STANDARD");
                    if (!breakRow(d, row)) {
                        return; // "0+" rows and VTIMEZONE "0 or 1" (read as 0+) cannot be broken
                    }
                    List<Finding> findings = inspect(STRICT, d.bytes());
                    assertFalse(findings.isEmpty(), () -> "no finding for " + name + "\n"
                            + new String(d.bytes(), StandardCharsets.UTF_8));
                    assertTrue(findings.stream().allMatch(f -> f.code().value().equals("malformed")));
                    String item = row.isComponent() ? row.component() : row.item();
                    assertTrue(findings.stream().anyMatch(f -> f.message().contains(item)),
                            () -> "findings do not name " + item + ": " + findings);
                }));
            }
        });
        return tests.stream();
    }

    /** Breaks the message in exactly one row; answers false if the row allows anything. */
    private static boolean breakRow(Draft d, Row row) {
        if (row.isComponent()) {
            switch (row.presence()) {
                case NEVER -> {
                    if (row.component().equals("VALARM")) {
                        d.withAlarm = true;
                    } else if (row.component().equals("VTIMEZONE")) {
                        d.withTimezone = true;
                    } else {
                        d.extraComponents.add(row.component());
                    }
                    return true;
                }
                case EXACTLY_ONE, AT_MOST_ONE -> {
                    if (row.component().equals("VTIMEZONE")) {
                        return false;
                    }
                    d.components = 2;
                    return true;
                }
                default -> {
                    return false;
                }
            }
        }
        Map<String, List<String>> section = d.section(row.component());
        String value = value(row.item());
        switch (row.presence()) {
            case EXACTLY_ONE, AT_LEAST_ONE -> {
                if (row.presence() == Presence.EXACTLY_ONE && !section.containsKey(row.item())) {
                    return false;
                }
                section.remove(row.item());
                return true;
            }
            case NEVER -> {
                section.put(row.item(), List.of(value));
                return true;
            }
            case AT_MOST_ONE -> {
                section.put(row.item(), List.of(value, value));
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    @Test
    void missingDuplicateAndForbiddenEachHaveTheirStatus() {
        Draft missing = new Draft("VEVENT", ItipMethod.REPLY);
        missing.component.remove("ATTENDEE");
        assertEquals("3.11", inspect(STRICT, missing.bytes()).get(0).requestStatus().orElseThrow().code());
        Draft two = new Draft("VEVENT", ItipMethod.REPLY);
        two.component.put("ATTENDEE", List.of("mailto:bob@example.com", "mailto:carol@example.com"));
        Finding f = inspect(STRICT, two.bytes()).get(0);
        assertTrue(f.message().contains("only one ATTENDEE"), f.message());
        assertEquals("3.13", f.requestStatus().orElseThrow().code());
    }

    @Test
    void toleratedRowsAreNotEnforced() {
        ItipStructureCheck lenient = new ItipStructureCheck(TABLES, Set.of("VTODO.DTSTART", "valarm"));
        Draft todo = new Draft("VTODO", ItipMethod.REQUEST);
        todo.component.remove("DTSTART");
        assertEquals(List.of(), inspect(lenient, todo.bytes()));
        assertFalse(inspect(STRICT, todo.bytes()).isEmpty());
        Draft reply = new Draft("VEVENT", ItipMethod.REPLY);
        reply.withAlarm = true;
        assertEquals(List.of(), inspect(lenient, reply.bytes()));
        assertFalse(inspect(STRICT, reply.bytes()).isEmpty());
    }

    @Test
    void methodMustBeAnItipMethod() {
        Draft d = new Draft("VEVENT", ItipMethod.REQUEST);
        d.calendar.remove("METHOD");
        assertTrue(inspect(STRICT, d.bytes()).get(0).message().contains("no METHOD"));
        d.calendar.put("METHOD", List.of("X-INVITE"));
        assertTrue(inspect(STRICT, d.bytes()).get(0).message().contains("not an iTIP method"));
    }

    @Test
    void combinationsTheRfcDoesNotDefineAreMalformed() {
        Draft journal = new Draft("VJOURNAL", ItipMethod.PUBLISH);
        journal.calendar.put("METHOD", List.of("REQUEST"));
        Finding f = inspect(STRICT, journal.bytes()).get(0);
        assertTrue(f.message().contains("defines no REQUEST for VJOURNAL"), f.message());
    }

    @Test
    void componentsOfOneMessageShareOneUid() {
        byte[] twoUids = Samples.ics("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:x", "METHOD:CANCEL",
                "BEGIN:VEVENT", "UID:a", "DTSTAMP:20261120T100000Z", "SEQUENCE:1", "ORGANIZER:mailto:a@example.com",
                "ATTENDEE:mailto:b@example.com", "END:VEVENT",
                "BEGIN:VEVENT", "UID:b", "DTSTAMP:20261120T100000Z", "SEQUENCE:1", "ORGANIZER:mailto:a@example.com",
                "ATTENDEE:mailto:b@example.com", "END:VEVENT", "END:VCALENDAR");
        assertTrue(inspect(STRICT, twoUids).stream().anyMatch(f -> f.message().contains("share one UID")));
    }

    @Test
    void versionMustBeTwoPointZero() {
        Draft d = new Draft("VEVENT", ItipMethod.REQUEST);
        d.calendar.put("VERSION", List.of("1.0"));
        assertEquals("3.9", inspect(STRICT, d.bytes()).get(0).requestStatus().orElseThrow().code());
    }

    @Test
    void endAndDurationExcludeEachOther() {
        Draft d = new Draft("VEVENT", ItipMethod.REQUEST);
        d.component.put("DTEND", List.of("20261123T110000Z"));
        d.component.put("DURATION", List.of("PT1H"));
        assertTrue(inspect(STRICT, d.bytes()).get(0).message().contains("DTEND and DURATION"));
    }

    @Test
    void valuesMustParse() {
        // a UTC or floating date that does not parse stops ical4j itself (see CalendarReaderTest); one with a
        // TZID is parsed only when read, which this check does
        Draft badDate = new Draft("VEVENT", ItipMethod.REQUEST);
        badDate.component.remove("DTSTART");
        badDate.component.put("DTSTART;TZID=Europe/Berlin", List.of("2026-11-23 10:00"));
        assertEquals("3.5", inspect(STRICT, badDate.bytes()).get(0).requestStatus().orElseThrow().code());
        Draft badAddress = new Draft("VEVENT", ItipMethod.REQUEST);
        badAddress.component.put("ATTENDEE", List.of("nobody"));
        assertEquals("3.7", inspect(STRICT, badAddress.bytes()).get(0).requestStatus().orElseThrow().code());
        Draft unknownZone = new Draft("VEVENT", ItipMethod.REQUEST);
        unknownZone.component.remove("DTSTART");
        unknownZone.component.put("DTSTART;TZID=Atlantis/Capital", List.of("20261123T100000"));
        assertTrue(inspect(STRICT, unknownZone.bytes()).get(0).message().contains("Atlantis/Capital"));
        Draft olson = new Draft("VEVENT", ItipMethod.REQUEST);
        olson.component.remove("DTSTART");
        olson.component.put("DTSTART;TZID=Europe/Berlin", List.of("20261123T100000"));
        assertEquals(List.of(), inspect(STRICT, olson.bytes()));
    }

    @Test
    void mixedComponentKindsAreMalformed() {
        Draft d = new Draft("VEVENT", ItipMethod.PUBLISH);
        d.extraComponents.add("VTODO");
        assertTrue(inspect(STRICT, d.bytes()).get(0).message().contains("mixes VEVENT and VTODO"));
    }

    @Test
    void sectionsAreNamedAfterTheRfc() {
        assertEquals("3.2.3", ItipRestrictions.section("VEVENT", ItipMethod.REPLY));
        assertEquals("3.3.2", ItipRestrictions.section("VFREEBUSY", ItipMethod.REQUEST));
        assertEquals("3.4.8", ItipRestrictions.section("VTODO", ItipMethod.DECLINECOUNTER));
        assertEquals("3.5.3", ItipRestrictions.section("VJOURNAL", ItipMethod.CANCEL));
    }
}
