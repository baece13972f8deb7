package dev.inboxguard.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.api.CalendarUserAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccountsTest {
    @Test
    void aStoredHashRoundTripsAndMatchesOnlyItsPassword() {
        PasswordHash hash = PasswordHash.of("correct horse", 20_000);
        PasswordHash read = PasswordHash.parse(hash.encoded());
        assertTrue(read.matches("correct horse"));
        assertFalse(read.matches("correct horse "));
        assertFalse(read.matches(""));
        assertEquals(20_000, read.iterations());
        assertFalse(hash.toString().contains(Base64.getEncoder().encodeToString(hash.hash())));
    }

    @Test
    void theStandInForUnknownNamesHasARealHashsCostButMatchesNothing() {
        PasswordHash standIn = PasswordHash.unmatchable(20_000);
        assertEquals(20_000, standIn.iterations());
        for (String guess : List.of("", "no such user", "alice", "\u0000")) {
            assertFalse(standIn.matches(guess), guess);
        }
        // each stand-in is random: nothing about one tells of another
        PasswordHash other = PasswordHash.unmatchable(20_000);
        assertFalse(java.util.Arrays.equals(standIn.salt(), other.salt()));
        assertFalse(java.util.Arrays.equals(standIn.hash(), other.hash()));
        assertEquals(32, standIn.hash().length, "as long as a real hash, so that a check costs the same");
    }

    @Test
    void malformedHashesAreRefusedWithAReason() {
        assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse("secret"));
        assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse("pbkdf2-sha256$x$AAAA$AAAA"));
        assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse("pbkdf2-sha256$600000$!!$AAAA"));
        // a count that would make each login take minutes is a configuration error, not a setting
        assertThrows(IllegalArgumentException.class,
                () -> PasswordHash.parse("pbkdf2-sha256$2000000000$AAAA$AAAA"));
        assertThrows(IllegalArgumentException.class, () -> PasswordHash.parse("pbkdf2-sha256$10$AAAA$AAAA"));
    }

    @Test
    void usersAreAuthenticatedByNameAndPassword() {
        Accounts accounts = Accounts.demo(Clock.systemUTC());
        assertEquals("alice", accounts.authenticate("alice", "alice").orElseThrow().name());
        assertTrue(accounts.authenticate("alice", "bob").isEmpty());
        assertTrue(accounts.authenticate("mallory", "mallory").isEmpty());
        assertTrue(accounts.authenticate("Alice", "alice").isEmpty());
        assertEquals(List.of(CalendarUserAddress.of("mailto:bob@example.com")),
                accounts.find("bob").orElseThrow().addresses());
        // each demo user's stored hash is of its own name, and of no other demo user's
        for (String user : List.of("alice", "bob", "carol", "dave")) {
            for (String password : List.of("alice", "bob", "carol", "dave")) {
                assertEquals(user.equals(password), accounts.find(user).orElseThrow().password().matches(password),
                        user + " with " + password);
            }
        }
    }

    @Test
    void aRememberedPasswordStillHasToBeTheRightOne() {
        MutableClock clock = new MutableClock();
        Accounts accounts = new Accounts(List.of(new Account("erin", PasswordHash.of("s3cret", 10_000), "Erin",
                List.of(CalendarUserAddress.of("mailto:erin@example.com")))), clock);
        assertTrue(accounts.authenticate("erin", "s3cret").isPresent());
        assertTrue(accounts.authenticate("erin", "s3cret").isPresent());
        assertTrue(accounts.authenticate("erin", "wrong").isEmpty());
        clock.now = clock.now.plus(Duration.ofMinutes(6));
        assertTrue(accounts.authenticate("erin", "s3cret").isPresent());
        assertTrue(accounts.authenticate("erin", "S3cret").isEmpty());
    }

    @Test
    void accountNamesBecomeUrlSegmentsSoTheyAreRestricted() {
        PasswordHash h = PasswordHash.of("x", 10_000);
        List<CalendarUserAddress> a = List.of(CalendarUserAddress.of("mailto:x@example.com"));
        for (String bad : List.of("", "../alice", "a/b", "Alice", "a b", "x".repeat(65), "%2e")) {
            assertThrows(IllegalArgumentException.class, () -> new Account(bad, h, null, a), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> new Account("ok", h, null, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new Accounts(List.of(new Account("ok", h, null, a),
                new Account("ok", h, null, a)), Clock.systemUTC()));
    }

    @Test
    void basicCredentialsAreParsedStrictly() {
        String good = "Basic " + b64("alice:pa:ss");
        assertEquals("alice", BasicAuthentication.credentials(good).orElseThrow()[0]);
        assertEquals("pa:ss", BasicAuthentication.credentials(good).orElseThrow()[1]);
        assertEquals("alice", BasicAuthentication.credentials("basic " + b64("alice:x")).orElseThrow()[0]);
        assertTrue(BasicAuthentication.credentials(null).isEmpty());
        assertTrue(BasicAuthentication.credentials("Bearer abc").isEmpty());
        assertTrue(BasicAuthentication.credentials("Basic !!!").isEmpty());
        assertTrue(BasicAuthentication.credentials("Basic " + b64("nocolon")).isEmpty());
        assertTrue(BasicAuthentication.credentials("Basic " + b64(":emptyuser")).isEmpty());
        assertTrue(BasicAuthentication.credentials("Basic " + b64("a:" + "x".repeat(2000))).isEmpty());
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    private static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-11-21T08:00:00Z");

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
