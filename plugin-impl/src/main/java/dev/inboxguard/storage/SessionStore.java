package dev.inboxguard.storage;

import java.util.Optional;

/**
 * Sign-ins to the approval page, in the database so that any node behind a load balancer can serve the next click.
 * Only a hash of each cookie token is stored.
 */
public interface SessionStore {

    /**
     * @param user    the signed-in user's name
     * @param csrf    the token their forms carry
     * @param expires when the sign-in lapses (epoch milliseconds)
     */
    record Session(String user, String csrf, long expires) {
    }

    /**
     * Records a sign-in. A user keeps at most {@code maxPerUser} at once; the oldest go first.
     *
     * @param tokenHash the cookie token's hash
     * @param session   the sign-in
     * @param now       the time, to drop lapsed sign-ins
     * @param maxPerUser how many sign-ins one user may hold
     */
    void open(String tokenHash, Session session, long now, int maxPerUser);

    /** @return the sign-in, if it exists and has not lapsed */
    Optional<Session> find(String tokenHash, long now);

    /** Ends a sign-in. */
    void close(String tokenHash);
}
