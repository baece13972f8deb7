package dev.inboxguard.storage;

import dev.inboxguard.config.GuardConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on a real PostgreSQL server, a new database for every test. */
class PostgresStoreTest extends StoreContract {
    @TempDir
    Path dir;

    private GuardConfig.Storage database;

    @BeforeEach
    void freshDatabase() {
        database = TestPostgres.freshDatabase();
    }

    @Override
    Database node() {
        return Database.open(database, dir);
    }
}
