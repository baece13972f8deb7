package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.scheduling.RecordingOutbound;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.server.CaldavServer;
import dev.inboxguard.storage.CalendarStore;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real third-party client against the real server: python-caldav (Debian's python3-caldav) discovers the
 * principal from the bare server URL, makes a calendar, creates, updates, finds by time range, syncs and deletes.
 * Runs whenever the package is installed; {@code .ci/run} installs it first.
 */
class PythonCaldavClientTest {
    private static final String PYTHON = "/usr/bin/python3";

    @TempDir
    Path data;

    private static boolean clientInstalled() {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            return false;
        }
        try {
            Process p = new ProcessBuilder(PYTHON, "-c", "import caldav").redirectErrorStream(true).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void pythonCaldavDoesTheWholeRound() throws Exception {
        ClientRun.require(clientInstalled(), "python3-caldav");
        try (Database store = TestPostgres.open(data);
             CaldavServer server = new CaldavServer(new InetSocketAddress("127.0.0.1", 0),
                     Accounts.demo(Clock.systemUTC()), ConfigFile.defaults(), store,
                new RecordingOutbound(), Clock.systemUTC()).start()) {
            Process client = new ProcessBuilder(PYTHON, Path.of("src/test/python/caldav_client.py").toString(),
                    "http://127.0.0.1:" + server.port() + "/", "dave", "dave").redirectErrorStream(true).start();
            assertTrue(client.waitFor(120, TimeUnit.SECONDS), "the client did not finish");
            String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            System.out.print(out);
            assertEquals(0, client.exitValue(), out);
            assertTrue(out.strip().endsWith("OK"), out);
            // it cleaned up after itself through the server
            // only the default calendar and task list, made on dave's first request (RFC 6638 §9.2), remain
            assertEquals(List.of("calendar", "tasks"), store.calendars().calendars("dave").stream()
                    .map(dev.inboxguard.storage.StoredCalendar::name).toList(), "RFC 4918 §9.6.1 the client's calendar is gone");
        }
    }
}
