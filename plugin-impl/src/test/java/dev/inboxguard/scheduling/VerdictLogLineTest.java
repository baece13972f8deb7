package dev.inboxguard.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VerdictLogLineTest {
    @Test
    void aSenderCannotForgeALogLineOrStretchOne() {
        assertEquals("\"evil?verdict action=deliver\"", SchedulingInbox.logValue("evil\nverdict action=deliver"));
        assertEquals("mailto:a@example.com", SchedulingInbox.logValue("mailto:a@example.com"));
        assertEquals("\"\"", SchedulingInbox.logValue(""));
        assertEquals("a?b", SchedulingInbox.logValue("a\"b"));
        String longUid = SchedulingInbox.logValue("x".repeat(10_000));
        assertTrue(longUid.length() <= 201 && longUid.endsWith("…"), longUid);
    }
}
