package dev.inboxguard.imip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.mail.internet.InternetAddress;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.junit.jupiter.api.Test;

/** What a relay's refusal means for the sender's copy: an address that does not exist is 3.7, the rest 5.1. */
class MailRelayTest {
    private static MailRelay.Attempt rcpt(int code, String text) throws Exception {
        return MailRelay.classify(code, new SMTPAddressFailedException(new InternetAddress("x@example.net"),
                "RCPT TO:<x@example.net>", code, code + " " + text));
    }

    @Test
    void aRefusedAddressIsABadAddressOnlyWhenTheRelaySaysSo() throws Exception {
        assertTrue(rcpt(550, "5.1.1 <x@example.net>: Recipient address rejected: User unknown").badAddress());
        assertTrue(rcpt(553, "sorry, that domain isn't in my list").badAddress());
        assertTrue(rcpt(551, "User not local").badAddress());
        assertFalse(rcpt(550, "5.7.1 Relaying denied").badAddress());
        assertFalse(rcpt(550, "5.7.1 Client host [192.5.1.7] blocked").badAddress(), "5.1.x must open the reply");
        assertFalse(rcpt(550, "rejected").badAddress());
        MailRelay.Attempt later = rcpt(450, "4.1.1 try later");
        assertEquals(MailRelay.Outcome.RETRY, later.outcome());
        assertFalse(later.badAddress());
        MailRelay.Attempt data = MailRelay.classify(554, new SMTPSendFailedException("DATA", 554, "554 5.1.1 x", null,
                null, null, null));
        assertEquals(MailRelay.Outcome.FAILED, data.outcome());
        assertFalse(data.badAddress(), "only a refused RCPT names the address");
    }
}
