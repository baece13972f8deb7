package dev.inboxguard.server;

import dev.inboxguard.api.CalendarUserAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server's users, and the check of their passwords. A deliberately slow hash on every request would make each
 * CalDAV round trip cost a third of a second, so a password that verified is remembered for a few minutes, as a
 * SHA-256 digest keyed by user; a wrong password is never remembered and always pays the full cost.
 */
public final class Accounts {
    private static final Duration REMEMBER = Duration.ofMinutes(5);
    private static final int MAX_REMEMBERED = 10_000;

    private final Map<String, Account> byName;
    private final Clock clock;
    private final Map<String, Remembered> verified = new ConcurrentHashMap<>();
    private final PasswordHash dummy;

    private record Remembered(byte[] digest, Instant until) {
    }

    /**
     * @param accounts the users
     * @param clock    for how long a verified password is remembered
     */
    public Accounts(List<Account> accounts, Clock clock) {
        Map<String, Account> map = new LinkedHashMap<>();
        for (Account a : accounts) {
            if (map.put(a.name(), a) != null) {
                throw new IllegalArgumentException("the user " + a.name() + " is defined twice");
            }
        }
        this.byName = Map.copyOf(map);
        this.clock = clock;
        this.dummy = PasswordHash.of("no such user", accounts.isEmpty() ? PasswordHash.ITERATIONS
                : accounts.get(0).password().iterations());
    }

    /**
     * The demo users of CONTRACT.md: alice, bob, carol and dave, each {@code NAME@example.com}, with the user
     * name as password. Hashed with fewer iterations so that the demo starts at once; never used otherwise.
     *
     * @param clock the clock
     * @return the demo accounts
     */
    public static Accounts demo(Clock clock) {
        return new Accounts(List.of("alice", "bob", "carol", "dave").stream()
                .map(n -> new Account(n, PasswordHash.of(n, 10_000), capitalised(n),
                        List.of(CalendarUserAddress.of("mailto:" + n + "@example.com"))))
                .toList(), clock);
    }

    /**
     * @param name the login name
     * @return the account, if there is one
     */
    public Optional<Account> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** @return every account */
    public List<Account> all() {
        return List.copyOf(byName.values());
    }

    /**
     * @param name     the login name
     * @param password the password the client sent
     * @return the account, if the name and password are right
     */
    public Optional<Account> authenticate(String name, String password) {
        Account account = byName.get(name);
        if (account == null) {
            // spend the same time as a real check, so that timing does not tell which users exist
            dummy.matches(password);
            return Optional.empty();
        }
        byte[] digest = sha256(name + '\0' + password);
        Instant now = clock.instant();
        Remembered r = verified.get(name);
        if (r != null && now.isBefore(r.until()) && MessageDigest.isEqual(r.digest(), digest)) {
            return Optional.of(account);
        }
        if (!account.password().matches(password)) {
            return Optional.empty();
        }
        if (verified.size() >= MAX_REMEMBERED) {
            verified.clear();
        }
        verified.put(name, new Remembered(digest, now.plus(REMEMBER)));
        return Optional.of(account);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String capitalised(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
