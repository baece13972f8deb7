package dev.inboxguard.approval;

import dev.inboxguard.storage.SessionStore;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Sign-ins to the approval page: an unguessable cookie token per sign-in, each with its own CSRF token, valid for
 * eight hours. They are kept in the database (by the token's hash) so that every node behind a load balancer
 * recognises them.
 */
final class WebSessions {
    static final Duration LIFETIME = Duration.ofHours(8);
    /** Sign-ins one user may hold at once: a browser or two per device is plenty. */
    static final int PER_USER = 20;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SessionStore store;
    private final Clock clock;

    WebSessions(SessionStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** @return the cookie token of a new session */
    String open(String user) {
        long now = clock.millis();
        String token = token();
        store.open(hash(token), new SessionStore.Session(user, token(), now + LIFETIME.toMillis()), now, PER_USER);
        return token;
    }

    Optional<SessionStore.Session> find(String token) {
        // a token is 64 hex digits; anything else was never issued and costs no lookup
        if (token == null || token.length() != 64) {
            return Optional.empty();
        }
        return store.find(hash(token), clock.millis());
    }

    void close(String token) {
        if (token != null) {
            store.close(hash(token));
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

    private static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
