package dev.inboxguard.approval;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sign-ins to the approval page: an unguessable cookie token per sign-in, each with its own CSRF token, kept in
 * memory for eight hours. A restart signs everyone out, which is the safe direction.
 */
final class WebSessions {
    static final Duration LIFETIME = Duration.ofHours(8);
    private static final int MAX = 10_000;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** @param user the signed-in user's name; @param csrf the token their forms carry */
    record Session(String user, String csrf, long expires) {
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Clock clock;

    WebSessions(Clock clock) {
        this.clock = clock;
    }

    /** @return the cookie token of a new session */
    String open(String user) {
        long now = clock.millis();
        if (sessions.size() >= MAX) {
            sessions.values().removeIf(s -> s.expires() < now);
            if (sessions.size() >= MAX) {
                sessions.clear(); // under a sign-in flood everyone signs in again rather than memory running out
            }
        }
        String token = token();
        sessions.put(token, new Session(user, token(), now + LIFETIME.toMillis()));
        return token;
    }

    Optional<Session> find(String token) {
        if (token == null) {
            return Optional.empty();
        }
        Session s = sessions.get(token);
        if (s == null || s.expires() < clock.millis()) {
            sessions.remove(token);
            return Optional.empty();
        }
        return Optional.of(s);
    }

    void close(String token) {
        if (token != null) {
            sessions.remove(token);
        }
    }

    static boolean same(String a, String b) {
        return a != null && b != null && MessageDigest.isEqual(a.getBytes(StandardCharsets.UTF_8),
                b.getBytes(StandardCharsets.UTF_8));
    }

    private static String token() {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
