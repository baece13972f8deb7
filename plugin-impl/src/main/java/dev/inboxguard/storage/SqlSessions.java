package dev.inboxguard.storage;

import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/** Sign-ins to the approval page, in the {@code web_sessions} table. */
final class SqlSessions implements SessionStore {
    private final DataSource db;

    SqlSessions(DataSource db) {
        this.db = db;
    }

    @Override
    public void open(String tokenHash, Session s, long now, int maxPerUser) {
        Sql.transaction(db, c -> {
            // only this user's rows: sign-ins of different users never wait on each other
            Sql.update(c, "DELETE FROM web_sessions WHERE username = ? AND expires < ?", s.user(), now);
            // bounded per user: a script signing in over and over replaces its own sign-ins, nobody else's
            Sql.update(c, "DELETE FROM web_sessions WHERE token_hash IN (SELECT token_hash FROM web_sessions WHERE "
                    + "username = ? ORDER BY expires DESC OFFSET ? ROWS)", s.user(), maxPerUser - 1);
            return Sql.update(c, "INSERT INTO web_sessions (token_hash, username, csrf, expires) VALUES (?, ?, ?, ?)",
                    tokenHash, s.user(), s.csrf(), s.expires());
        });
    }

    @Override
    public Optional<Session> find(String tokenHash, long now) {
        return Sql.query(db, "SELECT username, csrf, expires FROM web_sessions WHERE token_hash = ? AND expires >= ?",
                List.of(tokenHash, now), r -> new Session(r.getString(1), r.getString(2), r.getLong(3))).stream()
                .findFirst();
    }

    @Override
    public void close(String tokenHash) {
        Sql.transaction(db, c -> Sql.update(c, "DELETE FROM web_sessions WHERE token_hash = ?", tokenHash));
    }
}
