package dev.inboxguard.mime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

    /** Hostile header lines: names in disguise, bytes outside ASCII, odd line ends, lines that are not fields. */
    private static final List<byte[]> HOSTILE = List.of(
            latin1("From: a@example.com\r\nFrom\u001F: b@example.com\r\n\r\nx\r\n"),
            "From: a@example.com\r\n\u3000From: b@example.com\r\n\r\nx\r\n".getBytes(StandardCharsets.UTF_8),
            latin1("From(x): ceo@example.com\r\nFr(x)om: c@example.com\r\nFrom: a@example.com\r\n\r\nx\r\n"),
            " From: top@example.com\r\nTo: b@example.org\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII),
            "\u212Aey: kelvin\r\nDKIM-\u017Fignature: long s\r\nFrom: a@example.com\r\n\r\nx\r\n"
                    .getBytes(StandardCharsets.UTF_8),
            latin1("From: a\u00FF@example.com\r\nX-Nul\u0000: v\u0000w\r\n: no name\r\nX-Empty:\r\n"
                    + "Fr om: spaced\r\nFrom\t: tabbed\r\nTo: b\r\n \r\n\r\nx\r"),
            latin1("a:\rb:\rFrom: a@example.com\rDKIM-Signature : v=1\r\rbody\r"),
            latin1("From: a@example.com\r\nSubject: " + "s".repeat(40_000) + "\r\n\r\nx\r\n"),
            latin1("X: y\r\n".repeat(1_200) + "\r\nx\r\n"));

    private static byte[] latin1(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Fails unless both readings give the same fields, the same lookups and the same body, or both give up. */
    private static void sameAsJdkim(byte[] bytes) throws Exception {
        String shown = new String(bytes, StandardCharsets.ISO_8859_1);
        shown = shown.length() > 200 ? shown.substring(0, 200) + "..." : shown;
        Message theirs;
        try {
            theirs = new Message(new ByteArrayInputStream(bytes));
        } catch (org.apache.james.mime4j.MimeException | java.io.IOException e) {
            String why = e.toString();
            assertThrows(Exception.class, () -> SignedMessage.of(bytes, Integer.MAX_VALUE), "jDKIM gave up (" + why + "): " + shown);
            return;
        }
        SignedMessage ours = SignedMessage.of(bytes, Integer.MAX_VALUE);
        assertEquals(theirs.getFields(), ours.getFields(), shown);
        java.util.Set<String> names = new java.util.TreeSet<>(List.of("from", "To", "SUBJECT", "received",
                "x-absent", "Content-Type", "DKIM-Signature", "dkim-signature", "Key"));
        for (String f : theirs.getFields()) {
            int colon = f.indexOf(':');
            if (colon > 0) {
                names.add(f.substring(0, colon));
                names.add(f.substring(0, colon).strip());
            }
        }
        for (String name : names) {
            assertEquals(theirs.getFields(name), ours.getFields(name), name + " in " + shown);
        }
        assertArrayEquals(theirs.getBodyInputStream().readAllBytes(), ours.body().readAllBytes(), shown);
    }

    @Test
    void fieldsAndBodyAreWhatJdkimsOwnReadingGives() throws Exception {
        for (String text : MESSAGES) {
            sameAsJdkim(text.getBytes(StandardCharsets.UTF_8));
        }
        for (byte[] bytes : HOSTILE) {
            sameAsJdkim(bytes);
        }
    }

    @Test
    void randomHeadersOverAHostileAlphabetReadAsJdkimReadsThem() throws Exception {
        byte[] alphabet = latin1("From:()-DKIMSignature \t\r\n\u0000\u001F\u00E3\u0080xX;=");
        java.util.Random random = new java.util.Random(17);
        for (int round = 0; round < 3_000; round++) {
            byte[] b = new byte[random.nextInt(120)];
            for (int i = 0; i < b.length; i++) {
                b[i] = alphabet[random.nextInt(alphabet.length)];
            }
            sameAsJdkim(b);
            byte[] prefixed = new byte[b.length + 22];
            System.arraycopy(latin1("From: a@example.com\r\n"), 0, prefixed, 0, 21);
            System.arraycopy(b, 0, prefixed, 21, b.length);
            prefixed[prefixed.length - 1] = '\n';
            sameAsJdkim(prefixed);
        }
    }

    @Test
    void aDisguisedFieldCannotTakeTheSignedFromsPlace() throws Exception {
        DkimVerificationTest.TestKey key = DkimVerificationTest.key("victim.example");
        DkimVerification dkim = DkimVerification.withKeys(Map.of(key.name(), key.record()));
        String mail = "From: alice@victim.example\r\nTo: bob@example.org\r\nSubject: Hi\r\n"
                + "Date: Fri, 20 Nov 2026 09:30:00 +0000\r\n\r\nHello.\r\n";
        DKIMSigner signer = new DKIMSigner("v=1; a=rsa-sha256; c=relaxed/relaxed; d=victim.example; "
                + "h=from:from:to:subject:date; s=" + key.selector() + ";", key.pair().getPrivate());
        String signed = signer.sign(new ByteArrayInputStream(mail.getBytes(StandardCharsets.UTF_8))) + "\r\n" + mail;
        assertEquals("pass", dkim.verify(signed.getBytes(StandardCharsets.UTF_8)).get(0).result());
        // the signed From renamed out of sight, and another From in a comment's disguise
        String forged = signed.replace("From: alice@victim.example", "From\u001F: alice@victim.example\r\n"
                + "From(x): ceo@victim.example");
        assertEquals("fail", dkim.verify(forged.getBytes(StandardCharsets.ISO_8859_1)).get(0).result());
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
