package dev.inboxguard.calendar;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.ical.CalendarReader;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

/** What the approval page says about an event, in words. */
class EventDescriptionTest {
    private static final CalendarReader READER = new CalendarReader(dev.inboxguard.config.ConfigFile.defaults().limits());

    @Test
    void recurrenceInWords() {
        ZoneId utc = ZoneOffset.UTC;
        assertEquals("every week on Tuesday, until Tuesday 2 March 2027",
                EventDescription.recurrence("FREQ=WEEKLY;BYDAY=TU;UNTIL=20270302T100000Z", utc));
        assertEquals("every 2 weeks on Monday, Friday, 6 times",
                EventDescription.recurrence("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR;COUNT=6", utc));
        assertEquals("every month on last Friday, with no end",
                EventDescription.recurrence("FREQ=MONTHLY;BYDAY=-1FR", utc));
        assertEquals("every day, until Friday 1 January 2027",
                EventDescription.recurrence("FREQ=DAILY;UNTIL=20270101", utc));
        assertEquals("repeats (FREQ=FORTNIGHTLY)", EventDescription.recurrence("FREQ=FORTNIGHTLY", utc));
    }

    @Test
    void timesInTheReadersZoneWithNamesAndAnswers() {
        String ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
                + "UID:a\r\nDTSTAMP:20261201T090000Z\r\nDTSTART:20261210T230000Z\r\nDURATION:PT2H\r\n"
                + "SUMMARY:Late call\r\nLOCATION:Bridge\r\nORGANIZER;CN=Olga:mailto:olga@example.net\r\n"
                + "ATTENDEE;CN=Al;PARTSTAT=TENTATIVE:mailto:al@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        EventDescription d = EventDescription.of(READER, ics.getBytes(StandardCharsets.UTF_8), "REQUEST",
                ZoneId.of("Europe/Berlin"));
        // 23:00 UTC is midnight in Berlin: the next day, and it ends two hours on
        assertEquals("Friday 11 December 2026, 00:00–02:00 (Europe/Berlin)", d.when());
        assertEquals("Olga <olga@example.net>", d.organizer());
        assertEquals("Al <al@example.com> (maybe)", d.guests().get(0));
        assertEquals("Bridge", d.where());
    }

    @Test
    void anEventInItsOwnZoneIsNamedByThatZoneAndPlacedByTodaysRules() {
        String ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
                + "UID:a\r\nDTSTAMP:20261201T090000Z\r\nDTSTART;TZID=Europe/Istanbul:20270115T100000\r\n"
                + "DURATION:PT1H\r\nSUMMARY:Tea\r\nORGANIZER:mailto:olga@example.net\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        byte[] data = ics.getBytes(StandardCharsets.UTF_8);
        // the outgoing mail's words: the zone's own name (it was ical4j's internal "ical4j~<uuid>" id)
        assertEquals("Friday 15 January 2027, 10:00–11:00 (Europe/Istanbul)",
                EventDescription.inItsOwnZone(READER, data, "REQUEST").when());
        // Turkey keeps +03:00 all year (ical4j's own rules said +02:00 in winter, so 08:00 UTC)
        assertEquals("Friday 15 January 2027, 07:00–08:00 (UTC)",
                EventDescription.of(READER, data, "REQUEST", ZoneOffset.UTC).when());
        // Outlook's Windows name is shown as the IANA zone ical4j's alias table gives for it (Vienna, whose clocks
        // are Berlin's), not as Outlook's words
        String outlook = ics.replace("Europe/Istanbul", "W. Europe Standard Time");
        assertEquals("Friday 15 January 2027, 10:00–11:00 (Europe/Vienna)",
                EventDescription.inItsOwnZone(READER, outlook.getBytes(StandardCharsets.UTF_8), "REQUEST").when());
    }

    @Test
    void controlCharactersAndBidiOverridesAreShownAsReplacementCharacters() {
        assertEquals("invoice\uFFFDfdp.exe \uFFFDa\uFFFDb", EventDescription.visible("invoice\u202Efdp.exe \u2066a\u0007b"));
        assertEquals("plain text, kept\n", EventDescription.visible("plain text, kept\n"));
    }

    @Test
    void anAllDayEventAndAnAnswerWithoutTitle() {
        String ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\n"
                + "UID:b\r\nDTSTAMP:20261201T090000Z\r\nDTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261227\r\n"
                + "ORGANIZER:mailto:alice@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.com\r\n"
                + "END:VEVENT\r\nEND:VCALENDAR\r\n";
        EventDescription d = EventDescription.of(READER, ics.getBytes(StandardCharsets.UTF_8), "REPLY",
                ZoneOffset.UTC);
        assertEquals("An answer to your invitation", d.title());
        assertEquals("Thursday 24 December 2026 to Saturday 26 December 2026, all day", d.when());
        assertTrue(EventDescription.of(READER, "not a calendar".getBytes(StandardCharsets.UTF_8), "REQUEST",
                ZoneOffset.UTC).when().isEmpty());
    }
}
