package dev.inboxguard.storage;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.ratelimit.RateLimiter;
import dev.inboxguard.ratelimit.TokenBuckets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Everything InboxGuard keeps, in one database: embedded H2 in the data directory for a single node, or PostgreSQL
 * shared by several nodes. The schema comes from versioned migrations (Flyway, under
 * {@code dev/inboxguard/storage/migration}), the same files for both with the column types filled in.
 *
 * <p>On PostgreSQL every node is stateless: calendars, inboxes, the quarantine, the audit trail, the mail queue,
 * receipts of incoming mail, rate-limit buckets and sign-ins to the approval page all live in the database, and the
 * writes that must happen once (a delivery, a decision, a claim on queued mail) are conditional, so two nodes doing
 * the same thing at once produce one result.
 */
public final class Database implements AutoCloseable, Transactions {
    private final HikariDataSource pool;
    /** What the stores write through: the pool itself, or for H2 the pool with commits made durable in groups. */
    private final javax.sql.DataSource data;
    private final HikariDataSource healthPool;
    private final Dialect dialect;
    private final String description;
    private final SqlCalendarStore calendars;
    private final SqlSchedulingStore scheduling;
    private final SqlMailStore mail;
    private final SqlSessions sessions;
    private final SqlPreferenceStore preferences;
    private final RateLimiter rates;
    private final int migrationsApplied;
    /** The embedded store's file compaction while the server runs; none for PostgreSQL. */
    private final java.util.Optional<StoreCompaction> compaction;
    /** The embedded store's file; none for PostgreSQL. */
    private final java.util.Optional<Path> file;
    /** The version of this build's last migration ({@code V14__receipt_slots.sql}); a test keeps it in step. */
    static final int SCHEMA_VERSION = 14;
    /** The embedded store keeps binary and text values up to this size in their row. */
    static final int INLINE_BYTES = 16 * 1024;

    private Database(HikariConfig settings, Dialect dialect, boolean migrate, String description,
                     java.util.Optional<Path> file) {
        this.description = description;
        this.file = file;
        this.dialect = dialect;
        try {
            this.pool = new HikariDataSource(settings);
        } catch (RuntimeException e) {
            throw new StoreFailure("cannot open " + description + ": "
                    + GuardConfig.Storage.withoutSecrets(firstLine(e.getMessage())), null);
        }
        try {
            if (dialect == Dialect.H2) {
                // before the migrations write; what H2 wrote to create the file used its own encoder, same format
                PageCompressor.install(pool);
            }
            this.migrationsApplied = schema(pool, dialect, migrate);
            if (dialect == Dialect.H2) {
                plannerHints(pool);
                checkpoint(pool); // Flyway's commits are not group commits: the schema reaches the disk now
            }
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        // /health asks on a connection of its own: a node whose pool is busy is not a node that is down
        HikariConfig health = new HikariConfig();
        settings.copyStateTo(health);
        health.setPoolName(settings.getPoolName() + "-health");
        health.setMaximumPoolSize(1);
        health.setMinimumIdle(0);
        health.setConnectionTimeout(3_000);
        health.setInitializationFailTimeout(-1);
        this.healthPool = new HikariDataSource(health);
        this.data = dialect == Dialect.H2 ? new GroupCommit(pool) : pool;
        this.compaction = data instanceof GroupCommit group && file.isPresent()
                ? java.util.Optional.of(StoreCompaction.start(pool, file.get(), group))
                : java.util.Optional.empty();
        this.calendars = new SqlCalendarStore(data);
        this.scheduling = new SqlSchedulingStore(data, dialect);
        this.mail = new SqlMailStore(data, dialect);
        this.sessions = new SqlSessions(data);
        this.preferences = new SqlPreferenceStore(data);
        // one embedded node counts in memory; nodes sharing PostgreSQL must count in it, or each would allow the burst
        this.rates = dialect == Dialect.POSTGRESQL ? new SqlRateLimits(data, dialect)
                : new TokenBuckets(TokenBuckets.DEFAULT_KEYS);
    }

    /**
     * Opens the embedded database, creating it if needed. A store's write returns once a checkpoint has written
     * and fsynced its commit ({@link GroupCommit}), so a PUT acknowledged is one that survives kill -9; concurrent
     * commits share one checkpoint. H2's background writer runs again: it writes what is left after
     * {@code WRITE_DELAY} ms without a write, and compacts. A chunk of the file may be reused as soon as no version
     * still needed reads it ({@code RETENTION_TIME=0}) instead of after H2's default 45 s: under steady writes the
     * file would otherwise grow by the chunks of that time (of one second: 22× what it held at 2,000 writes a second).
     * The versions still needed include the last fsynced one ({@link GroupCommit}), and no reuse breaks the chain of
     * chunks recovery follows from the header on the disk ({@link OrderedWrites}). H2's own background writes are
     * not fsynced (see docs/benchmarks.md). Values up to 16 KiB stay in their row
     * ({@code MAX_LENGTH_INPLACE_LOB}) instead of H2's 256 bytes: nearly every calendar object is larger than that,
     * and each one H2 keeps apart costs writes to three more maps and a clean-up when it is replaced. Pages are not
     * compressed here, as with {@code storage.compress: false}; the server's default compresses them
     * ({@link #embedded(Path, boolean)}).
     *
     * @param directory the data directory
     * @return the database, its schema up to date
     */
    public static Database embedded(Path directory) {
        return embedded(directory, "file:", false);
    }

    /**
     * As {@link #embedded(Path)}, with the choice of compressed pages ({@code storage.compress}, on unless set to
     * false). Each page is compressed in H2's LZF format as it is written ({@link PageCompressor}, which H2's own
     * reader expands): for events of 200 bytes the file was 2.1-2.7 times
     * the events during a full-speed churn and 1.3 times at rest, against 4.2-5.1 and 2.6 uncompressed, for up to 14 %
     * more CPU per scheduling PUT (docs/benchmarks.md). A file written either way opens either way: each page says
     * whether it is compressed.
     *
     * @param directory the data directory
     * @param compress  whether pages written from now on are compressed
     * @return the database, its schema up to date
     */
    public static Database embedded(Path directory, boolean compress) {
        return embedded(directory, "file:", compress);
    }

    /**
     * @param directory  the data directory
     * @param fileSystem H2's file system prefix: {@code file:}, or one a test registers to stand between H2 and the
     *                   disk
     * @param compress   whether pages are compressed
     * @return the database
     */
    static Database embedded(Path directory, String fileSystem, boolean compress) {
        Path file = directory.toAbsolutePath().resolve("inboxguard");
        // ordered: H2's header and the file's end change only once what they point at is on the disk
        OrderedWrites.register();
        // a crash left the walk of chunks recovery follows unknown: H2 alone opens and closes the file first
        OrderedWrites.closeCleanlyAfterACrash(Path.of(file + ".mv.db"), fileSystem);
        HikariConfig c = pool("inboxguard-h2", 16);
        c.setJdbcUrl("jdbc:h2:" + OrderedWrites.SCHEME + ":" + fileSystem + file
                + ";WRITE_DELAY=500;RETENTION_TIME=0;MAX_COMPACT_TIME=0;QUERY_CACHE_SIZE=128"
                + ";MAX_LENGTH_INPLACE_LOB=" + INLINE_BYTES
                + (compress ? ";COMPRESS=TRUE" : "")
                + ";DB_CLOSE_ON_EXIT=FALSE");
        c.setUsername("inboxguard");
        c.setPassword("");
        return new Database(c, Dialect.H2, true, "the embedded database " + file + ".mv.db",
                java.util.Optional.of(Path.of(file + ".mv.db")));
    }

    /**
     * Opens the database the configuration names: PostgreSQL if {@code storage.url} is set, else the embedded one.
     *
     * @param storage   the storage settings
     * @param directory the data directory, for the embedded database
     * @return the database, its schema up to date (or checked, with {@code migrate: validate})
     */
    public static Database open(GuardConfig.Storage storage, Path directory) {
        if (!storage.shared()) {
            return embedded(directory, storage.compress());
        }
        HikariConfig c = pool("inboxguard-pg", storage.maxConnections());
        c.setJdbcUrl(storage.url());
        c.setUsername(storage.user());
        c.setPassword(ConfigFile.secret("storage.passwordFile", storage.password(), storage.passwordFile()));
        // a database that stops answering must fail requests, not hang them; the URL may still override these
        c.addDataSourceProperty("connectTimeout", "10");
        c.addDataSourceProperty("socketTimeout", "60");
        c.addDataSourceProperty("tcpKeepAlive", "true");
        c.addDataSourceProperty("ApplicationName", "inboxguard");
        return new Database(c, Dialect.POSTGRESQL, storage.migrate().equals("auto"), "PostgreSQL at "
                + GuardConfig.Storage.withoutSecrets(storage.url()), java.util.Optional.empty());
    }

    /**
     * Until H2 has analysed a table (after 2,000 changed rows) it takes every column to tell rows apart equally
     * well, and then ranks an index that starts with (owner, calendar), such as a foreign key's before V9, as cheap
     * as the key itself for a read or an update of one object by name. A plan made on a young table scans the whole
     * calendar, and a cached statement keeps its plan: the change log's update was 10-12 % of an iMIP delivery's CPU
     * at 3,600 events. Saying that owner and calendar tell few rows apart ranks the key first from the start; H2's
     * own analysis later replaces these figures with measured ones, which say the same.
     */
    private static void plannerHints(HikariDataSource pool) {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            for (String table : new String[] {"objects", "tombstones"}) {
                for (String column : new String[] {"owner", "calendar"}) {
                    s.execute("ALTER TABLE " + table + " ALTER COLUMN " + column + " SELECTIVITY 1");
                }
            }
        } catch (SQLException e) {
            throw new StoreFailure("cannot set up the embedded database", e);
        }
    }

    private static void checkpoint(HikariDataSource pool) {
        try (Connection c = pool.getConnection()) {
            GroupCommit.writeAndSync(GroupCommit.store(c));
        } catch (SQLException e) {
            throw new StoreFailure("cannot write the embedded database's file", e);
        }
    }

    private static HikariConfig pool(String name, int size) {
        HikariConfig c = new HikariConfig();
        c.setPoolName(name);
        c.setMaximumPoolSize(size);
        c.setMinimumIdle(Math.min(2, size));
        c.setConnectionTimeout(10_000);
        c.setValidationTimeout(5_000);
        c.setAutoCommit(true);
        return c;
    }

    private static int schema(HikariDataSource pool, Dialect dialect, boolean migrate) {
        if (current(pool)) {
            return 0;
        }
        Flyway flyway = Flyway.configure(Database.class.getClassLoader())
                .dataSource(pool)
                .locations("classpath:dev/inboxguard/storage/migration")
                .placeholders(dialect.placeholders())
                // H2 data directories from before migrations hold the first tables already; V1 to V3 tolerate
                // that. A PostgreSQL schema with unknown tables in it is refused instead of adopted.
                .baselineOnMigrate(dialect == Dialect.H2)
                .baselineVersion("0")
                .load();
        try {
            if (migrate) {
                MigrateResult result = flyway.migrate();
                return result.migrationsExecuted;
            }
            flyway.validate();
            return 0;
        } catch (FlywayException e) {
            throw new StoreFailure((migrate ? "cannot bring the database schema up to date: "
                    : "the database schema is not up to date (storage.migrate is validate; run `inboxguard migrate` "
                    + "or one node with migrate: auto): ")
                    + GuardConfig.Storage.withoutSecrets(firstLine(e.getMessage())), null);
        }
    }

    /**
     * True when Flyway's history in the connection's own schema lists every migration of this build, 1 to
     * {@link #SCHEMA_VERSION}, and none failed. Then Flyway is skipped: its scan of the jar took a fifth of the
     * server's start-up. What it would check besides, that no applied script was edited since, is not checked then;
     * a schema behind, ahead, failed or without a history still goes through Flyway.
     */
    static boolean current(javax.sql.DataSource pool) {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            String schema = c.getSchema();
            String table = (schema == null ? "" : "\"" + schema.replace("\"", "\"\"") + "\".")
                    + "\"flyway_schema_history\"";
            java.util.Set<Integer> applied = new java.util.HashSet<>();
            try (java.sql.ResultSet r = s.executeQuery("SELECT \"version\", \"success\" FROM " + table)) {
                while (r.next()) {
                    if (!r.getBoolean(2)) {
                        return false;
                    }
                    String version = r.getString(1);
                    if (version != null && version.matches("[0-9]{1,6}")) {
                        applied.add(Integer.parseInt(version));
                    }
                }
            }
            for (int v = 1; v <= SCHEMA_VERSION; v++) {
                if (!applied.contains(v)) {
                    return false;
                }
            }
            return applied.stream().allMatch(v -> v <= SCHEMA_VERSION);
        } catch (SQLException e) {
            return false; // no history yet: a new database, which Flyway creates
        }
    }

    /**
     * Copies everything another database holds into this one, which must be PostgreSQL and empty: an operator who
     * outgrows the embedded store keeps their data (ETags and sync revisions included). Rate-limit buckets and
     * sign-ins are not copied. Both databases must be at the same schema version, as opening them makes them.
     *
     * @param source the database to copy, usually the embedded one
     * @return rows copied, by table
     * @throws StoreFailure if this database is not PostgreSQL or not empty, or the copy fails (nothing is kept)
     */
    public Map<String, Long> copyFrom(Database source) {
        if (dialect != Dialect.POSTGRESQL) {
            throw new StoreFailure("copy into PostgreSQL only: set storage.url in the configuration", null);
        }
        return StoreCopy.copy(source.pool, pool);
    }

    /**
     * Shows the connection pool on {@code GET /metrics}, under HikariCP's own meter names, tagged {@code pool}:
     * connections in all, active, idle, the most allowed, and threads waiting for one. Read from the pool at scrape
     * time, so a server started again on the same database measures it again. The health check's own connection is
     * left out: it says nothing about load.
     *
     * @param registry where the server's meters are
     */
    public void measure(io.micrometer.core.instrument.MeterRegistry registry) {
        gauge(registry, "hikaricp.connections", "connections in the pool", p -> p.getTotalConnections());
        gauge(registry, "hikaricp.connections.active", "connections in use", p -> p.getActiveConnections());
        gauge(registry, "hikaricp.connections.idle", "connections idle in the pool", p -> p.getIdleConnections());
        gauge(registry, "hikaricp.connections.pending", "threads waiting for a connection",
                p -> p.getThreadsAwaitingConnection());
        file.ifPresent(f -> io.micrometer.core.instrument.Gauge.builder("inboxguard.store.file.bytes", f,
                        Database::sizeOf).description("size of the embedded database's file; it grows during bursts "
                        + "of writes and is compacted back when they let up").baseUnit("bytes").strongReference(true)
                .register(registry));
        if (data instanceof GroupCommit group) {
            io.micrometer.core.instrument.FunctionCounter.builder("inboxguard.store.commits", group,
                    GroupCommit::commits).description("units of work the embedded database made durable")
                    .register(registry);
            io.micrometer.core.instrument.FunctionCounter.builder("inboxguard.store.checkpoints", group,
                    GroupCommit::checkpoints).description("synced writes of the embedded database's file; "
                    + "concurrent commits share one").register(registry);
        }
        io.micrometer.core.instrument.Gauge.builder("hikaricp.connections.max", pool,
                        ds -> ds.getMaximumPoolSize()).description("the most connections the pool opens")
                .tag("pool", pool.getPoolName()).strongReference(true).register(registry);
    }

    private static double sizeOf(Path f) {
        try {
            return java.nio.file.Files.size(f);
        } catch (java.io.IOException e) {
            return Double.NaN; // Prometheus's way to say "no value now"
        }
    }

    private void gauge(io.micrometer.core.instrument.MeterRegistry registry, String name, String description,
                       java.util.function.ToIntFunction<com.zaxxer.hikari.HikariPoolMXBean> value) {
        io.micrometer.core.instrument.Gauge.builder(name, pool, ds -> {
            com.zaxxer.hikari.HikariPoolMXBean bean = ds.getHikariPoolMXBean();
            return bean == null ? 0 : value.applyAsInt(bean);
        }).description(description).tag("pool", pool.getPoolName()).strongReference(true).register(registry);
    }

    /**
     * Runs work as one transaction across every store: what it writes commits together or not at all, and a crash
     * in the middle leaves nothing of it. Every local delivery is one (inbox item, calendar copy, audit line), and the
     * iMIP gateway records a message's receipt in the same one, so an MTA's retry after a crash finds either both
     * or neither.
     *
     * @param work what to do, on this thread
     * @param <T>  its result
     * @return its result, once committed
     */
    @Override
    public <T> T atomically(java.util.function.Supplier<T> work) {
        return Sql.atomically(data, work);
    }

    @Override
    public <T> T syncedOnce(java.util.function.Supplier<T> work) {
        return Sql.syncedOnce(data, work);
    }

    /** @return how many migrations this opening applied (0 when the schema was current) */
    public int migrationsApplied() {
        return migrationsApplied;
    }

    /** @return calendars and their objects */
    public CalendarStore calendars() {
        return calendars;
    }

    /** @return scheduling inboxes, the quarantine, the audit trail */
    public SchedulingStore scheduling() {
        return scheduling;
    }

    /** @return the outbound mail queue and receipts of incoming mail */
    public MailStore mail() {
        return mail;
    }

    /** @return each user's own settings, sender lists and spam reports */
    public PreferenceStore preferences() {
        return preferences;
    }

    /** @return sign-ins to the approval page */
    public SessionStore sessions() {
        return sessions;
    }

    /** @return rate-limit buckets: in memory for the embedded database, in the database for PostgreSQL */
    public RateLimiter rateLimiter() {
        return rates;
    }

    /** @return the store's connections, for tests that set up what no store method would */
    javax.sql.DataSource dataSource() {
        return data;
    }

    /** @return the group commit of the embedded database; empty for PostgreSQL, whose own commits group */
    Optional<GroupCommit> groupCommit() {
        return data instanceof GroupCommit g ? Optional.of(g) : Optional.empty();
    }

    /** @return database-backed rate limits over this pool, whichever database it is (for the store tests) */
    SqlRateLimits sharedRateLimits() {
        return new SqlRateLimits(data, dialect);
    }

    /** @return where the data is, without passwords, for the start-up banner */
    public String description() {
        return description;
    }

    /**
     * Checks that the database answers, for {@code /health}: a load balancer should stop sending work to a node
     * that cannot reach it.
     *
     * @return true if a trivial query succeeded within a few seconds
     */
    public boolean reachable() {
        try (Connection c = healthPool.getConnection(); Statement s = c.createStatement()) {
            s.setQueryTimeout(5);
            s.execute("SELECT 1");
            return true;
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    /** @return whether the embedded store's compaction has come to rest (for tests); true for PostgreSQL */
    boolean compactionAtRest() {
        return compaction.map(StoreCompaction::settled).orElse(true);
    }

    /** @return whether H2's own compaction of the embedded store is paused, the store being quiet (tests) */
    boolean h2CompactionPaused() {
        return compaction.map(StoreCompaction::h2CompactionPaused).orElse(false);
    }

    /** @return rounds of the embedded store's compaction that rewrote chunks while commits went on (tests); 0 else */
    long compactionRoundsUnderWrites() {
        return compaction.map(StoreCompaction::roundsUnderWrites).orElse(0L);
    }

    @Override
    public void close() {
        compaction.ifPresent(StoreCompaction::close);
        // H2's close compacts, and expects no version still registered as in use
        groupCommit().ifPresent(GroupCommit::close);
        healthPool.close();
        pool.close();
    }

    private static String firstLine(String s) {
        String m = s == null ? "" : s.strip();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }
}
