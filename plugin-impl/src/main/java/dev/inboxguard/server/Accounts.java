package dev.inboxguard.server;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.config.GuardConfig;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The server's users, and the check of their passwords. A deliberately slow hash on every request would make each
 * CalDAV round trip cost a third of a second, so a password that verified is remembered for a few minutes, as an
 * HMAC under a key made at start-up (a heap dump reveals no crackable digest); a wrong password is never
 * remembered. Slow checks run at most one per core at a time, so made-up credentials cannot take every request
 * thread: when none is free within a second the login is refused as {@link Busy}.
 */
public final class Accounts {
    private static final Duration REMEMBER = Duration.ofMinutes(5);
    private static final int MAX_REMEMBERED = 10_000;

    private final Map<CalendarUserAddress, Account> byAddress;
    private final java.util.Set<String> operators;
    private final java.util.Set<String> administrators;
    private final Map<String, Account> byName;
    private final Clock clock;
    private final Map<String, Remembered> verified = new ConcurrentHashMap<>();
    private final PasswordHash dummy;

    private final Semaphore slowChecks = new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors()));
    private final byte[] rememberKey = new byte[32];

    private record Remembered(byte[] digest, Instant until) {
    }

    /** Every slow check is in use: the caller should answer 503 and let the client retry. */
    public static final class Busy extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Busy() {
            super("too many logins are being checked", null, false, false);
        }
    }

    /**
     * @param accounts the users
     * @param clock    for how long a verified password is remembered
     */
    public Accounts(List<Account> accounts, Clock clock) {
        this(accounts, java.util.Set.of(), clock);
    }

    /**
     * @param accounts  the users
     * @param operators the names of those who may read the whole audit trail
     * @param clock     for how long a verified password is remembered
     */
    public Accounts(List<Account> accounts, java.util.Set<String> operators, Clock clock) {
        this(accounts, operators, java.util.Set.of(), clock);
    }

    /**
     * @param accounts       the users
     * @param operators      the names of those who may read the whole audit trail
     * @param administrators the names of those who may read and change every user's calendars
     * @param clock          for how long a verified password is remembered
     */
    public Accounts(List<Account> accounts, java.util.Set<String> operators, java.util.Set<String> administrators,
                    Clock clock) {
        this.operators = java.util.Set.copyOf(operators);
        this.administrators = java.util.Set.copyOf(administrators);
        Map<String, Account> map = new LinkedHashMap<>();
        for (Account a : accounts) {
            if (map.put(a.name(), a) != null) {
                throw new IllegalArgumentException("the user " + a.name() + " is defined twice");
            }
        }
        this.byName = Map.copyOf(map);
        Map<CalendarUserAddress, Account> owners = new java.util.HashMap<>();
        for (Account a : accounts) {
            for (CalendarUserAddress address : a.addresses()) {
                Account other = owners.put(address, a);
                if (other != null && other != a) {
                    throw new IllegalArgumentException("the users " + other.name() + " and " + a.name()
                            + " both claim " + address);
                }
            }
        }
        this.byAddress = Map.copyOf(owners);
        this.clock = clock;
        // the costliest stored hash, so that an unknown name never answers faster than a real one
        this.dummy = PasswordHash.unmatchable(accounts.stream().mapToInt(a -> a.password().iterations())
                .max().orElse(PasswordHash.ITERATIONS));
        new SecureRandom().nextBytes(rememberKey);
    }

    /**
     * The demo users' stored passwords, each its user's name, hashed once at 10,000 iterations (the fewest
     * {@link PasswordHash#parse} accepts). Their passwords are published, so a salt made at start-up would protect
     * nothing, and deriving the four at each start cost 0.4 s of a cold JVM, a fifth of the demo's start-up.
     */
    private static final Map<String, String> DEMO_PASSWORDS = new LinkedHashMap<>();

    static {
        DEMO_PASSWORDS.put("alice", "pbkdf2-sha256$10000$31nqcva5VcOMNw05kUUqvg==$"
                + "6evhgxnnsp2MTnHgBflSLk+THT3eGjd1NcUbL3XV/Zo=");
        DEMO_PASSWORDS.put("bob", "pbkdf2-sha256$10000$PChZbHRmaFwFUsIhOv8JNQ==$"
                + "rblFb9eFtEK699Ci0TKNNZp6/VaLkqO3u+y9wTvclc4=");
        DEMO_PASSWORDS.put("carol", "pbkdf2-sha256$10000$gvsVAWDNXV1+n4qLKYAoDA==$"
                + "W02gPQQGA2gOHlYQrZp8wb1lT/MkNtM+aHQWYxNj4y0=");
        DEMO_PASSWORDS.put("dave", "pbkdf2-sha256$10000$L1psy6/UuSBLXsDeNdo8bw==$"
                + "aU/u2Me+S26aSlPDnd39u0FyQ6XrFPi8U00fu3hTt/k=");
    }

    /**
     * The demo users of CONTRACT.md: alice, bob, carol and dave, each {@code NAME@example.com}, with the user
     * name as password. Hashed with fewer iterations so that the demo starts at once; never used otherwise.
     *
     * @param clock the clock
     * @return the demo accounts
     */
    public static Accounts demo(Clock clock) {
        return new Accounts(DEMO_PASSWORDS.entrySet().stream()
                .map(e -> new Account(e.getKey(), PasswordHash.parse(e.getValue()), capitalised(e.getKey()),
                        List.of(CalendarUserAddress.of("mailto:" + e.getKey() + "@example.com"))))
                .toList(), clock);
    }

    /**
     * The demo users beside the configured ones, so that a test administrator can be added to a demo server. A
     * configured user of a demo name replaces that demo user.
     *
     * @param users the configuration's {@code users:} section
     * @param clock the clock
     * @return the accounts
     * @throws IllegalArgumentException naming the user whose entry is wrong
     */
    public static Accounts withDemoUsers(List<GuardConfig.User> users, Clock clock) {
        Accounts configured = of(users, clock);
        List<Account> all = new ArrayList<>(configured.all());
        for (Account d : demo(clock).all()) {
            if (configured.find(d.name()).isEmpty()) {
                all.add(d);
            }
        }
        return new Accounts(all, operators(users), administrators(users), clock);
    }

    /**
     * The accounts of the configuration's {@code users:} section.
     *
     * @param users the section
     * @param clock the clock
     * @return the accounts
     * @throws IllegalArgumentException naming the user whose entry is wrong
     */
    public static Accounts of(List<GuardConfig.User> users, Clock clock) {
        List<Account> accounts = new ArrayList<>();
        for (GuardConfig.User u : users) {
            String who = "users: " + (u.name() == null ? "(no name)" : u.name()) + ": ";
            if (u.password() == null) {
                throw new IllegalArgumentException(who + "no password hash");
            }
            try {
                List<CalendarUserAddress> addresses = (u.addresses() == null ? List.<String>of() : u.addresses())
                        .stream().map(CalendarUserAddress::of).toList();
                accounts.add(new Account(u.name(), PasswordHash.parse(u.password()), u.displayName(), addresses));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(who + e.getMessage());
            }
        }
        return new Accounts(accounts, operators(users), administrators(users), clock);
    }

    private static java.util.Set<String> operators(List<GuardConfig.User> users) {
        return users.stream().filter(u -> Boolean.TRUE.equals(u.operator())).map(GuardConfig.User::name)
                .collect(java.util.stream.Collectors.toSet());
    }

    private static java.util.Set<String> administrators(List<GuardConfig.User> users) {
        return users.stream().filter(u -> Boolean.TRUE.equals(u.administrator())).map(GuardConfig.User::name)
                .collect(java.util.stream.Collectors.toSet());
    }

    /**
     * @param account a user
     * @return true if the configuration lets them read and change every user's calendars
     */
    public boolean isAdministrator(Account account) {
        return administrators.contains(account.name());
    }

    /**
     * @param account a user
     * @return true if the configuration makes them an operator, who may read the whole audit trail
     */
    public boolean isOperator(Account account) {
        return operators.contains(account.name());
    }

    /**
     * @param name the login name
     * @return the account, if there is one
     */
    public Optional<Account> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /**
     * @param address a calendar user address
     * @return the local user who owns it, if any; anyone else is a remote calendar user
     */
    public Optional<Account> byAddress(CalendarUserAddress address) {
        return Optional.ofNullable(byAddress.get(address));
    }

    /** @return every account */
    public List<Account> all() {
        return List.copyOf(byName.values());
    }

    /**
     * @param name     the login name
     * @param password the password the client sent
     * @return the account, if the name and password are right
     * @throws Busy if no slow check became free within a second
     */
    public Optional<Account> authenticate(String name, String password) {
        Account account = byName.get(name);
        byte[] digest = hmac(name + '\0' + password);
        Instant now = clock.instant();
        Remembered r = account == null ? null : verified.get(name);
        if (r != null && now.isBefore(r.until()) && MessageDigest.isEqual(r.digest(), digest)) {
            return Optional.of(account);
        }
        boolean matches = slowly(() -> {
            if (account == null) {
                dummy.matches(password); // the same time as a real check: timing does not tell who exists
                return false;
            }
            return account.password().matches(password);
        });
        if (!matches) {
            return Optional.empty();
        }
        if (verified.size() >= MAX_REMEMBERED) {
            verified.clear();
        }
        verified.put(name, new Remembered(digest, now.plus(REMEMBER)));
        return Optional.of(account);
    }

    private boolean slowly(BooleanSupplier check) {
        boolean acquired;
        try {
            acquired = slowChecks.tryAcquire(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Busy();
        }
        if (!acquired) {
            throw new Busy();
        }
        try {
            return check.getAsBoolean();
        } finally {
            slowChecks.release();
        }
    }

    private byte[] hmac(String s) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(rememberKey, "HmacSHA256"));
            return mac.doFinal(s.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no HmacSHA256", e);
        }
    }

    private static String capitalised(String s) {
        return Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
