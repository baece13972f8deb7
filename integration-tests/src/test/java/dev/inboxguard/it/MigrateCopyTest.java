package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.server.InboxGuardServer;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code inboxguard migrate --copy-from DIR}, run as the built jar: an embedded store with calendars, a scheduled
 * event, a deletion and the audit trail moves into an empty PostgreSQL database, and a server on PostgreSQL then
 * answers with the same ETags and sync tokens, so clients carry on without a full resync. A second copy into the
 * now non-empty database is refused and changes nothing.
 */
class MigrateCopyTest {
    private static final Path JAR = Path.of(System.getProperty("inboxguard.jar",
            "../plugin-impl/target/inboxguard.jar"));
    private static final String PROPS = "<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\"><D:prop><D:getetag/>"
            + "<D:sync-token/></D:prop></D:propfind>";

    @TempDir
    Path dir;

    @Test
    void anEmbeddedStoreMovesIntoPostgresqlAndClientsSeeNoDifference() throws Exception {
        Path embedded = dir.resolve("embedded");
        // the embedded store as written before pages were compressed by default (storage.compress: false); the copy
        // opens it as it opens any other
        GuardConfig plain = ConfigFile.load(write("plain.yaml",
                "mail: {lmtp: {port: -1}}\nstorage: {compress: false}\n"));
        String before;
        String bobsCopy;
        int auditRows;
        try (Database h2 = Database.open(plain.storage(), embedded);
             InboxGuardServer server = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0), plain,
                     SchedulingTest.accounts(), h2, Clock.systemUTC())) {
            DavClient dav = new DavClient(server.httpPort());
            assertEquals(201, dav.put("alice", "/dav/calendars/alice/calendar/sync.ics",
                    SchedulingTest.event("sync-1", "alice", "FREQ=WEEKLY;COUNT=10", "bob")).statusCode());
            assertEquals(201, dav.put("alice", "/dav/calendars/alice/calendar/gone.ics",
                    SchedulingTest.event("gone-1", "alice", null)).statusCode());
            assertEquals(204, dav.send("alice", "DELETE", "/dav/calendars/alice/calendar/gone.ics", null, null)
                    .statusCode());
            before = propfind(dav);
            assertTrue(before.contains("sync-token>") && before.contains("getetag>\""), before);
            bobsCopy = dav.get("bob", "/dav/calendars/bob/calendar/" + onlyObject(dav, "bob"));
            auditRows = dav.api("bob", "/guard/api/audit").get("audit").size();
            assertTrue(auditRows > 0);
        }

        GuardConfig.Storage pg = TestPostgres.freshDatabase();
        Path config = write("pg.yaml", "storage:\n  url: \"" + pg.url() + "\"\n  user: " + pg.user() + "\n"
                + "mail: {lmtp: {port: -1}}\n");
        Run copy = run("migrate", "--config", config.toString(), "--copy-from", embedded.toString());
        assertEquals(0, copy.status(), copy.output());
        assertTrue(copy.output().contains("inboxguard: copied the embedded database "), copy.output());
        assertTrue(copy.output().matches("(?s).*: [4-9] calendars, [1-9] objects, .*[1-9][0-9]* audit.*"),
                copy.output());

        try (Database onPg = Database.open(pg, dir.resolve("unused"));
             InboxGuardServer server = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0),
                     ConfigFile.load(config), SchedulingTest.accounts(), onPg, Clock.systemUTC())) {
            DavClient dav = new DavClient(server.httpPort());
            assertEquals(before, propfind(dav));
            assertEquals(bobsCopy, dav.get("bob", "/dav/calendars/bob/calendar/" + onlyObject(dav, "bob")));
            assertEquals(auditRows, dav.api("bob", "/guard/api/audit").get("audit").size());
            // the server carries on: a new change gets a new ETag and a new audit row after the copied ones
            assertEquals(204, dav.put("alice", "/dav/calendars/alice/calendar/sync.ics",
                    SchedulingTest.event("sync-1", "alice", "FREQ=WEEKLY;COUNT=12", "bob")).statusCode());
            assertTrue(dav.api("bob", "/guard/api/audit").get("audit").size() > auditRows);
            assertTrue(!propfind(dav).equals(before));
        }
        Path again = Files.createDirectories(dir.resolve("unused-data"));
        Run twice = run("migrate", "--config", config.toString(), "--data", again.toString(), "--copy-from",
                embedded.toString());
        assertEquals(1, twice.status(), twice.output());
        assertTrue(twice.output().contains("the target database is not empty"), twice.output());

        Run nothing = run("migrate", "--config", config.toString(), "--copy-from", dir.resolve("absent").toString());
        assertEquals(2, nothing.status(), nothing.output());
        assertTrue(nothing.output().contains("no embedded store there"), nothing.output());
    }

    private Path write(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    private static String propfind(DavClient dav) throws Exception {
        var r = dav.send("alice", "PROPFIND", "/dav/calendars/alice/calendar/", PROPS, "application/xml",
                Map.of("Depth", "1"));
        assertEquals(207, r.statusCode(), r.body());
        return r.body();
    }

    private static String onlyObject(DavClient dav, String user) throws Exception {
        var r = dav.send(user, "PROPFIND", "/dav/calendars/" + user + "/calendar/", PROPS, "application/xml",
                Map.of("Depth", "1"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("/calendar/([^/<]+\\.ics)<").matcher(r.body());
        assertTrue(m.find(), r.body());
        return m.group(1);
    }

    private record Run(int status, String output) {
    }

    private Run run(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out);
    }
}
