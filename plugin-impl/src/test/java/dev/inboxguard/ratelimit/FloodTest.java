package dev.inboxguard.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.inject.Guice;
import dev.inboxguard.Samples;
import dev.inboxguard.TestRecipient;
import dev.inboxguard.api.Action;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.ImipDelivery;
import dev.inboxguard.api.Verdict;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.engine.Guard;
import dev.inboxguard.engine.GuardModule;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FloodTest {
    private static final CalendarUserAddress MALLORY = CalendarUserAddress.of("mallory@flood.example");

    @Test
    void tenThousandMessagesInABurstPassOnlyUpToTheLimit() {
        var injector = Guice.createInjector(new GuardModule(ConfigFile.defaults()));
        Guard guard = injector.getInstance(Guard.class);
        TokenBuckets buckets = (TokenBuckets) injector.getInstance(RateLimiter.class);
        TestRecipient bob = TestRecipient.of("bob@example.com", Clock.fixed(Instant.parse("2026-11-21T09:00:00Z"),
                ZoneOffset.UTC));
        ImipDelivery mail = new ImipDelivery(Optional.of(MALLORY), Optional.of(MALLORY), Optional.empty(), List.of(),
                Optional.empty(), Set.of("flood.example"), List.of());
        System.gc();
        long before = usedHeap();
        int passed = 0;
        int limited = 0;
        for (int i = 0; i < 10_000; i++) {
            Verdict v = guard.inspect(Samples.event("REQUEST", "UID:flood-" + i, "DTSTAMP:20261120T100000Z",
                    "DTSTART:20261201T100000Z", "SUMMARY:Buy now", "ORGANIZER:mailto:mallory@flood.example",
                    "ATTENDEE:mailto:bob@example.com"), mail, bob);
            if (v.findings().stream().anyMatch(f -> f.code().value().equals("rate.limited"))) {
                limited++;
                assertEquals(Action.REJECT, v.action());
                assertEquals("5.1;Service unavailable", v.requestStatus().toString());
            } else {
                passed++;
            }
        }
        System.gc();
        long growth = usedHeap() - before;
        // the sender-recipient pair allows 10 at once by default; nothing refills within one instant
        assertEquals(10, passed);
        assertEquals(9_990, limited);
        assertEquals(4, buckets.size(), "sender, domain, recipient and pair: nothing grows with the flood");
        assertTrue(growth < 64L * 1024 * 1024, "heap grew by " + growth);
        System.out.printf("[flood] 10,000 messages: %d passed, %d rate-limited, heap %+.1f MB, %d buckets%n", passed,
                limited, growth / 1048576.0, buckets.size());
    }

    private static boolean take(TokenBuckets buckets, String key, int burst, int perHour, Instant t) {
        return buckets.tryTakeAll(List.of(new RateLimiter.Limit(key, burst, perHour)), t).isEmpty();
    }

    @Test
    void bucketsRefillWithTime() {
        TokenBuckets buckets = new TokenBuckets(1000);
        Instant t = Instant.parse("2026-11-21T09:00:00Z");
        for (int i = 0; i < 3; i++) {
            assertTrue(take(buckets, "k", 3, 60, t));
        }
        assertTrue(!take(buckets, "k", 3, 60, t));
        assertTrue(take(buckets, "k", 3, 60, t.plus(Duration.ofMinutes(1))), "60 an hour is one a minute");
        assertTrue(!take(buckets, "k", 3, 60, t.plus(Duration.ofMinutes(1))));
    }

    @Test
    void aTokenGivenBackCountsAgainButNeverPastTheBurst() {
        TokenBuckets buckets = new TokenBuckets(1000);
        Instant t = Instant.parse("2026-11-21T09:00:00Z");
        List<RateLimiter.Limit> k = List.of(new RateLimiter.Limit("k", 2, 1));
        assertTrue(take(buckets, "k", 2, 1, t));
        assertTrue(take(buckets, "k", 2, 1, t));
        assertTrue(!take(buckets, "k", 2, 1, t));
        buckets.giveBack(k, t);
        assertTrue(take(buckets, "k", 2, 1, t), "the token given back");
        assertTrue(!take(buckets, "k", 2, 1, t));
        for (int i = 0; i < 5; i++) {
            buckets.giveBack(k, t);
        }
        assertTrue(take(buckets, "k", 2, 1, t));
        assertTrue(take(buckets, "k", 2, 1, t));
        assertTrue(!take(buckets, "k", 2, 1, t), "a bucket holds its burst at most");
        buckets.giveBack(List.of(new RateLimiter.Limit("never-taken", 2, 1)), t);
        assertEquals(1, buckets.size(), "nothing made for a bucket never taken from");
    }

    @Test
    void aMessageOverOneLimitUsesUpNoOther() {
        TokenBuckets buckets = new TokenBuckets(1000);
        Instant t = Instant.parse("2026-11-21T09:00:00Z");
        List<RateLimiter.Limit> both = List.of(new RateLimiter.Limit("sender:a", 1, 60),
                new RateLimiter.Limit("recipient:r", 5, 60));
        assertEquals(List.of(), buckets.tryTakeAll(both, t));
        for (int i = 0; i < 10; i++) {
            assertEquals(1, buckets.tryTakeAll(both, t).size(), "the sender is over its limit");
        }
        assertTrue(take(buckets, "recipient:r", 5, 60, t), "the refused messages did not drain the recipient");
    }

    @Test
    void aFloodFromManyAddressesCannotGrowTheTableNorResetALimitInForce() {
        TokenBuckets buckets = new TokenBuckets(1000);
        Instant t = Instant.parse("2026-11-21T09:00:00Z");
        for (int i = 0; i < 3; i++) {
            take(buckets, "recipient:victim", 3, 1, t);
        }
        assertTrue(!take(buckets, "recipient:victim", 3, 1, t));
        for (int i = 0; i < 200_000; i++) {
            take(buckets, "sender:mailto:bot" + i + "@botnet.example", 5, 60, t.plusMillis(i));
        }
        assertTrue(buckets.size() <= 1000, "buckets: " + buckets.size());
        assertTrue(!take(buckets, "recipient:victim", 3, 1, t.plusMillis(200_000)),
                "churning keys did not refill the drained bucket");
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }
}
