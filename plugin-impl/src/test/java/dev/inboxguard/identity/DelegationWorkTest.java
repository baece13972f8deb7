package dev.inboxguard.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.config.GuardConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class DelegationWorkTest {
    @Test
    void aliasesAndProxiesAreResolvedBothWays() {
        CalendarUserDirectory d = new CalendarUserDirectory(
                List.of(List.of("alice@example.com", "a.smith@example.com")),
                List.of(new GuardConfig.Proxy("assistant@example.com", List.of("a.smith@example.com", "@exec.example"))));
        CalendarUserAddress alice = CalendarUserAddress.of("alice@example.com");
        CalendarUserAddress smith = CalendarUserAddress.of("MAILTO:a.smith@EXAMPLE.com");
        CalendarUserAddress assistant = CalendarUserAddress.of("assistant@example.com");
        assertTrue(d.same(alice, smith));
        assertTrue(d.same(smith, alice));
        assertTrue(d.mayActFor(assistant, alice), "a proxy for one alias acts for the user");
        assertTrue(d.mayActFor(assistant, CalendarUserAddress.of("ceo@exec.example")), "a whole domain");
        assertFalse(d.mayActFor(alice, assistant));
        assertFalse(d.mayActFor(assistant, CalendarUserAddress.of("bob@example.com")));
        assertEquals(false, CalendarUserDirectory.empty().same(alice, smith));
    }

    @Test
    void aTangleOfDelegationsIsJudgedWithoutEnumeratingChains() {
        // 50 attendees, each listed 20 times delegating to a different later one: the distinct chains through
        // this graph number in the billions. (ical4j refuses a quoted list in one DELEGATED-TO, so the edges come
        // from repeated ATTENDEE lines.)
        List<String> lines = new java.util.ArrayList<>(List.of("UID:tangle", "DTSTAMP:20261120T100000Z",
                "DTSTART:20261201T100000Z", "SUMMARY:x", "ORGANIZER:mailto:o@example.com"));
        for (int i = 0; i < 50; i++) {
            for (int j = i + 1; j <= Math.min(49, i + 20); j++) {
                lines.add("ATTENDEE;PARTSTAT=DELEGATED;DELEGATED-TO=\"mailto:a" + j + "@example.com\":mailto:a" + i
                        + "@example.com");
            }
        }
        var guard = com.google.inject.Guice.createInjector(new dev.inboxguard.engine.GuardModule(
                dev.inboxguard.config.ConfigFile.defaults())).getInstance(dev.inboxguard.engine.Guard.class);
        var verdict = guard.inspect(dev.inboxguard.Samples.event("REQUEST", lines.toArray(String[]::new)),
                new dev.inboxguard.api.CaldavSubmission("o", java.util.Set.of(CalendarUserAddress.of("o@example.com"))),
                dev.inboxguard.TestRecipient.of("a0@example.com", java.time.Clock.systemUTC()));
        assertTrue(verdict.findings().stream().anyMatch(f -> f.message().contains("chain of")), verdict.toString());
    }
}
