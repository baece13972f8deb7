package dev.inboxguard.storage;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract on the embedded H2 database, and its durability when the process is killed. */
class EmbeddedStoreTest extends StoreContract {
    @TempDir
    Path dir;

    @Override
    Database node() {
        return Database.embedded(dir);
    }

    @Test
    void everyAcknowledgedWriteSurvivesKillDashNine() throws Exception {
        Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CrashWriter.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        int acknowledged = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("ack ")) {
                    acknowledged = Integer.parseInt(line.substring(4));
                    if (acknowledged >= 200) {
                        writer.destroyForcibly(); // SIGKILL: no shutdown hooks, no H2 close
                        break;
                    }
                }
            }
        }
        assertTrue(writer.waitFor(30, TimeUnit.SECONDS));
        assertTrue(acknowledged >= 200, "the writer acknowledged " + acknowledged);
        try (Database db = Database.embedded(dir)) {
            CalendarStore store = db.calendars();
            for (int i = 0; i <= acknowledged; i++) {
                assertTrue(store.object("alice", "work", i + ".ics").isPresent(), "acknowledged write " + i
                        + " was lost");
            }
        }
    }
}
