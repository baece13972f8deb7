package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.server.InboxGuardServer;
import dev.inboxguard.storage.Database;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The database goes away under a running node (a PostgreSQL of its own, stopped mid-test): the node must say so
 * plainly (health 503, CalDAV 503 with Retry-After, LMTP 451) and acknowledge nothing it could not keep.
 */
class DatabaseOutageTest {
    @TempDir
    Path data;

    /** H2's side of a store that fails part-way through a listing: every read of collection properties fails. */
    public static final class RefuseReads implements org.h2.api.Trigger {
        @Override
        public void fire(java.sql.Connection c, Object[] oldRow, Object[] newRow) throws java.sql.SQLException {
            throw new java.sql.SQLException("the test refuses to read collection properties");
        }
    }

    @Test
    void aListingWhoseStoreFailsPartWayIsAnErrorNotAShortAnswer() throws Exception {
        // a PROPFIND's answer is streamed: the home's own response is written before its calendars' properties are
        // read, and the read fails. With nothing sent yet, the client must get an error status, not a 207 that holds
        // the home alone
        // the trigger is H2's (PostgreSQL has none on SELECT); this class is not in the PostgreSQL run
        org.junit.jupiter.api.Assumptions.assumeFalse(dev.inboxguard.storage.TestPostgres.selected());
        try (Database store = dev.inboxguard.storage.TestPostgres.open(data);
             InboxGuardServer node = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0),
                     ConfigFile.defaults(), SchedulingTest.accounts(), store, Clock.systemUTC())) {
            DavClient dav = new DavClient(node.httpPort());
            String listing = "<D:propfind xmlns:D=\"DAV:\"><D:prop><D:displayname/><D:resourcetype/></D:prop>"
                    + "</D:propfind>";
            HttpResponse<String> whole = dav.send("bob", "PROPFIND", "/dav/calendars/bob/", listing,
                    "application/xml", java.util.Map.of("Depth", "1"));
            assertEquals(207, whole.statusCode(), whole.body());
            dev.inboxguard.storage.TestPostgres.execute(store, "CREATE TRIGGER refuse_reads BEFORE SELECT ON "
                    + "collection_properties CALL '" + RefuseReads.class.getName() + "'");
            HttpResponse<String> failed = dav.send("bob", "PROPFIND", "/dav/calendars/bob/", listing,
                    "application/xml", java.util.Map.of("Depth", "1"));
            assertEquals(500, failed.statusCode(), failed.body());
            assertFalse(failed.body().contains("multistatus"), failed.body());
            assertFalse(failed.body().contains("refuses"), "no internal text: " + failed.body());
        }
    }

    @Test
    void aNodeWhoseDatabaseIsGoneAcknowledgesNothing() throws Exception {
        EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
        GuardConfig config = ConfigFile.defaults().withMail(ConfigFile.defaults().mail().withLmtpPort(0));
        GuardConfig.Storage storage = new GuardConfig.Storage("jdbc:postgresql://localhost:" + pg.getPort()
                + "/postgres", "postgres", "", "", 4, "auto");
        HttpClient http = HttpClient.newHttpClient();
        try (Database db = Database.open(storage, data);
             InboxGuardServer node = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0), config,
                     SchedulingTest.accounts(), db, Clock.systemUTC())) {
            DavClient dav = new DavClient(node.httpPort());
            URI health = URI.create("http://127.0.0.1:" + node.httpPort() + "/health");
            assertEquals(200, http.send(HttpRequest.newBuilder(health).build(), BodyHandlers.ofString()).statusCode());
            assertEquals(201, dav.send("bob", "MKCALENDAR", "/dav/calendars/bob/work/", null, null).statusCode());

            pg.close();

            HttpResponse<String> down = http.send(HttpRequest.newBuilder(health).build(), BodyHandlers.ofString());
            assertEquals(503, down.statusCode(), down.body());
            HttpResponse<String> put = dav.put("bob", "/dav/calendars/bob/work/lost.ics",
                    ImipGatewayTest.event("lost@example.com", "Lost", "carol@example.com"));
            assertEquals(503, put.statusCode(), put.body());
            assertTrue(put.headers().firstValue("Retry-After").isPresent());
            assertFalse(put.body().contains("at dev.inboxguard"), "no stack trace: " + put.body());
            List<String> mail = MailDialogue.deliver(node.lmtpPort().orElseThrow(), true, "olga@example.net",
                    List.of("bob@example.com"), ImipGatewayTest.email("olga@example.net", "bob@example.com",
                            "REQUEST", "down@example.net", ImipGatewayTest.event("down@example.net", "Down")));
            assertTrue(mail.get(0).startsWith("451 "), "the MTA keeps the message: " + mail);
        }
    }
}
