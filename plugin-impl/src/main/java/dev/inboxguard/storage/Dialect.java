package dev.inboxguard.storage;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The few places where H2 and PostgreSQL need different SQL: column types in the migrations, and writing a row
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
        return Map.of("bytes", bytes, "text", text);
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

    /**
     * @param table   the table
     * @param keys    its key columns, bound first
     * @param columns the other columns, bound after the keys
     * @return a statement that inserts the row, or updates it where the key exists
     */
    String upsert(String table, List<String> keys, List<String> columns) {
        String all = String.join(", ", keys) + ", " + String.join(", ", columns);
        String marks = String.join(", ", java.util.Collections.nCopies(keys.size() + columns.size(), "?"));
        if (this == H2) {
            return "MERGE INTO " + table + " (" + all + ") KEY (" + String.join(", ", keys) + ") VALUES (" + marks
                    + ")";
        }
        return "INSERT INTO " + table + " (" + all + ") VALUES (" + marks + ") ON CONFLICT (" + String.join(", ", keys)
                + ") DO UPDATE SET " + columns.stream().map(col -> col + " = EXCLUDED." + col)
                .collect(Collectors.joining(", "));
    }
}
