package dev.inboxguard.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Copies everything one database holds into another of the same schema version: an operator who outgrows the
 * embedded store moves to PostgreSQL and keeps calendars, inboxes, the quarantine, the audit trail and the mail
 * queue. ETags, sync revisions and Schedule-Tags are copied as they are, so clients keep their state.
 *
 * <p>The target must be empty: a copy into a database in use would mix two servers' data. The whole copy is one
 * transaction on the target, so a failure leaves it empty again.
 */
final class StoreCopy {
    /**
     * Parents before children, for the foreign key of collection properties. Rate buckets and sign-ins are left
     * behind: both refill.
     */
    static final List<String> TABLES = List.of("calendars", "objects", "tombstones", "retired_calendars",
            "collection_properties", "homes", "inbox", "held", "audit", "correspondents", "mail_queue", "mail_receipts",
            "user_preferences", "sender_lists", "spam_reports", "held_notices", "server_secrets", "used_links",
            "pending_deliveries");
    private static final int BATCH = 500;

    private StoreCopy() {
    }

    /**
     * @param from   the source, read in one read-only pass
     * @param to     the empty target, on PostgreSQL
     * @return rows copied, by table
     * @throws StoreFailure if the target holds data, or the copy fails (the target is left as it was)
     */
    static Map<String, Long> copy(javax.sql.DataSource from, javax.sql.DataSource to) {
        Map<String, Long> copied = new LinkedHashMap<>();
        try (Connection in = from.getConnection(); Connection out = to.getConnection()) {
            for (String table : TABLES) {
                try (Statement s = out.createStatement(); ResultSet r = s.executeQuery("SELECT COUNT(*) FROM "
                        + table)) {
                    r.next();
                    if (r.getLong(1) > 0) {
                        throw new StoreFailure("the target database is not empty (table " + table + " has rows); "
                                + "copy only into a new database", null);
                    }
                }
            }
            boolean autoCommit = out.getAutoCommit();
            out.setAutoCommit(false);
            try {
                for (String table : TABLES) {
                    copied.put(table, copyTable(in, out, table));
                }
                // the numbered tables' seq was copied as it was; new rows must number on from the highest
                for (String numbered : List.of("audit", "pending_deliveries")) {
                    try (Statement s = out.createStatement()) {
                        s.execute("SELECT setval(pg_get_serial_sequence('" + numbered + "', 'seq'), "
                                + "GREATEST((SELECT COALESCE(MAX(seq), 0) FROM " + numbered + "), 1))");
                    }
                }
                out.commit();
            } catch (SQLException | RuntimeException e) {
                out.rollback();
                throw e;
            } finally {
                out.setAutoCommit(autoCommit);
            }
        } catch (SQLException e) {
            throw new StoreFailure("the copy failed, and the target is left as it was: " + e.getMessage(), e);
        }
        return copied;
    }

    private static long copyTable(Connection in, Connection out, String table) throws SQLException {
        long rows = 0;
        try (Statement s = in.createStatement()) {
            s.setFetchSize(BATCH);
            try (ResultSet r = s.executeQuery("SELECT * FROM " + table)) {
                ResultSetMetaData meta = r.getMetaData();
                List<String> columns = new ArrayList<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    columns.add(meta.getColumnName(i).toLowerCase(java.util.Locale.ROOT));
                }
                String insert = "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES ("
                        + String.join(", ", java.util.Collections.nCopies(columns.size(), "?")) + ")";
                try (PreparedStatement p = out.prepareStatement(insert)) {
                    int pending = 0;
                    while (r.next()) {
                        for (int i = 1; i <= columns.size(); i++) {
                            switch (meta.getColumnType(i)) {
                                case Types.BLOB, Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY ->
                                        p.setBytes(i, r.getBytes(i));
                                case Types.CLOB, Types.NCLOB, Types.LONGVARCHAR, Types.VARCHAR ->
                                        p.setString(i, r.getString(i));
                                default -> p.setObject(i, r.getObject(i));
                            }
                        }
                        p.addBatch();
                        rows++;
                        if (++pending == BATCH) {
                            p.executeBatch();
                            pending = 0;
                        }
                    }
                    if (pending > 0) {
                        p.executeBatch();
                    }
                }
            }
        }
        return rows;
    }
}
