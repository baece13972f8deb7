package dev.inboxguard.mime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.Samples;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.Finding;
import dev.inboxguard.ical.Limits;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ImipMessageReaderTest {
    private static final ImipMessageReader READER = new ImipMessageReader(Samples.limits(),
            new HeaderTrust(Set.of("mx.example.org"), 0));

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

    private static String withHeaders(String headers) {
        return headers + "From: alice@example.com\r\nContent-Type: text/calendar; method=REQUEST\r\n\r\n"
                + new String(Samples.request(), StandardCharsets.UTF_8);
    }

    private static final String GENUINE = "Authentication-Results: mx.example.org; dkim=pass header.d=example.com\r\n";
    private static final String FORGED_SPF =
            "Authentication-Results: mx.example.org; spf=pass smtp.mailfrom=boss@bank.example\r\n";
    private static final String MX_RECEIVED = "Received: from relay.example.net (relay.example.net [192.0.2.7])\r\n"
            + "\tby mx.example.org (Postfix) with ESMTP id 4AbCd; Wed, 2 Dec 2026 06:00:00 +0000\r\n";
    private static final String SENDER_RECEIVED = "Received: from [198.51.100.9] by relay.example.net; "
            + "Wed, 2 Dec 2026 05:59:59 +0000\r\n";

    @Test
    void onlyTheHeaderBlockAboveTheFirstReceivedIsBelieved() {
        // what Postfix with OpenDKIM delivers: the milter's header on top, then the MX's Received, then whatever
        // the sender wrote, including a header with our own authserv-id
        ImipMessage m = extracted(withHeaders(GENUINE + MX_RECEIVED + FORGED_SPF + SENDER_RECEIVED));
        assertEquals(1, m.authenticationResults().size(), m.authenticationResults().toString());
        assertEquals("dkim", m.authenticationResults().get(0).method());
        // with nothing above the MX's Received, nothing is believed, however it is stamped
        assertEquals(List.of(), extracted(withHeaders(MX_RECEIVED + FORGED_SPF + GENUINE)).authenticationResults());
    }

    @Test
    void trustedReceivedHopsLetsAContentFilterStandInBetween() {
        ImipMessageReader filtered = new ImipMessageReader(Samples.limits(),
                new HeaderTrust(Set.of("mx.example.org"), 1));
        String filterReceived = "Received: from localhost (amavis) by mx.example.org; Wed, 2 Dec 2026 06:00:01 "
                + "+0000\r\n";
        ImipMessage m = assertInstanceOf(ImipRead.Extracted.class, filtered.read(withHeaders(filterReceived + GENUINE
                + MX_RECEIVED + FORGED_SPF).getBytes(StandardCharsets.UTF_8))).message();
        assertEquals(1, m.authenticationResults().size(), m.authenticationResults().toString());
        assertEquals("example.com", m.authenticationResults().get(0).domain());
    }

    @Test
    void aTrustedAuthservIdMustBeAHostName() {
        for (String bad : List.of("", "mx example.org", "mx.example.org;", "*", "-mx.example.org", "mx..example")) {
            assertThrows(IllegalArgumentException.class, () -> new HeaderTrust(Set.of(bad), 0), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> new HeaderTrust(Set.of("mx.example.org"), -1));
        assertEquals(Set.of("mx.example.org"), new HeaderTrust(Set.of("MX.Example.ORG "), 0).authservIds());
    }

    @Test
    void everyCalendarBearingPartIsKept() {
        String ics = new String(Samples.request(), StandardCharsets.UTF_8);
        String mail = "From: alice@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain\r\n\r\nHello\r\n"
                + "--b\r\nContent-Type: text/calendar; method=REQUEST\r\n\r\n" + ics + "\r\n"
                + "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; "
                + "filename=\"Meeting.ICS\"\r\n\r\n" + ics + "\r\n"
                + "--b\r\nContent-Type: application/ics; name=invite.ics\r\n\r\n" + ics + "\r\n"
                + "--b\r\nContent-Type: text/calendar\r\n\r\n" + ics + "\r\n"
                + "--b\r\nContent-Type: application/pdf; name=agenda.pdf\r\n\r\n%PDF\r\n"
                + "--b--\r\n";
        ImipMessage m = extracted(mail);
        assertEquals(Optional.of("REQUEST"), m.mimeMethod(), "the text/calendar part with a method is judged");
        assertEquals(3, m.otherCalendarParts().size());
        assertTrue(m.otherCalendarParts().get(0).name().contains("Meeting.ICS"), m.otherCalendarParts().toString());
        assertTrue(m.otherCalendarParts().get(1).name().contains("application/ics"));
    }

    @Test
    void anOversizedOrNameOnlyCalendarAttachmentIsComparedNeverJudged() {
        Limits small = new Limits(4096, 1_000_000, 100_000, 10, 100, 50, 10, 5, 10, 65_536);
        ImipMessageReader reader = new ImipMessageReader(small, HeaderTrust.NONE);
        String ics = new String(Samples.request(), StandardCharsets.UTF_8);
        String big = "From: alice@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/calendar; method=REQUEST\r\n\r\n" + ics + "\r\n"
                + "--b\r\nContent-Type: application/octet-stream; name=export.ics\r\n\r\n" + "X".repeat(5000)
                + "\r\n--b--\r\n";
        ImipMessage m = assertInstanceOf(ImipRead.Extracted.class, reader.read(big.getBytes(StandardCharsets.UTF_8)))
                .message();
        assertEquals(1, m.otherCalendarParts().size());
        assertTrue(m.otherCalendarParts().get(0).name().contains("larger than 4,096 bytes"),
                m.otherCalendarParts().get(0).name());
        // a calendar file attached to ordinary mail, with no text/calendar part, is not iMIP (as before)
        String exportOnly = "From: alice@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: text/plain\r\n\r\nThe holidays, as promised.\r\n"
                + "--b\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; "
                + "filename=holidays.ics\r\n\r\n" + ics + "\r\n--b--\r\n";
        ImipRead.Refused refused = assertInstanceOf(ImipRead.Refused.class,
                READER.read(exportOnly.getBytes(StandardCharsets.UTF_8)));
        assertTrue(refused.noCalendarPart(), refused.findings().toString());
    }

    @Test
    void moreThanTenCalendarPartsAreOverTheLimit() {
        StringBuilder mail = new StringBuilder("From: a@example.com\r\nContent-Type: multipart/mixed; "
                + "boundary=b\r\n\r\n");
        for (int i = 0; i <= ImipMessageReader.MAX_CALENDAR_PARTS; i++) {
            mail.append("--b\r\nContent-Type: text/calendar\r\n\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
        }
        mail.append("--b--\r\n");
        assertEquals("limits.size", refused(READER, mail.toString()).code().value());
    }

    // Shapes reported against other MIME parsers: each is answered, within the limits, without an exception.

    @Test
    void hundredsOfThousandsOfAddressLinesAreOverTheLimit() {
        String folded = "To: " + "a@example.org,\r\n ".repeat(200_000) + "b@example.org\r\n";
        assertEquals("limits.size", refused(READER, withHeaders(folded)).code().value());
        String separate = "Cc: a@example.org\r\n".repeat(300_000);
        assertEquals("limits.size", refused(READER, withHeaders(separate)).code().value());
    }

    @Test
    void thousandsOfRfc2231ParametersAreAnsweredWithinTheLimits() {
        StringBuilder params = new StringBuilder();
        for (int i = 0; i < 3000; i++) {
            params.append(";\r\n title*").append(i).append("*=utf-8''x%41");
        }
        String mail = "From: a@example.com\r\nContent-Type: text/calendar; method=REQUEST" + params + "\r\n\r\n"
                + new String(Samples.request(), StandardCharsets.UTF_8);
        ImipRead read = READER.read(mail.getBytes(StandardCharsets.UTF_8));
        // about 70 KiB in one field: over the header length limit, so refused as too large
        assertEquals("limits.size", assertInstanceOf(ImipRead.Refused.class, read).findings().get(0).code().value());
        Limits roomy = new Limits(1_048_576, 10_485_760, 262_144, 1000, 20_000, 2000, 1000, 5, 100, 1_048_576);
        ImipRead allowed = new ImipMessageReader(roomy, HeaderTrust.NONE).read(mail.getBytes(StandardCharsets.UTF_8));
        assertInstanceOf(ImipRead.Extracted.class, allowed, "with room for the field, it is read like any other");
    }

    @Test
    void aNestedPartWhoseCommentEndsInABackslashIsAnswered() {
        String ics = new String(Samples.request(), StandardCharsets.UTF_8);
        String mail = "From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
                + "--b\r\nContent-Type: multipart/alternative; boundary=c (comment\\)\r\n\r\n"
                + "--c\r\nContent-Type: text/calendar; method=REQUEST (see \\\r\n\r\n" + ics + "\r\n--c--\r\n"
                + "--b\r\nContent-Type: text/calendar; (\\\r\n\r\n" + ics + "\r\n"
                + "--b--\r\n";
        ImipRead read = READER.read(mail.getBytes(StandardCharsets.UTF_8));
        if (read instanceof ImipRead.Refused r) {
            assertTrue(Set.of("malformed", "limits.size").contains(r.findings().get(0).code().value()));
        } else {
            assertTrue(((ImipRead.Extracted) read).message().calendar().length > 0);
        }
    }
}
