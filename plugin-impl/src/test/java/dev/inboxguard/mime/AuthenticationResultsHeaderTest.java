package dev.inboxguard.mime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.api.AuthenticationResult;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AuthenticationResultsHeaderTest {
    private static final Set<String> TRUSTED = Set.of("mx.example.org");

    @Test
    void readsDkimSpfAndDmarcFromATrustedServer() {
        List<AuthenticationResult> results = AuthenticationResultsHeader.parse(
                "mx.example.org 1; dkim=pass (2048-bit key) header.d=Example.com header.s=sel"
                        + " header.b=\"abc;def\"; spf=pass (sender IP is 192.0.2.1)"
                        + " smtp.mailfrom=bounce@mail.example.com; dmarc = pass header.from=example.com;"
                        + " arc=none", TRUSTED);
        assertEquals(4, results.size());
        assertEquals(new AuthenticationResult("dkim", "pass", "example.com", "mx.example.org"), results.get(0));
        assertEquals("mail.example.com", results.get(1).domain());
        assertEquals("example.com", results.get(2).domain());
        assertTrue(results.get(0).passed());
        assertEquals("", results.get(3).domain());
    }

    @Test
    void ignoresHeadersFromAnyOtherServer() {
        assertEquals(List.of(), AuthenticationResultsHeader.parse(
                "attacker.example; dkim=pass header.d=bank.example", TRUSTED));
        // a comment before the id does not make it trusted
        assertEquals(List.of(), AuthenticationResultsHeader.parse(
                "(mx.example.org) evil.example; dkim=pass header.d=bank.example", TRUSTED));
    }

    @Test
    void failuresAndOddPiecesAreKeptAsTheyAre() {
        List<AuthenticationResult> results = AuthenticationResultsHeader.parse(
                "MX.EXAMPLE.ORG; dkim=fail reason=\"bad signature\" header.i=@Example.net; none", TRUSTED);
        assertEquals(1, results.size());
        assertEquals("fail", results.get(0).result());
        assertEquals("example.net", results.get(0).domain());
        assertEquals(false, results.get(0).passed());
    }

    @Test
    void hostileValuesDoNotBecomeDomains() {
        List<AuthenticationResult> results = AuthenticationResultsHeader.parse(
                "mx.example.org; dkim=pass header.d=\"evil.example\\r\\nX-Injected: 1\"", TRUSTED);
        assertEquals("", results.get(0).domain());
        assertEquals(List.of(), AuthenticationResultsHeader.parse("", TRUSTED));
        assertEquals(List.of(), AuthenticationResultsHeader.parse("((((", TRUSTED));
    }
}
