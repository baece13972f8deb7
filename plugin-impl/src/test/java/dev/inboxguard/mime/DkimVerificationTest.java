package dev.inboxguard.mime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.api.AuthenticationResult;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.james.jdkim.DKIMSigner;

/** Signs test mail with keys made here, so the tests need no DNS and no key files. */
public final class DkimVerificationTest {
    /** A signing key and the DNS TXT record that publishes it. */
    public record TestKey(KeyPair pair, String selector, String domain) {
        /** @return the TXT record name */
        public String name() {
            return selector + "._domainkey." + domain;
        }

        /** @return the TXT record */
        public String record() {
            return "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(pair.getPublic().getEncoded());
        }

        /**
         * @param mail an e-mail, CRLF line ends
         * @return it with a DKIM-Signature header for this key in front
         */
        public String sign(String mail) throws Exception {
            DKIMSigner signer = new DKIMSigner("v=1; a=rsa-sha256; c=relaxed/relaxed; d=" + domain
                    + "; h=from:to:subject:date; s=" + selector + ";", pair.getPrivate());
            String header = signer.sign(new ByteArrayInputStream(mail.getBytes(StandardCharsets.UTF_8)));
            return header + "\r\n" + mail;
        }
    }

    /**
     * @param domain the signing domain
     * @return a fresh 2048-bit key
     */
    public static TestKey key(String domain) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return new TestKey(g.generateKeyPair(), "s1", domain);
    }

    static final String MAIL = "From: Alice <alice@example.com>\r\nTo: bob@example.org\r\nSubject: Invitation\r\n"
            + "Date: Fri, 20 Nov 2026 09:30:00 +0000\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=utf-8\r\n\r\nHello Bob.\r\n";

    @org.junit.jupiter.api.Test
    void aSignedMessagePassesAndATamperedOneFails() throws Exception {
        TestKey key = key("example.com");
        DkimVerification dkim = DkimVerification.withKeys(Map.of(key.name(), key.record()));
        String signed = key.sign(MAIL);
        List<AuthenticationResult> ok = dkim.verify(signed.getBytes(StandardCharsets.UTF_8));
        assertEquals(List.of(new AuthenticationResult("dkim", "pass", "example.com", "inboxguard")), ok);
        String tampered = signed.replace("Hello Bob.", "Hello Bob, pay this invoice.");
        List<AuthenticationResult> bad = dkim.verify(tampered.getBytes(StandardCharsets.UTF_8));
        assertEquals(1, bad.size());
        assertTrue(!bad.get(0).passed(), bad.toString());
    }

    @org.junit.jupiter.api.Test
    void unknownKeysAndUnsignedMailDoNotPass() throws Exception {
        TestKey key = key("example.com");
        DkimVerification noKeys = DkimVerification.withKeys(Map.of());
        List<AuthenticationResult> r = noKeys.verify(key.sign(MAIL).getBytes(StandardCharsets.UTF_8));
        assertTrue(r.stream().noneMatch(AuthenticationResult::passed), r.toString());
        assertEquals(List.of(), noKeys.verify(MAIL.getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of(), noKeys.verify("garbage".getBytes(StandardCharsets.UTF_8)));
    }

    @org.junit.jupiter.api.Test
    void onlyTheFirstSignaturesAreVerifiedHoweverTheirNameIsSpelt() throws Exception {
        KeyPair pair = key("example.com").pair();
        // six good signatures, from six domains, under spellings that mail readers all take as DKIM-Signature
        String[] spellings = {"DKIM-Signature:", "dkim-signature :", "DKIM-SIGNATURE\t:", "DKIM-Signature  :",
            "Dkim-Signature:", "DKIM-Signature:"};
        String mail = MAIL;
        for (int i = spellings.length - 1; i >= 0; i--) {
            mail = new TestKey(pair, "s1", "d" + i + ".example").sign(mail).replaceFirst("^DKIM-Signature:",
                    java.util.regex.Matcher.quoteReplacement(spellings[i]));
        }
        java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
        java.util.List<String> asked = new java.util.concurrent.CopyOnWriteArrayList<>();
        DkimVerification dkim = new DkimVerification((method, selector, domain) -> {
            lookups.incrementAndGet();
            asked.add(domain.toString());
            return List.of(new TestKey(pair, "s1", domain.toString()).record());
        });
        List<AuthenticationResult> results = dkim.verify(mail.getBytes(StandardCharsets.UTF_8));
        assertEquals(DkimVerification.MAX_SIGNATURES, lookups.get(), asked.toString());
        assertEquals(List.of("d0.example", "d1.example", "d2.example"),
                results.stream().map(AuthenticationResult::domain).sorted().toList());
        assertTrue(results.stream().allMatch(AuthenticationResult::passed), results.toString());
    }
}
