package dev.inboxguard.ratelimit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RateLedgerTest {
    private static final Instant T = Instant.parse("2026-12-06T12:00:00Z");
    private static final List<RateLimiter.Limit> PAIR = List.of(new RateLimiter.Limit("pair:a>b", 1, 1));

    @Test
    void whatAScopeCountedIsGivenBackAndNothingElse() {
        TokenBuckets buckets = new TokenBuckets(100);
        RateLedger ledger = new RateLedger(buckets);
        try (RateLedger.Scope scope = RateLedger.open()) {
            assertTrue(ledger.tryTakeAll(PAIR, T).isEmpty());
            // refused: it took nothing, so the give-back returns only the one token taken
            assertFalse(ledger.tryTakeAll(PAIR, T).isEmpty());
            scope.giveBack(T);
        }
        assertTrue(buckets.tryTakeAll(PAIR, T).isEmpty(), "the token is back");
        assertFalse(buckets.tryTakeAll(PAIR, T).isEmpty(), "and only the one");
    }

    @Test
    void withoutAScopeOrAfterItNothingIsRecorded() {
        TokenBuckets buckets = new TokenBuckets(100);
        RateLedger ledger = new RateLedger(buckets);
        assertTrue(ledger.tryTakeAll(PAIR, T).isEmpty());
        try (RateLedger.Scope scope = RateLedger.open()) {
            scope.giveBack(T);
        }
        assertFalse(buckets.tryTakeAll(PAIR, T).isEmpty(), "counted before the scope: stays counted");
    }

    @Test
    void anInnerScopeRecordsApartAndTheOuterOneGoesOnAfterIt() {
        TokenBuckets buckets = new TokenBuckets(100);
        RateLedger ledger = new RateLedger(buckets);
        List<RateLimiter.Limit> other = List.of(new RateLimiter.Limit("pair:a>c", 1, 1));
        try (RateLedger.Scope outer = RateLedger.open()) {
            try (RateLedger.Scope inner = RateLedger.open()) {
                assertTrue(ledger.tryTakeAll(other, T).isEmpty());
            }
            assertTrue(ledger.tryTakeAll(PAIR, T).isEmpty());
            outer.giveBack(T);
        }
        assertTrue(buckets.tryTakeAll(PAIR, T).isEmpty(), "the outer scope's own count is back");
        assertFalse(buckets.tryTakeAll(other, T).isEmpty(), "the inner scope's stays");
    }

    @Test
    void aGiveBackByKeyReturnsOnlyThoseAndKeepsTheRestForLater() {
        TokenBuckets buckets = new TokenBuckets(100);
        RateLedger ledger = new RateLedger(buckets);
        List<RateLimiter.Limit> recipient = List.of(new RateLimiter.Limit("recipient:b", 1, 1));
        try (RateLedger.Scope scope = RateLedger.open()) {
            assertTrue(ledger.tryTakeAll(List.of(PAIR.get(0), recipient.get(0)), T).isEmpty());
            scope.giveBack(T, key -> key.startsWith("recipient:"));
            assertTrue(buckets.tryTakeAll(recipient, T).isEmpty(), "the recipient's token is back");
            assertFalse(buckets.tryTakeAll(PAIR, T).isEmpty(), "the pair's stays taken");
            scope.giveBack(T);
        }
        assertTrue(buckets.tryTakeAll(PAIR, T).isEmpty(), "and is given back by a later give-back of all");
        assertFalse(buckets.tryTakeAll(recipient, T).isEmpty(), "the recipient's was not given back twice");
    }
}
