package dev.inboxguard.cli;

import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.storage.Database;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code inboxguard migrate}: brings the database schema up to date and exits. For operators who set
 * {@code storage.migrate: validate} and apply schema changes as a deploy step, before starting new nodes.
 */
@Command(name = "migrate", mixinStandardHelpOptions = true,
        description = {"Brings the database schema up to date (the embedded database under --data, or PostgreSQL "
                + "from storage.url) and exits; with --copy-from, then copies an embedded store into PostgreSQL. "
                + "On PostgreSQL it takes a lock, so that nodes starting together apply each change once. Up to V8 "
                + "migrations only add, and older nodes keep working; V9 rebuilds the object tables, so stop the "
                + "nodes of earlier versions first. The embedded database must not be in use by serve."})
final class MigrateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "the configuration (YAML)")
    Path config;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "inboxguard-data",
            description = "where the embedded store keeps its file (default: ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--copy-from", paramLabel = "DIR",
            description = "copy the embedded store in DIR (a --data directory) into the PostgreSQL database of "
                    + "storage.url, which must be empty; stop the server that uses DIR first")
    Path copyFrom;

    @Override
    public Integer call() {
        GuardConfig cfg = ConfigSource.read(config);
        GuardConfig.Storage s = cfg.storage();
        GuardConfig.Storage migrating = new GuardConfig.Storage(s.url(), s.user(), s.password(), s.passwordFile(),
                s.maxConnections(), "auto", s.compress());
        if (copyFrom != null) {
            if (!s.shared()) {
                throw new UsageException("--copy-from copies into PostgreSQL: set storage.url in --config");
            }
            if (!Files.isRegularFile(copyFrom.resolve("inboxguard.mv.db"))) {
                throw new UsageException("--copy-from " + copyFrom + ": no embedded store there (inboxguard.mv.db)");
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Database db = Database.open(migrating, data)) {
            out.println("inboxguard: " + db.description() + ": " + (db.migrationsApplied() == 0
                    ? "the schema is up to date" : db.migrationsApplied() + " migrations applied"));
            if (copyFrom != null) {
                // opened as the server opens an embedded store by default (the configuration here names PostgreSQL);
                // a file written either way reads either way
                try (Database source = Database.embedded(copyFrom, true)) {
                    Map<String, Long> rows = db.copyFrom(source);
                    out.println("inboxguard: copied " + source.description() + " into " + db.description() + ": "
                            + rows.entrySet().stream().map(e -> e.getValue() + " " + e.getKey())
                            .collect(java.util.stream.Collectors.joining(", ")));
                }
            }
            out.flush();
        }
        return 0;
    }
}
