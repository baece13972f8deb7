package dev.inboxguard.checks.content;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.TestRecipient;
import dev.inboxguard.api.CaldavSubmission;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CallbackScamCheckTest {
    private static final CallbackScamCheck CHECK = new CallbackScamCheck();

    private static List<Finding> inspect(String method, String description) {
        String ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nMETHOD:" + method + "\r\nBEGIN:VEVENT\r\n"
                + "UID:cb@example.com\r\nDTSTAMP:20261201T090000Z\r\nDTSTART:20270112T150000Z\r\n"
                + "SUMMARY:Meeting\r\nORGANIZER:mailto:alice@example.com\r\n"
                + "ATTENDEE:mailto:bob@example.com\r\nDESCRIPTION:" + description + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        CalendarRead.Parsed read = (CalendarRead.Parsed) new CalendarReader(ConfigFile.defaults().limits())
                .read(ics.getBytes(StandardCharsets.UTF_8));
        TestRecipient bob = TestRecipient.of("bob@example.com", Clock.systemUTC());
        return CHECK.inspect(new SchedulingMessage(read.calendar(), read.bytes(), bob.address(),
                new CaldavSubmission("alice", Set.of(CalendarUserAddress.of("alice@example.com")))), bob);
    }

    @Test
    void aNumberBesidePaymentWordsIsALureInFourLanguages() {
        for (String lure : List.of(
                "Your Norton renewal of $399 was charged. Call 1-888-555-0142 to cancel.",
                "Für eine Rückerstattung rufen Sie +49 30 5550 1234 an.",
                "Pour un remboursement\\, appelez le 01 55 50 12 34.",
                "Para el reembolso llame al +34 910 555 123.")) {
            List<Finding> f = inspect("REQUEST", lure);
            assertEquals(1, f.size(), lure);
            assertEquals("content.callback-scam", f.get(0).code().value());
        }
        assertTrue(inspect("REQUEST", "INVOICE #4411 PAID. Questions? +1 (888) 555-0142").get(0).message()
                .contains("+1 (888) 555-0142"));
    }

    @Test
    void dialInBlocksDatesAndPlainMeetingsAreNotLures() {
        for (String honest : List.of(
                "Invoice review. Join by phone +1 617-555-0148 PIN: 275 118 903#",
                "Refund workshop\\nMeeting ID: 812 3456 7890\\nPasscode: 424242\\n+1 646 555 0123 US (New York)",
                "Rechnungen: Besprechungs-ID: 381 552 704 118 Kenncode: h7Kx2p +49 69 5550 3321",
                "Renewal planning on 2027-01-12 and 12.01.2027 in room 4.12",
                "Lunch with the team. Call me on +44 20 7946 0321 if you are late.",
                "Order number 12345678 was shipped.")) {
            assertEquals(List.of(), inspect("REQUEST", honest), honest);
        }
        // a lure in a REPLY cannot put anything in the recipient's calendar; only invitations are read
        assertEquals(List.of(), inspect("REPLY", "Refund: call +1 888 555 0142"));
    }
}
