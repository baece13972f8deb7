package dev.inboxguard.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** The two ways the stores talk to the database: a read, and a unit of work that commits or rolls back whole. */
final class Sql {
    private Sql() {
    }

    interface Row<T> {
        T read(ResultSet r) throws SQLException;
    }

    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs a schema script (statements separated by semicolons) in one transaction. */
    static void createSchema(DataSource db, String script) {
        transaction(db, c -> {
            try (java.sql.Statement s = c.createStatement()) {
                for (String ddl : script.split(";")) {
                    if (!ddl.isBlank()) {
                        s.execute(ddl);
                    }
                }
            }
            return null;
        });
    }

    static <T> List<T> query(DataSource db, String sql, List<?> args, Row<T> row) {
        try (Connection c = db.getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
            bind(p, args);
            List<T> out = new ArrayList<>();
            try (ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    out.add(row.read(r));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreFailure("a read failed", e);
        }
    }

    static <T> T transaction(DataSource db, Work<T> work) {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreFailure("a write failed", e);
        }
    }

    static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement p = c.prepareStatement(sql)) {
            bind(p, java.util.Arrays.asList(args));
            return p.executeUpdate();
        }
    }

    private static void bind(PreparedStatement p, List<?> args) throws SQLException {
        for (int i = 0; i < args.size(); i++) {
            p.setObject(i + 1, args.get(i));
        }
    }
}
