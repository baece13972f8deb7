package dev.inboxguard;

import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.ical.Limits;
import java.nio.charset.StandardCharsets;

/** Builds iCalendar test messages line by line. */
public final class Samples {
    private Samples() {
    }

    /**
     * @return the built-in configuration, with rate limits too high to matter, for tests that send many messages
     * from one sender at one instant
     */
    public static dev.inboxguard.config.GuardConfig unlimited() {
        var rate = new dev.inboxguard.config.GuardConfig.Rate(1_000_000, 1_000_000);
        return ConfigFile.defaults().withRates(new dev.inboxguard.config.GuardConfig.Rates(rate, rate, rate, rate));
    }

    /** @return the built-in limits */
    public static Limits limits() {
        return ConfigFile.defaults().limits();
    }

    /**
     * @param lines content lines, without line ends
     * @return the lines joined with CRLF, as UTF-8
     */
    public static byte[] ics(String... lines) {
        return (String.join("\r\n", lines) + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    /**
     * @param method  the METHOD
     * @param vevent  the lines inside BEGIN:VEVENT ... END:VEVENT
     * @return a whole message with one VEVENT
     */
    public static byte[] event(String method, String... vevent) {
        StringBuilder sb = new StringBuilder();
        sb.append("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//InboxGuard tests//EN\r\nMETHOD:").append(method)
                .append("\r\nBEGIN:VEVENT\r\n");
        for (String line : vevent) {
            sb.append(line).append("\r\n");
        }
        sb.append("END:VEVENT\r\nEND:VCALENDAR\r\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** @return a valid REQUEST from alice to bob and carol */
    public static byte[] request() {
        return event("REQUEST",
                "UID:meeting-1@example.com",
                "DTSTAMP:20261120T100000Z",
                "DTSTART:20261123T100000Z",
                "DTEND:20261123T103000Z",
                "SUMMARY:Planning",
                "SEQUENCE:0",
                "ORGANIZER;CN=Alice:mailto:alice@example.com",
                "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:bob@example.com",
                "ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:carol@example.com");
    }

    /** @return a valid REPLY from bob */
    public static byte[] reply() {
        return event("REPLY",
                "UID:meeting-1@example.com",
                "DTSTAMP:20261120T110000Z",
                "SEQUENCE:0",
                "ORGANIZER:mailto:alice@example.com",
                "ATTENDEE;PARTSTAT=ACCEPTED:mailto:bob@example.com");
    }
}
