package dev.inboxguard.cli;

import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.storage.Database;
import java.io.PrintWriter;
import java.nio.file.Path;
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
                + "from storage.url) and exits. On PostgreSQL it is safe while nodes run: migrations only add, and "
                + "take a lock. The embedded database must not be in use by serve."})
final class MigrateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "the configuration (YAML)")
    Path config;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "inboxguard-data",
            description = "where the embedded store keeps its file (default: ${DEFAULT-VALUE})")
    Path data;

    @Override
    public Integer call() {
        GuardConfig cfg = ConfigSource.read(config);
        GuardConfig.Storage s = cfg.storage();
        GuardConfig.Storage migrating = new GuardConfig.Storage(s.url(), s.user(), s.password(), s.passwordFile(),
                s.maxConnections(), "auto");
        try (Database db = Database.open(migrating, data)) {
            PrintWriter out = spec.commandLine().getOut();
            out.println("inboxguard: " + db.description() + ": " + (db.migrationsApplied() == 0
                    ? "the schema is up to date" : db.migrationsApplied() + " migrations applied"));
            out.flush();
        }
        return 0;
    }
}
