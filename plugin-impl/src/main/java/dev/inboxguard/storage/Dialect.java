package dev.inboxguard.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Map;

/**
 * The few places where H2 and PostgreSQL need different SQL: column types in the migrations, and inserting a row
 * whose key may exist. Everything else the stores say is the same text on both.
 */
enum Dialect {
    H2("BINARY LARGE OBJECT", "CHARACTER LARGE OBJECT"),
    POSTGRESQL("BYTEA", "TEXT");

    private final String bytes;
    private final String text;

    Dialect(String bytes, String text) {
        this.bytes = bytes;
        this.text = text;
    }

    /** @return the values of the migrations' placeholders */
    Map<String, String> placeholders() {
        // migrated_at: when a migration runs, for rows it makes whose time nothing recorded (V9's tombstones)
        // lock_for_rebuild: V9 copies tables that nodes of the previous version may still write to; on PostgreSQL
        // it locks them first, so that such a write waits and then fails instead of being lost with the old table.
        // The embedded store has no other node.
        // receipt_slot: SqlMailStore.slot in SQL, over a receipt's key (V14)
        return Map.of("bytes", bytes, "text", text, "migrated_at", Long.toString(System.currentTimeMillis()),
                "lock_for_rebuild", this == POSTGRESQL
                        ? "LOCK TABLE calendars, objects, changes IN EXCLUSIVE MODE;" : "",
                "lock_receipts", this == POSTGRESQL ? "LOCK TABLE mail_receipts IN EXCLUSIVE MODE;" : "",
                "receipt_slot", this == POSTGRESQL
                        ? "('x' || encode(substring(sha256(convert_to(msg_key, 'UTF8')) from 1 for 8), 'hex'))"
                        + "::bit(64)::bigint"
                        : "CAST(SUBSTRING(HASH('SHA-256', CAST(msg_key AS VARBINARY)) FROM 1 FOR 8) AS BIGINT)");
    }

    /**
     * Inserts a row unless one with its key exists.
     *
     * @return true if it inserted
     */
    boolean insertIfAbsent(Connection c, String insert, Object... args) throws SQLException {
        if (this == POSTGRESQL) {
            // a failed statement would abort a PostgreSQL transaction, so the conflict must not be an error
            return Sql.update(c, insert + " ON CONFLICT DO NOTHING", args) == 1;
        }
        try {
            return Sql.update(c, insert, args) == 1;
        } catch (SQLException e) {
            if (Sql.isDuplicate(e)) {
                return false; // H2 carries on with the transaction after a failed statement
            }
            throw e;
        }
    }
}
