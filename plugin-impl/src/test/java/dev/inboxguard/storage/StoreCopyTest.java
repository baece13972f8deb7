package dev.inboxguard.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code migrate --copy-from} copies every table that holds something a user or a sender was promised. */
class StoreCopyTest {
    /** Refilled or remade on their own: rate buckets, sign-ins, and the embedded store's own checkpoints. */
    private static final Set<String> LEFT_BEHIND = Set.of("rate_buckets", "web_sessions", "store_checkpoints",
            "flyway_schema_history");

    @Test
    void everyTableOfTheSchemaIsCopiedOrLeftBehindOnPurpose(@TempDir Path dir) throws Exception {
        Set<String> schema = new TreeSet<>();
        try (Database db = Database.embedded(dir, false); Connection c = db.dataSource().getConnection();
             ResultSet r = c.getMetaData().getTables(null, "PUBLIC", "%", new String[] {"TABLE"})) {
            while (r.next()) {
                schema.add(r.getString("TABLE_NAME").toLowerCase(java.util.Locale.ROOT));
            }
        }
        schema.removeAll(LEFT_BEHIND);
        assertEquals(schema, new TreeSet<>(StoreCopy.TABLES), "a table added by a migration is copied, or named here");
    }
}
