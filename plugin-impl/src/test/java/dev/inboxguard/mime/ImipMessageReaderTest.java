package dev.inboxguard.mime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.Samples;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.Finding;
import dev.inboxguard.ical.Limits;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImipMessageReaderTest {
    private static final ImipMessageReader READER = new ImipMessageReader(Samples.limits(), new HeaderTrust(Set.of("mx.example.org"), 0));

    static String invitation(String calendarHeaders, String calendarBody) {
        return "Return-Path: <bounce@mail.example.com>\r\n"
                + "Authentication-Results: mx.example.org; dkim=pass header.d=example.com\r\n"
                + "Authentication-Results: forged.example; dkim=pass header.d=bank.example\r\n"
                + "From: \"Alice\" <alice@example.com>\r\n"
                + "Sender: assistant@example.com\r\n"
                + "Reply-To: alice@example.com\r\n"
                + "To: Bob <bob@example.org>\r\n"
                + "Message-ID: <1234@example.com>\r\n"
                + "Subject: Invitation\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n"
                + "--outer\r\n"
                + "Content-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n"
                + "--inner\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n\r\n"
                + "You are invited.\r\n"
                + "--inner\r\n"
                + calendarHeaders + "\r\n"
                + calendarBody + "\r\n"
                + "--inner--\r\n"
                + "--outer\r\n"
                + "Content-Type: application/ics; name=invite.ics\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n"
                + Base64.getMimeEncoder().encodeToString("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n".getBytes(
                StandardCharsets.UTF_8)) + "\r\n"
                + "--outer--\r\n";
    }

    private static ImipMessage extracted(String mail) {
        return assertInstanceOf(ImipRead.Extracted.class, READER.read(mail.getBytes(StandardCharsets.UTF_8)))
                .message();
    }

    private static Finding refused(ImipMessageReader reader, String mail) {
        return assertInstanceOf(ImipRead.Refused.class, reader.read(mail.getBytes(StandardCharsets.UTF_8)))
                .findings().get(0);
    }

    @Test
    void takesTheCalendarPartWithAMethodAndTheHeaderFacts() {
        String body = Base64.getMimeEncoder().encodeToString(Samples.request());
        ImipMessage m = extracted(invitation("Content-Type: text/calendar; charset=utf-8; method=REQUEST\r\n"
                + "Content-Transfer-Encoding: base64\r\n", body));
        assertEquals(new String(Samples.request(), StandardCharsets.UTF_8),
                new String(m.calendar(), StandardCharsets.UTF_8));
        assertEquals(Optional.of("REQUEST"), m.mimeMethod());
        assertEquals(Optional.of(CalendarUserAddress.of("bounce@mail.example.com")), m.returnPath());
        assertEquals(Optional.of(CalendarUserAddress.of("alice@example.com")), m.from());
        assertEquals(Optional.of(CalendarUserAddress.of("assistant@example.com")), m.sender());
        assertEquals(CalendarUserAddress.of("bob@example.org"), m.to().get(0));
        assertEquals(Optional.of("<1234@example.com>"), m.messageId());
        assertEquals(1, m.authenticationResults().size(), "only the trusted server's results count");
        assertEquals("example.com", m.authenticationResults().get(0).domain());
    }

    @Test
    void convertsDeclaredCharsetsToUtf8() {
        String latin1Summary = "SUMMARY:R\u00e9union";
        String ics = new String(Samples.request(), StandardCharsets.UTF_8).replace("SUMMARY:Planning",
                latin1Summary);
        String body = Base64.getMimeEncoder().encodeToString(ics.getBytes(StandardCharsets.ISO_8859_1));
        ImipMessage m = extracted(invitation("Content-Type: text/calendar; charset=iso-8859-1; method=REQUEST\r\n"
                + "Content-Transfer-Encoding: base64\r\n", body));
        assertTrue(new String(m.calendar(), StandardCharsets.UTF_8).contains(latin1Summary));
    }

    @Test
    void anEmailWithoutACalendarPartIsMalformed() {
        String mail = "From: a@example.com\r\nTo: b@example.com\r\nContent-Type: text/plain\r\n\r\nhello\r\n";
        Finding f = refused(READER, mail);
        assertEquals("malformed", f.code().value());
        assertTrue(f.message().contains("no text/calendar part"));
        assertEquals("malformed", refused(READER, "").code().value());
    }

    @Test
    void aSingleLongLineIsOverTheLimit() {
        Limits small = new Limits(4096, 1_000_000, 200, 10, 100, 50, 10, 5, 5, 1000);
        String mail = "From: a@example.com\r\nX-Long: " + "y".repeat(500)
                + "\r\nContent-Type: text/calendar; method=REQUEST\r\n\r\nBEGIN:VCALENDAR\r\n";
        assertEquals("limits.size", refused(new ImipMessageReader(small, HeaderTrust.NONE), mail).code().value());
        // body lines are the calendar reader's business: it counts them after unfolding
        String longBody = "From: a@example.com\r\nContent-Type: text/calendar; method=REQUEST\r\n\r\nX:"
                + "y".repeat(500) + "\r\n";
        assertInstanceOf(ImipRead.Extracted.class, new ImipMessageReader(small, HeaderTrust.NONE)
                .read(longBody.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void tooManyPartsTooBigACalendarAndTooBigAMessageAreOverTheLimit() {
        Limits small = new Limits(100, 20_000, 1000, 10, 100, 50, 10, 5, 3, 1000);
        ImipMessageReader reader = new ImipMessageReader(small, HeaderTrust.NONE);
        StringBuilder many = new StringBuilder("From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n");
        for (int i = 0; i < 4; i++) {
            many.append("--b\r\nContent-Type: text/plain\r\n\r\npart\r\n");
        }
        many.append("--b--\r\n");
        assertEquals("limits.size", refused(reader, many.toString()).code().value());
        String bigCalendar = "From: a@example.com\r\nContent-Type: text/calendar\r\n\r\n" + "x".repeat(150) + "\r\n";
        assertEquals("limits.size", refused(reader, bigCalendar).code().value());
        assertEquals("limits.size", refused(reader, "From: a@example.com\r\n\r\n" + "x\r\n".repeat(10_000))
                .code().value());
    }

    @Test
    void aHugeHeaderIsOverTheLimit() {
        Limits small = new Limits(4096, 1_000_000, 100_000, 10, 100, 50, 10, 5, 5, 500);
        String mail = "From: a@example.com\r\nX-Big: " + "a ".repeat(200) + "\r\n " + "b ".repeat(200)
                + "\r\nContent-Type: text/calendar\r\n\r\nBEGIN:VCALENDAR\r\n";
        assertEquals("limits.size", refused(new ImipMessageReader(small, HeaderTrust.NONE), mail).code().value());
    }

    @Test
    void attachedMessagesAreNotOpened() {
        String mail = "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: message/rfc822\r\n\r\n"
                + "From: c@example.com\r\nContent-Type: text/calendar; method=REQUEST\r\n\r\nBEGIN:VCALENDAR\r\n"
                + "--b--\r\n";
        assertTrue(refused(READER, mail).message().contains("no text/calendar part"));
    }
}
