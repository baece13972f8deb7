package dev.inboxguard.calendar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.ical.Limits;
import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import net.fortuna.ical4j.data.CalendarOutputter;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.PropertyContainer;
import net.fortuna.ical4j.model.component.CalendarComponent;
import net.fortuna.ical4j.model.parameter.XParameter;
import net.fortuna.ical4j.model.property.Attendee;
import org.junit.jupiter.api.Test;

/** The rules for objects the server composes itself and judges on their model (RFC 4791 §4.1, the reading limits). */
class CalendarObjectRulesTest {
    // at most 3 attendees and 100-character lines
    private static final Limits SMALL = new Limits(4096, 8192, 100, 6, 30, 12, 3, 3, 5, 1000);
    private static final CalendarReader READER = new CalendarReader(SMALL);
    private static final CalendarObjectRules RULES = new CalendarObjectRules(READER);
    private static final String EVENT = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\n"
            + "UID:composed-1\r\nDTSTAMP:20261201T090000Z\r\nDTSTART:20261210T100000Z\r\nDTEND:20261210T110000Z\r\n"
            + "ORGANIZER:mailto:alice@example.com\r\nATTENDEE:mailto:bob@example.com\r\n"
            + "ATTENDEE:mailto:carol@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

    private static Calendar read() {
        return assertInstanceOf(CalendarRead.Parsed.class, READER.read(EVENT.getBytes(StandardCharsets.UTF_8)))
                .calendar();
    }

    private static byte[] written(Calendar calendar) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStreamWriter w = new OutputStreamWriter(out, StandardCharsets.UTF_8)) {
            new CalendarOutputter(false).output(calendar, w);
        }
        return out.toByteArray();
    }

    private static CalendarComponent event(Calendar calendar) {
        return calendar.<CalendarComponent>getComponents().get(0);
    }

    @Test
    void aComposedObjectWithinTheLimitsIsAcceptedWithItsUidAndSpan() throws Exception {
        Calendar calendar = read();
        CalendarObjectRules.Accepted accepted = assertInstanceOf(CalendarObjectRules.Accepted.class,
                RULES.judge(calendar, written(calendar), Set.of("VEVENT")));
        assertEquals("composed-1", accepted.uid());
        assertEquals(java.time.Instant.parse("2026-12-10T10:00:00Z").toEpochMilli(), accepted.span().start());
    }

    @Test
    void aComposedObjectThatGrewPastTheReadingLimitsIsRefused() throws Exception {
        // an answer merged in (a party crasher admitted) can add an attendee beyond what a reading allows
        Calendar joined = read();
        ((PropertyContainer) event(joined)).add(new Attendee("mailto:dave@example.com"));
        ((PropertyContainer) event(joined)).add(new Attendee("mailto:erin@example.com"));
        CalendarObjectRules.Refusal crowded = assertInstanceOf(CalendarObjectRules.Refusal.class,
                RULES.judge(joined, written(joined), Set.of("VEVENT")));
        assertEquals("valid-calendar-data", crowded.precondition());
        // a status parameter can lengthen a line past the limit, which the model alone does not show
        Calendar statuses = read();
        Property bob = event(statuses).<Property>getProperties(Property.ATTENDEE).get(0);
        bob.add(new XParameter("SCHEDULE-STATUS", "1.2"));
        bob.add(new XParameter("X-NOTE", "x".repeat(90)));
        byte[] text = written(statuses);
        assertTrue(new String(text, StandardCharsets.UTF_8).replace("\r\n ", "").lines()
                .anyMatch(l -> l.length() > 100), "the test's line is long once unfolded");
        assertInstanceOf(CalendarObjectRules.Refusal.class, RULES.judge(statuses, text, Set.of("VEVENT")));
    }
}
