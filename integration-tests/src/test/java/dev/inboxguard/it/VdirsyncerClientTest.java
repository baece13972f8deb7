package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.scheduling.RecordingOutbound;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.server.CaldavServer;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real third-party sync client against the real server: Debian's vdirsyncer discovers the calendar home from the
 * bare server URL, creates a calendar of its own there (answering its "create it?" question on stdin), and keeps a
 * directory of .ics files and that calendar in step both ways: adds, changes and deletes on either side, the
 * server's made by plain HTTP. The script is {@code src/test/vdirsyncer/flow.py}; it runs vdirsyncer with
 * {@code -vdebug}, its own config and status directory, and prints the last run's log when a step fails.
 * {@code .ci/run} installs vdirsyncer; without it the test is skipped, and under CI it fails.
 */
class VdirsyncerClientTest {
    private static final String PYTHON = "/usr/bin/python3";
    private static final Path FLOW = Path.of("src/test/vdirsyncer/flow.py").toAbsolutePath();

    /** Each step of flow.py, with what it checks. */
    private static final Map<String, String> STEPS = new LinkedHashMap<>();

    static {
        STEPS.put("discover", "RFC 5689 §3 extended MKCOL makes a calendar (resourcetype calendar) in the home");
        STEPS.put("sync: first", "RFC 4918 §9.1 PROPFIND Depth 1 lists an empty new calendar");
        STEPS.put("sync: local add", "RFC 4791 §5.3.2 PUT with If-None-Match of a new object");
        STEPS.put("sync: server add", "RFC 4918 §9.1 getetag listing and RFC 4791 §7.9 calendar-multiget");
        STEPS.put("sync: local change", "RFC 4791 §5.3.2 PUT with If-Match replaces an object");
        STEPS.put("sync: server change", "RFC 4791 §7.9 calendar-multiget after a getetag change");
        STEPS.put("sync: local delete", "RFC 4918 §9.6 DELETE with If-Match");
        STEPS.put("sync: server delete", "RFC 4918 §9.1 a removed member leaves the PROPFIND listing");
        STEPS.put("cleanup", "RFC 4918 §9.6.1 DELETE of a collection");
    }

    @TempDir
    Path data;

    @Test
    void vdirsyncerCreatesItsCalendarAndSyncsBothWays() throws Exception {
        ClientRun.require(Files.isExecutable(Path.of(PYTHON)) && ClientRun.answers("vdirsyncer", "--version"),
                "vdirsyncer");
        Path work = Files.createDirectories(data.resolve("vdirsyncer"));
        try (Database store = TestPostgres.open(data);
             CaldavServer server = new CaldavServer(new InetSocketAddress("127.0.0.1", 0),
                     Accounts.demo(Clock.systemUTC()), ConfigFile.defaults(), store,
                new RecordingOutbound(), Clock.systemUTC()).start()) {
            ClientRun run = ClientRun.run(work, Map.of(), data.resolve("flow.log"), Duration.ofMinutes(5),
                    PYTHON, FLOW.toString(), "http://127.0.0.1:" + server.port() + "/", "dave", "dave",
                    work.toString());
            run.assertSteps("vdirsyncer", STEPS);
            assertTrue(run.output().lines().anyMatch("OK"::equals), run.output());
            // the calendar vdirsyncer made is gone again, by the flow's DELETE
            // only the default calendar and task list, made on dave's first request (RFC 6638 §9.2), remain
            assertEquals(List.of("calendar", "tasks"), store.calendars().calendars("dave").stream()
                    .map(dev.inboxguard.storage.StoredCalendar::name).toList(), "RFC 4918 §9.6.1 the client's calendar is gone");
        }
    }
}
