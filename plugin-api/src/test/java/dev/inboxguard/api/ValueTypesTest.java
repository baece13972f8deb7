package dev.inboxguard.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ValueTypesTest {
    @Test
    void addressesCompareSchemeAndDomainWithoutCase() {
        CalendarUserAddress a = CalendarUserAddress.of("MAILTO:Alice@Example.COM");
        assertEquals(CalendarUserAddress.of("mailto:Alice@example.com"), a);
        assertEquals(CalendarUserAddress.of("Alice@example.com"), a);
        assertEquals(CalendarUserAddress.of("<alice@example.com>").uri(), "mailto:alice@example.com");
        assertEquals(CalendarUserAddress.of("alice@example.com"), a, "John.Smith@ and john.smith@ are one person");
        assertNotEquals(CalendarUserAddress.of("alicia@example.com"), a);
        assertEquals(Optional.of("example.com"), a.domain());
        assertEquals("urn:uuid:1234", CalendarUserAddress.of("URN:uuid:1234").uri());
        assertEquals(Optional.empty(), CalendarUserAddress.of("urn:uuid:1234").domain());
        for (String bad : List.of("", "   ", "alice", "mailto:", "mailto:@example.com", "@x", "x@",
                "a".repeat(3000) + "@example.com")) {
            assertThrows(IllegalArgumentException.class, () -> CalendarUserAddress.of(bad), bad);
            assertEquals(Optional.empty(), CalendarUserAddress.parse(bad));
        }
    }

    @Test
    void requestStatusesParseAndPrintAsInRfc5546() {
        RequestStatus s = RequestStatus.parse("3.8;No authority;extra data");
        assertEquals("3.8", s.code());
        assertEquals("3.8;No authority", s.toString());
        assertTrue(RequestStatus.SUCCESS.isSuccess());
        assertThrows(IllegalArgumentException.class, () -> RequestStatus.parse("no semicolon"));
        assertThrows(IllegalArgumentException.class, () -> RequestStatus.parse("9.9;Nope"));
        assertThrows(IllegalArgumentException.class, () -> new RequestStatus("3.1", "a;b"));
    }

    @Test
    void findingCodesHaveOneSyntax() {
        assertEquals("party-crash", FindingCode.PARTY_CRASH.value());
        assertEquals("x-acme.vip", new FindingCode("x-acme.vip").value());
        for (String bad : List.of("", "Party", "with space", ".leading", "x".repeat(80))) {
            assertThrows(IllegalArgumentException.class, () -> new FindingCode(bad), bad);
        }
    }

    @Test
    void findingsBoundHostileValues() {
        Finding f = Finding.of(FindingCode.MALFORMED, Severity.HIGH, "m").about("SUMMARY", "x".repeat(10_000));
        assertEquals(512, f.value().orElseThrow().length());
    }

    @Test
    void anApproverGoesWithHoldOnly() {
        assertThrows(IllegalArgumentException.class, () -> new Verdict(Action.HOLD, Optional.empty(),
                RequestStatus.SUCCESS, Optional.empty(), Optional.empty(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Verdict(Action.REJECT, Optional.of(Approver.RECIPIENT),
                RequestStatus.NO_AUTHORITY, Optional.empty(), Optional.empty(), List.of()));
        assertEquals(Action.REJECT, Action.HOLD.max(Action.REJECT));
        assertEquals(Action.HOLD, Action.HOLD.max(Action.FLAG));
    }

    @Test
    void methodsParseWithoutCase() {
        assertEquals(Optional.of(ItipMethod.DECLINECOUNTER), ItipMethod.parse(" declinecounter "));
        assertEquals(Optional.empty(), ItipMethod.parse("INVITE"));
        assertEquals(Optional.empty(), ItipMethod.parse(null));
    }
}
