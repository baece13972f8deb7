package dev.inboxguard.ical;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.Samples;
import dev.inboxguard.api.Finding;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CalendarReaderTest {
    private static final Limits SMALL = new Limits(4096, 8192, 100, 6, 30, 12, 3, 3, 5, 1000);

    private static Finding refusal(CalendarRead read) {
        CalendarRead.Refused refused = assertInstanceOf(CalendarRead.Refused.class, read);
        assertEquals(1, refused.findings().size());
        return refused.findings().get(0);
    }

    private static CalendarRead read(Limits limits, byte[] bytes) {
        return new CalendarReader(limits).read(bytes);
    }

    private static byte[] withEventLines(List<String> lines) {
        return Samples.event("REQUEST", lines.toArray(String[]::new));
    }

    @Test
    void refusalsAreInTheProjectsOwnWords() {
        // a library's exception text (class names, parser messages, the input) never reaches a sender or a client
        int refused = 0;
        for (List<String> lines : List.of(List.of("DURATION:P1XT"), List.of("ATTENDEE:mailto:a b@example.com"),
                List.of("DTEND:2026XX01T100000Z"), List.of("SEQUENCE:one"))) {
            CalendarRead read = read(dev.inboxguard.Samples.limits(), withEventLines(lines));
            if (read instanceof CalendarRead.Refused) {
                String message = refusal(read).message();
                assertTrue(!message.contains("Exception") && !message.contains("java.") && !message.contains("at index")
                        && !message.contains("parsed"), lines + ": " + message);
                refused++;
            }
        }
        assertTrue(refused >= 2, "the broken values were refused");
    }

    @Test
    void aDurationWithAnEmptyTimePartReadsAsMeant() {
        // "P1DT" is a slip some clients make for a whole day; the reading is lenient, the stored bytes are not changed
        byte[] slip = withEventLines(List.of("DURATION:P1DT", "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:x",
                "TRIGGER:-P1DT", "END:VALARM"));
        CalendarRead.Parsed parsed = assertInstanceOf(CalendarRead.Parsed.class,
                read(dev.inboxguard.Samples.limits(), slip));
        assertTrue(new String(parsed.bytes(), java.nio.charset.StandardCharsets.UTF_8).contains("DURATION:P1DT\r\n"));
        assertEquals("P1D", parsed.calendar().getComponents().get(0).getProperty("DURATION").orElseThrow().getValue());
        // a broken value that is not this slip is still refused
        refusal(read(dev.inboxguard.Samples.limits(), withEventLines(List.of("DURATION:P1XT"))));
    }

    @Test
    void aByteOrderMarkIsNotContent() {
        byte[] request = dev.inboxguard.Samples.request();
        byte[] withBom = new byte[request.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(request, 0, withBom, 3, request.length);
        assertInstanceOf(CalendarRead.Parsed.class, read(dev.inboxguard.Samples.limits(), withBom));
    }

    @Test
    void aDateIcal4jAcceptsButCannotPrintIsMalformedInput() {
        // found by CalendarReaderFuzzTest: month 41 in an EXDATE threw from getValue() inside a check
        byte[] ics = dev.inboxguard.Samples.event("REQUEST", "UID:x@example.com", "DTSTAMP:20261120T100000Z",
                "DTSTART:20261123T100000Z", "ORGANIZER:mailto:alice@example.com", "ATTENDEE:mailto:bob@example.com",
                "RRULE:FREQ=WEEKLY", "EXDATE;TZID=Europe/Berlin:56294145T140000");
        Finding f = refusal(read(dev.inboxguard.Samples.limits(), ics));
        assertEquals("malformed", f.code().value());
        assertTrue(f.message().contains("EXDATE"), f.message());
    }

    @Test
    void readsAValidMessage() {
        CalendarRead.Parsed parsed = assertInstanceOf(CalendarRead.Parsed.class,
                read(Samples.limits(), Samples.request()));
        assertEquals(1, parsed.calendar().getComponents().size());
    }

    @Test
    void totalBytesAtTheLimitPassAndOneMoreIsRefused() {
        byte[] message = Samples.request();
        Limits exact = new Limits(message.length, 8192, 1000, 10, 100, 50, 10, 5, 5, 1000);
        assertInstanceOf(CalendarRead.Parsed.class, read(exact, message));
        Limits tight = new Limits(message.length - 1, 8192, 1000, 10, 100, 50, 10, 5, 5, 1000);
        Finding f = refusal(read(tight, message));
        assertEquals("limits.size", f.code().value());
        assertEquals("3.10", f.requestStatus().orElseThrow().code());
    }

    @Test
    void aUidOverOneKilobyteIsRefusedCountingBytesAcrossFolds() {
        // 512 two-byte characters, folded over several physical lines: exactly 1,024 bytes
        String half = "\u00fc".repeat(256);
        byte[] exact = withEventLines(List.of("UID:" + half, " " + half));
        assertInstanceOf(CalendarRead.Parsed.class, read(Samples.limits(), exact));
        byte[] over = withEventLines(List.of("UID:" + half, " " + half + "x"));
        Finding f = refusal(read(Samples.limits(), over));
        assertEquals("limits.size", f.code().value());
        assertEquals("UID", f.property().orElseThrow());
        // folding inside the property name does not hide it
        byte[] foldedName = withEventLines(List.of("U", " ID:" + half + half + "x"));
        assertEquals("limits.size", refusal(read(Samples.limits(), foldedName)).code().value());
        // a four-byte character counts four bytes
        byte[] astral = withEventLines(List.of("UID:" + "\ud83d\ude00".repeat(257)));
        assertEquals("limits.size", refusal(read(Samples.limits(), astral)).code().value());
    }

    @Test
    void lineLengthCountsFoldedContinuations() {
        String value = "x".repeat(80);
        byte[] ok = withEventLines(List.of("UID:1", "SUMMARY:" + value));
        assertInstanceOf(CalendarRead.Parsed.class, read(SMALL, ok));
        // the same 160 characters, folded into short physical lines, are still one 168-character content line
        byte[] folded = withEventLines(List.of("UID:1", "SUMMARY:" + value, " " + value));
        Finding f = refusal(read(SMALL, folded));
        assertEquals("limits.size", f.code().value());
        assertEquals("SUMMARY", f.property().orElseThrow());
        byte[] unfoldedLong = withEventLines(List.of("UID:1", "DESCRIPTION:" + "y".repeat(101)));
        assertEquals("limits.size", refusal(read(SMALL, unfoldedLong)).code().value());
    }

    @Test
    void componentCountIsLimited() {
        // VCALENDAR + VEVENT + 4 VALARMs = 6 components: allowed; a fifth alarm is one too many
        List<String> lines = new ArrayList<>(List.of("UID:1"));
        for (int i = 0; i < 4; i++) {
            lines.addAll(List.of("BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT5M", "END:VALARM"));
        }
        assertInstanceOf(CalendarRead.Parsed.class, read(SMALL, withEventLines(lines)));
        lines.addAll(List.of("BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT5M", "END:VALARM"));
        Finding f = refusal(read(SMALL, withEventLines(lines)));
        assertEquals("limits.size", f.code().value());
        assertTrue(f.message().contains("components"), f.message());
    }

    @Test
    void nestingDepthIsLimited() {
        byte[] depth3 = withEventLines(List.of("UID:1", "BEGIN:VALARM", "ACTION:DISPLAY", "TRIGGER:-PT5M",
                "END:VALARM"));
        assertInstanceOf(CalendarRead.Parsed.class, read(SMALL, depth3));
        byte[] depth4 = withEventLines(List.of("UID:1", "BEGIN:VALARM", "BEGIN:X-DEEP", "X-A:1", "END:X-DEEP",
                "END:VALARM"));
        Finding f = refusal(read(SMALL, depth4));
        assertEquals("limits.size", f.code().value());
        assertTrue(f.message().contains("nested"), f.message());
    }

    @Test
    void propertiesPerComponentAreLimited() {
        List<String> lines = new ArrayList<>(List.of("UID:1"));
        for (int i = 0; i < 11; i++) {
            lines.add("X-P" + i + ":v");
        }
        assertInstanceOf(CalendarRead.Parsed.class, read(SMALL, withEventLines(lines)));
        lines.add("X-ONE-MORE:v");
        Finding f = refusal(read(SMALL, withEventLines(lines)));
        assertEquals("limits.size", f.code().value());
        assertEquals("X-ONE-MORE", f.property().orElseThrow());
    }

    @Test
    void propertiesPerObjectAreLimited() {
        Limits limits = new Limits(65536, 65536, 1000, 100, 20, 100, 10, 5, 5, 1000);
        // VCALENDAR has 3 properties; 5 VEVENTs of 3 properties each make 18, under 20
        StringBuilder sb = new StringBuilder("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nMETHOD:PUBLISH\r\n");
        for (int i = 0; i < 5; i++) {
            sb.append("BEGIN:VEVENT\r\nUID:").append(i).append("\r\nX-A:1\r\nX-B:2\r\nEND:VEVENT\r\n");
        }
        String ok = sb + "END:VCALENDAR\r\n";
        assertInstanceOf(CalendarRead.Parsed.class, read(limits, ok.getBytes(StandardCharsets.UTF_8)));
        String over = sb + "BEGIN:VEVENT\r\nUID:x\r\nX-A:1\r\nX-B:2\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        assertEquals("limits.size", refusal(read(limits, over.getBytes(StandardCharsets.UTF_8))).code().value());
    }

    @Test
    void attendeesPerComponentAreLimited() {
        List<String> lines = new ArrayList<>(List.of("UID:1"));
        for (int i = 0; i < 3; i++) {
            lines.add("ATTENDEE:mailto:a" + i + "@example.com");
        }
        assertInstanceOf(CalendarRead.Parsed.class, read(SMALL, withEventLines(lines)));
        lines.add("ATTENDEE:mailto:one-more@example.com");
        Finding f = refusal(read(SMALL, withEventLines(lines)));
        assertEquals("limits.size", f.code().value());
        assertEquals("ATTENDEE", f.property().orElseThrow());
    }

    @Test
    void twentyThousandAttendeesAreRefusedBeforeParsing() {
        List<String> lines = new ArrayList<>(List.of("UID:1"));
        for (int i = 0; i < 20_000; i++) {
            lines.add("ATTENDEE:mailto:a" + i + "@example.com");
        }
        Limits roomy = new Limits(4 * 1024 * 1024, 8192, 1000, 10, 100_000, 100_000, 1000, 5, 5, 1000);
        assertEquals("limits.size", refusal(read(roomy, withEventLines(lines))).code().value());
    }

    @Test
    void garbageAndBrokenStructureAreMalformed() {
        for (String text : List.of("", "hello world\n", "\u0000\u0001\u0002", "BEGIN:VEVENT\r\nEND:VEVENT\r\n",
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n",
                "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nEND:VTODO\r\nEND:VCALENDAR\r\n",
                "END:VCALENDAR\r\n",
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\nX-TRAILING:1\r\n",
                "BEGIN:VCALENDAR\r\nthis line has no colon\r\nEND:VCALENDAR\r\n")) {
            Finding f = refusal(read(Samples.limits(), text.getBytes(StandardCharsets.UTF_8)));
            assertEquals("malformed", f.code().value(), () -> "for " + text);
        }
    }

    @Test
    void acceptsLfAndLoneCrLineEnds() {
        String crlf = new String(Samples.request(), StandardCharsets.UTF_8);
        assertInstanceOf(CalendarRead.Parsed.class,
                read(Samples.limits(), crlf.replace("\r\n", "\n").getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void anAbusiveVtimezoneIsNotExpandedWhileReading() {
        // shared/HAZARDS.md: with a timezone registry this exhausts the heap inside CalendarBuilder.build
        byte[] bomb = Samples.ics("BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:x", "METHOD:REQUEST",
                "BEGIN:VTIMEZONE", "TZID:Bomb/Zone",
                "BEGIN:STANDARD", "DTSTART:19700101T000000", "RRULE:FREQ=SECONDLY", "TZOFFSETFROM:+0100",
                "TZOFFSETTO:+0000", "END:STANDARD",
                "BEGIN:DAYLIGHT", "DTSTART:19700101T000001", "RRULE:FREQ=SECONDLY", "TZOFFSETFROM:+0000",
                "TZOFFSETTO:+0100", "END:DAYLIGHT",
                "END:VTIMEZONE",
                "BEGIN:VEVENT", "UID:1", "DTSTAMP:20260101T000000Z", "DTSTART;TZID=Bomb/Zone:20260101T100000",
                "END:VEVENT", "END:VCALENDAR");
        assertInstanceOf(CalendarRead.Parsed.class, read(Samples.limits(), bomb));
    }

    @Test
    void boundedInputStopsOneBytePastTheLimit() throws Exception {
        byte[] data = new byte[1000];
        assertTrue(BoundedInput.read(new ByteArrayInputStream(data), 1000).isPresent());
        assertTrue(BoundedInput.read(new ByteArrayInputStream(data), 999).isEmpty());
        ByteArrayInputStream endless = new ByteArrayInputStream(new byte[10_000_000]);
        assertTrue(BoundedInput.read(endless, 100).isEmpty());
        assertTrue(endless.available() >= 10_000_000 - 100 - 1, "read far past the limit");
    }
}
