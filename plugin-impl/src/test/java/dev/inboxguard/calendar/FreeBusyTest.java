package dev.inboxguard.calendar;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import net.fortuna.ical4j.model.Calendar;
import org.junit.jupiter.api.Test;

/** Busy time (RFC 4791 §7.10, RFC 5545 §3.2.9): what blocks time, per instance, merged per type. */
class FreeBusyTest {
    private static Calendar ics(String... lines) {
        String text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n" + String.join("\r\n", lines)
                + "\r\nEND:VCALENDAR\r\n";
        return ((CalendarRead.Parsed) new CalendarReader(ConfigFile.defaults().limits())
                .read(text.getBytes(StandardCharsets.UTF_8))).calendar();
    }

    @Test
    void overridesCancellationsTransparencyAndTentativeEvents() {
        FreeBusy busy = new FreeBusy(Instant.parse("2026-11-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00Z"));
        busy.add(ics("BEGIN:VEVENT", "UID:a", "DTSTAMP:20261101T000000Z", "DTSTART:20261102T100000Z",
                "DTEND:20261102T110000Z", "RRULE:FREQ=WEEKLY;COUNT=3", "EXDATE:20261109T100000Z", "END:VEVENT",
                "BEGIN:VEVENT", "UID:a", "DTSTAMP:20261101T000000Z", "RECURRENCE-ID:20261116T100000Z",
                "DTSTART:20261116T140000Z", "DTEND:20261116T150000Z", "STATUS:TENTATIVE", "END:VEVENT"));
        busy.add(ics("BEGIN:VEVENT", "UID:b", "DTSTAMP:20261101T000000Z", "DTSTART:20261102T103000Z",
                "DTEND:20261102T120000Z", "END:VEVENT"));
        busy.add(ics("BEGIN:VEVENT", "UID:c", "DTSTAMP:20261101T000000Z", "DTSTART:20261103T100000Z",
                "DTEND:20261103T120000Z", "TRANSP:TRANSPARENT", "END:VEVENT"));
        busy.add(ics("BEGIN:VEVENT", "UID:d", "DTSTAMP:20261101T000000Z", "DTSTART:20261104T100000Z",
                "DTEND:20261104T120000Z", "STATUS:CANCELLED", "END:VEVENT"));
        busy.add(ics("BEGIN:VFREEBUSY", "UID:e", "DTSTAMP:20261101T000000Z",
                "FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20261105T080000Z/PT2H", "FREEBUSY;FBTYPE=FREE:20261105T120000Z/PT2H",
                "END:VFREEBUSY"));
        assertEquals("FREEBUSY;FBTYPE=BUSY:20261102T100000Z/20261102T120000Z\r\n"
                + "FREEBUSY;FBTYPE=BUSY-UNAVAILABLE:20261105T080000Z/20261105T100000Z\r\n"
                + "FREEBUSY;FBTYPE=BUSY-TENTATIVE:20261116T140000Z/20261116T150000Z\r\n", busy.lines());
    }

    @Test
    void periodsAreCutToTheRange() {
        FreeBusy busy = new FreeBusy(Instant.parse("2026-11-02T10:30:00Z"), Instant.parse("2026-11-02T10:45:00Z"));
        busy.add(ics("BEGIN:VEVENT", "UID:a", "DTSTAMP:20261101T000000Z", "DTSTART:20261102T100000Z",
                "DTEND:20261102T110000Z", "END:VEVENT"));
        assertEquals("FREEBUSY;FBTYPE=BUSY:20261102T103000Z/20261102T104500Z\r\n", busy.lines());
    }
}
