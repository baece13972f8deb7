package dev.inboxguard.mime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.ical.Limits;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Delivery status notifications (RFC 3464), as MTAs write them, and e-mail that only looks like one. */
class DeliveryStatusReportTest {
    private static final Limits LIMITS = ConfigFile.defaults().limits();

    private static Optional<DeliveryStatusReport> read(String mail) {
        return DeliveryStatusReport.read(mail.getBytes(StandardCharsets.UTF_8), LIMITS);
    }

    /** The whole original message comes back as message/rfc822, two recipients in one report, folded fields. */
    private static final String TWO_RECIPIENTS = "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n"
            + "To: alice@example.com\r\nSubject: Undelivered Mail Returned to Sender\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"XYZ.1\"\r\n\r\n"
            + "--XYZ.1\r\nContent-Type: text/plain\r\n\r\nThe message below could not be delivered.\r\n\r\n"
            + "--XYZ.1\r\nContent-Type: message/delivery-status\r\n\r\n"
            + "Reporting-MTA: dns; mx.example.net\r\nX-Queue-ID: 4Xy\r\n\r\n"
            + "Final-Recipient: rfc822; nobody@example.net\r\nAction: failed\r\nStatus: 5.1.1\r\n"
            + "Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.net>:\r\n    Recipient address rejected\r\n\r\n"
            + "Final-Recipient: RFC822; <full@example.net>\r\nAction: failed (mailbox full)\r\nStatus: 5.2.2\r\n\r\n"
            + "Final-Recipient: rfc822; later@example.net\r\nAction: delayed\r\nStatus: 4.4.1\r\n\r\n"
            + "--XYZ.1\r\nContent-Type: message/rfc822\r\n\r\n"
            + "From: alice@example.com\r\nMessage-ID:\r\n <a1b2c3@guard.example.com>\r\nSubject: Invitation\r\n\r\n"
            + "Message-ID: <not-this-one@body.example>\r\nbody\r\n"
            + "--XYZ.1--\r\n";

    @Test
    void readsEachRecipientAndTheOriginalMessageId() {
        DeliveryStatusReport r = read(TWO_RECIPIENTS).orElseThrow();
        assertEquals("<a1b2c3@guard.example.com>", r.messageId());
        assertEquals(3, r.recipients().size());
        DeliveryStatusReport.Recipient nobody = r.recipients().get(0);
        assertEquals("nobody@example.net", nobody.address());
        assertTrue(nobody.failed() && nobody.badAddress());
        assertTrue(nobody.detail().contains("Recipient address rejected"), nobody.detail());
        DeliveryStatusReport.Recipient full = r.recipients().get(1);
        assertEquals("full@example.net", full.address());
        assertTrue(full.failed() && !full.badAddress());
        assertFalse(r.recipients().get(2).failed());
    }

    @Test
    void anythingElseIsNotAReport() {
        // no returned header: nothing to match
        assertTrue(read(TWO_RECIPIENTS.replace("Content-Type: message/rfc822", "Content-Type: text/plain"))
                .isEmpty());
        // an ordinary multipart mail with a part that claims to be a status
        assertTrue(read(TWO_RECIPIENTS.replace("multipart/report", "multipart/mixed")).isEmpty());
        // a recipient that is not a mail address
        assertTrue(read(TWO_RECIPIENTS.replaceAll("(?i)rfc822; ?<?[a-z]+@example.net>?", "x400; c=us")).isEmpty());
        assertTrue(read("From: a@example.com\r\nSubject: hi\r\n\r\nhello\r\n").isEmpty());
        assertTrue(read("").isEmpty());
        assertTrue(read("\u0000\u0001 not mail at all").isEmpty());
    }

    @Test
    void aHugeStatusPartIsReadOnlyInPart() {
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            many.append("Final-Recipient: rfc822; r").append(i).append("@example.net\r\nAction: failed\r\n")
                    .append("Status: 5.1.1\r\n\r\n");
        }
        String mail = TWO_RECIPIENTS.replace("Final-Recipient: rfc822; nobody@example.net", many
                + "Final-Recipient: rfc822; nobody@example.net");
        DeliveryStatusReport r = read(mail).orElseThrow();
        assertEquals(100, r.recipients().size());
    }
}
