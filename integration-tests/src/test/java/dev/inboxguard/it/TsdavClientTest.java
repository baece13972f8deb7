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
 * A real third-party client against the real server: tsdav (npm, the version pinned in
 * {@code src/test/tsdav/package-lock.json}) logs in with Basic auth from the bare server URL, makes a calendar,
 * writes a weekly event with one moved instance and a single event, asks for a time range with and without
 * expansion, asks for free-busy time, and syncs an add, a change and a delete with sync-collection. The script is
 * {@code src/test/tsdav/flow.mjs}; it uses tsdav's public API only and prints every HTTP exchange (TSDAV_TRACE=1),
 * which this test shows when a step fails.
 *
 * <p>Needs node and npm; {@code npm ci} runs here when {@code node_modules} is missing, and {@code .ci/run} runs it
 * before the build. Without node the test is skipped, and under CI it fails.
 */
class TsdavClientTest {
    private static final Path DIR = Path.of("src/test/tsdav").toAbsolutePath();

    /** Each step of flow.mjs, with what it checks. */
    private static final Map<String, String> STEPS = new LinkedHashMap<>();

    static {
        STEPS.put("login", "RFC 6764 §6 / RFC 5397 §3 / RFC 4791 §6.2.1 discovery of principal and calendar home");
        STEPS.put("makeCalendar", "RFC 4791 §5.3.1 MKCALENDAR");
        STEPS.put("fetchCalendars", "RFC 4791 §5.2 calendar collection properties (PROPFIND Depth 1 on the home)");
        STEPS.put("createCalendarObject", "RFC 4791 §5.3.2 PUT with If-None-Match");
        STEPS.put("timeRange", "RFC 4791 §7.8/§9.9 calendar-query time-range and §7.9 calendar-multiget");
        STEPS.put("expand", "RFC 4791 §7.8/§9.6.5 calendar-query with calendar-data expand");
        STEPS.put("freeBusyQuery", "RFC 4791 §7.10 free-busy-query");
        STEPS.put("sync: initial", "RFC 6578 §3.2 sync-collection from the listing's sync-token");
        STEPS.put("sync: add", "RFC 6578 §3.5.1 sync-collection reports a new member");
        STEPS.put("sync: change", "RFC 6578 §3.5.1 sync-collection reports a changed member");
        STEPS.put("sync: delete", "RFC 6578 §3.5.2 sync-collection reports a removed member as 404");
        STEPS.put("syncCalendars", "RFC 6578 §4 DAV:sync-token on the calendar changes with its members");
        STEPS.put("delete calendar", "RFC 4918 §9.6.1 DELETE of a collection");
    }

    @TempDir
    Path data;

    @Test
    void tsdavDoesTheWholeRound() throws Exception {
        ClientRun.require(ClientRun.answers("node", "--version") && ClientRun.answers("npm", "--version"),
                "node and npm");
        if (!Files.isDirectory(DIR.resolve("node_modules/tsdav"))) {
            ClientRun ci = ClientRun.run(DIR, Map.of(), data.resolve("npm-ci.log"), Duration.ofMinutes(5),
                    "npm", "ci", "--no-audit", "--no-fund");
            if (!ci.finished() || ci.exit() != 0) {
                System.out.println(ci.output());
            }
            ClientRun.require(ci.finished() && ci.exit() == 0, "tsdav (npm ci in " + DIR + ")");
        }
        try (Database store = TestPostgres.open(data);
             CaldavServer server = new CaldavServer(new InetSocketAddress("127.0.0.1", 0),
                     Accounts.demo(Clock.systemUTC()), ConfigFile.defaults(), store,
                new RecordingOutbound(), Clock.systemUTC()).start()) {
            ClientRun run = ClientRun.run(DIR, Map.of("TSDAV_TRACE", "1"), data.resolve("tsdav.log"),
                    Duration.ofMinutes(3), "node", "flow.mjs", "http://127.0.0.1:" + server.port() + "/", "dave",
                    "dave");
            run.assertSteps("tsdav", STEPS);
            assertTrue(run.output().lines().anyMatch("OK"::equals), run.output());
            // the flow removed its calendar through the server
            // only the default calendar and task list, made on dave's first request (RFC 6638 §9.2), remain
            assertEquals(List.of("calendar", "tasks"), store.calendars().calendars("dave").stream()
                    .map(dev.inboxguard.storage.StoredCalendar::name).toList(), "RFC 4918 §9.6.1 the client's calendar is gone");
        }
    }

    @Test
    void theLockFilePinsTsdav() throws Exception {
        assertTrue(Files.isDirectory(DIR), "no " + DIR);
        String pkg = Files.readString(DIR.resolve("package.json"));
        String lock = Files.readString(DIR.resolve("package-lock.json"));
        // an exact version, no range: the client the test ran against is the one CI installs
        assertTrue(pkg.matches("(?s).*\"tsdav\"\\s*:\\s*\"\\d+\\.\\d+\\.\\d+\".*"), pkg);
        assertTrue(lock.contains("\"node_modules/tsdav\""), "package-lock.json lists tsdav");
    }
}
