package dev.inboxguard.mime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.inboxguard.api.AuthenticationResult;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.apache.james.jdkim.DKIMSigner;
import org.apache.james.jdkim.impl.Message;
import org.junit.jupiter.api.Test;

/** The guard's split of a message for DKIM against jDKIM's own reading of it, which it replaces. */
class SignedMessageTest {
    private static final List<String> MESSAGES = List.of(
            DkimVerificationTest.MAIL,
            // folded fields, with tabs and spaces, a field name with a space before its colon, a repeated field
            "From: Alice\r\n <alice@example.com>\r\nTo: bob@example.org,\r\n\tcarol@example.org\r\n"
                    + "Subject : Invitation\r\nReceived: from a\r\nReceived: from b\r\n  by c\r\n\r\nBody\r\n",
            // bare LF and lone CR line ends, which both readings make CRLF first
            "From: a@example.com\nTo: b@example.org\rSubject: mixed\n\nline one\nline two\r\n",
            // 8-bit text in a header and the body
            "From: =?utf-8?q?J=C3=B6rg?= <j@example.com>\r\nSubject: Grüße aus Köln\r\n\r\nSchöne Grüße\r\n",
            // no body, and no empty line at all
            "From: a@example.com\r\nSubject: only a header\r\n",
            "From: a@example.com\r\nSubject: empty body\r\n\r\n",
            // a line that is no field, and an empty body line first
            "From: a@example.com\r\nthis is not a field\r\nTo: b@example.org\r\n\r\n\r\nafter an empty line\r\n",
            // a multipart message: the body stays raw, parts and all
            "From: a@example.com\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
                    + "--b1\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b1\r\nContent-Type: text/calendar; "
                    + "method=REQUEST\r\n\r\nBEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n--b1--\r\n");

    @Test
    void fieldsAndBodyAreWhatJdkimsOwnReadingGives() throws Exception {
        for (String text : MESSAGES) {
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            Message theirs = new Message(new ByteArrayInputStream(bytes));
            SignedMessage ours = SignedMessage.of(bytes);
            assertEquals(theirs.getFields(), ours.getFields(), text);
            for (String name : List.of("from", "To", "SUBJECT", "received", "x-absent", "Content-Type")) {
                assertEquals(theirs.getFields(name), ours.getFields(name), name + " in " + text);
            }
            assertArrayEquals(theirs.getBodyInputStream().readAllBytes(), ours.body().readAllBytes(), text);
        }
    }

    @Test
    void signaturesOverEveryCanonicalizationStillPass() throws Exception {
        DkimVerificationTest.TestKey key = DkimVerificationTest.key("example.com");
        DkimVerification dkim = DkimVerification.withKeys(Map.of(key.name(), key.record()));
        String mail = "From: Alice\r\n <alice@example.com>\r\nTo: bob@example.org\r\nSubject:  Folded\r\n\tsubject\r\n"
                + "Date: Fri, 20 Nov 2026 09:30:00 +0000\r\n\r\nHello  Bob.\r\n\r\n\r\n";
        for (String c : List.of("simple/simple", "relaxed/relaxed", "simple/relaxed", "relaxed/simple")) {
            DKIMSigner signer = new DKIMSigner("v=1; a=rsa-sha256; c=" + c + "; d=example.com; "
                    + "h=from:to:subject:date; s=" + key.selector() + ";", key.pair().getPrivate());
            String signed = signer.sign(new ByteArrayInputStream(mail.getBytes(StandardCharsets.UTF_8))) + "\r\n"
                    + mail;
            assertEquals(List.of(new AuthenticationResult("dkim", "pass", "example.com", "inboxguard")),
                    dkim.verify(signed.getBytes(StandardCharsets.UTF_8)), c);
            String changed = signed.replace("Hello  Bob.", "Hello Eve.");
            assertEquals("fail", dkim.verify(changed.getBytes(StandardCharsets.UTF_8)).get(0).result(), c);
        }
    }
}
