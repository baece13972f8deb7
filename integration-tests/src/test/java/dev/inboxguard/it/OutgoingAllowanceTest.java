package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.scheduling.RecordingOutbound;
import dev.inboxguard.server.CaldavServer;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a local user sends past the guard's judgement at the time (mail to remote addresses; with the directory
 * hidden, every message, queued) counts against an allowance of the size of {@code rates.local.perSender}, one for
 * CANCELs, one for REPLYs and one for the rest. Here each is 2 at once and 1 an hour, through a running server, on
 * H2 (buckets in memory) and on PostgreSQL (buckets as rows the nodes share).
 */
class OutgoingAllowanceTest {
    private static GuardConfig withAllowanceOfTwo(GuardConfig config) {
        GuardConfig.Rates r = config.rates();
        return config.withRates(new GuardConfig.Rates(r.perSender(), r.perSenderDomain(), r.perRecipient(),
                r.perPair(), new GuardConfig.Local(new GuardConfig.Rate(2, 1), r.local().perPair())));
    }

    /** H2's side of a queue that fails: every message offered to it is refused, as by a full disk. */
    public static final class RefuseQueueing implements org.h2.api.Trigger {
        @Override
        public void fire(java.sql.Connection c, Object[] oldRow, Object[] newRow) throws java.sql.SQLException {
            throw new java.sql.SQLException("the test refuses to queue");
        }
    }

    private static void refuseQueueing(Database store) {
        if (TestPostgres.selected()) {
            TestPostgres.execute(store, "CREATE FUNCTION refuse_queueing() RETURNS trigger AS $$ BEGIN "
                    + "RAISE EXCEPTION 'the test refuses to queue'; END $$ LANGUAGE plpgsql");
            TestPostgres.execute(store, "CREATE TRIGGER refuse_queueing BEFORE INSERT ON pending_deliveries FOR EACH "
                    + "ROW EXECUTE FUNCTION refuse_queueing()");
        } else {
            TestPostgres.execute(store, "CREATE TRIGGER refuse_queueing BEFORE INSERT ON pending_deliveries FOR EACH "
                    + "ROW CALL '" + RefuseQueueing.class.getName() + "'");
        }
    }

    /** Waits up to 60 s for bob's queued message to be delivered, mail to be handed on and the queue to be empty. */
    private static void bobsAndTheMailsDelivered(Database store, RecordingOutbound mail) throws InterruptedException {
        long end = System.nanoTime() + 60_000_000_000L;
        // the queue's row goes in the same transaction as the hand-over, which the recording outbound sees first
        while ((store.scheduling().inbox("bob").isEmpty() || mail.sent().isEmpty()
                || store.scheduling().pendingDeliveries().count() != 0) && System.nanoTime() < end) {
            Thread.sleep(50);
        }
    }

    private static String invitation(String uid, String... remote) {
        StringBuilder extra = new StringBuilder();
        for (String who : remote) {
            extra.append("ATTENDEE;RSVP=TRUE:mailto:").append(who).append("@elsewhere.example\r\n");
        }
        return SchedulingTest.event(uid, "alice", null, "bob").replace("END:VEVENT", extra + "END:VEVENT");
    }

    private static String status(String copy, String who) {
        String line = SchedulingTest.line(copy, "ATTENDEE", who);
        int at = line.indexOf("SCHEDULE-STATUS=");
        return at < 0 ? "none: " + line : line.substring(at + 16, at + 19);
    }

    @Test
    void mailToRemoteAddressesStopsAtTheAllowanceWhileLocalDeliveriesAreJudgedByTheGuard(@TempDir Path data)
            throws Exception {
        RecordingOutbound mail = new RecordingOutbound();
        try (Database store = TestPostgres.open(data);
             CaldavServer server = new CaldavServer(new InetSocketAddress("127.0.0.1", 0), SchedulingTest.accounts(),
                     withAllowanceOfTwo(ConfigFile.defaults()), store, mail, Clock.systemUTC()).start()) {
            DavClient dav = new DavClient(server.port());
            assertEquals(201, dav.send("alice", "MKCALENDAR", "/dav/calendars/alice/work/", null, null).statusCode());
            assertEquals(201, dav.put("alice", "/dav/calendars/alice/work/a.ics",
                    invitation("allowance-1@example.com", "xavier", "yolanda", "zoe")).statusCode());
            String copy = dav.get("alice", "/dav/calendars/alice/work/a.ics");
            assertEquals(Map.of("bob@", "1.2", "xavier@", "1.1", "yolanda@", "1.1", "zoe@", "5.1"),
                    Map.of("bob@", status(copy, "bob@"), "xavier@", status(copy, "xavier@"), "yolanda@",
                            status(copy, "yolanda@"), "zoe@", status(copy, "zoe@")), copy);
            assertEquals(List.of("xavier", "yolanda"), mail.sent().stream().map(m -> m.to().uri()
                    .replaceAll("mailto:|@.*", "")).toList(), "the third address is not mailed");
            // a local colleague counts against the guard's own bucket, not this one: bob is still delivered
            assertEquals(201, dav.put("alice", "/dav/calendars/alice/work/b.ics",
                    invitation("allowance-2@example.com", "xavier")).statusCode());
            String second = dav.get("alice", "/dav/calendars/alice/work/b.ics");
            assertEquals("1.2", status(second, "bob@"), second);
            assertEquals("5.1", status(second, "xavier@"), second);
            assertEquals(2, mail.sent().size());
            assertEquals(2, store.scheduling().inbox("bob").size());
            // the invitations used up their bucket, not the organizer's CANCELs': the meeting can still be called off
            assertEquals(204, dav.send("alice", "DELETE", "/dav/calendars/alice/work/a.ics", null, null)
                    .statusCode());
            assertEquals(List.of("REQUEST xavier", "REQUEST yolanda", "CANCEL xavier", "CANCEL yolanda"),
                    mail.sent().stream().map(m -> m.method() + " " + m.to().uri().replaceAll("mailto:|@.*", ""))
                            .toList(), "two CANCELs, the third over their own allowance");
        }
    }

    @Test
    void withTheDirectoryHiddenEveryRecipientCountsAlikeAndNothingPastTheAllowanceIsQueued(@TempDir Path data)
            throws Exception {
        GuardConfig hidden = withAllowanceOfTwo(ConfigFile.defaults()
                .withCaldav(new GuardConfig.Caldav(null, null, null, "hidden")));
        RecordingOutbound mail = new RecordingOutbound();
        try (Database store = TestPostgres.open(data);
             CaldavServer server = new CaldavServer(new InetSocketAddress("127.0.0.1", 0), SchedulingTest.accounts(),
                     hidden, store, mail, Clock.systemUTC()).start()) {
            DavClient dav = new DavClient(server.port());
            assertEquals(201, dav.send("alice", "MKCALENDAR", "/dav/calendars/alice/work/", null, null).statusCode());
            // bob (local), then dan and erin (remote): the first two are queued, the third is not, whoever they are
            assertEquals(201, dav.put("alice", "/dav/calendars/alice/work/h.ics",
                    invitation("allowance-3@example.com", "dan", "erin")).statusCode());
            String copy = dav.get("alice", "/dav/calendars/alice/work/h.ics");
            assertEquals(List.of("1.1", "1.1", "5.1"), List.of(status(copy, "bob@"), status(copy, "dan@"),
                    status(copy, "erin@")), copy);
            bobsAndTheMailsDelivered(store, mail);
            assertEquals(1, store.scheduling().inbox("bob").size(), "bob's queued message delivered");
            assertEquals(List.of("mailto:dan@elsewhere.example"), mail.sent().stream().map(m -> m.to().uri())
                    .toList());
            assertEquals(0, store.scheduling().pendingDeliveries().count(), "erin's was never queued");
            // the local one over the allowance is turned away the same way: nothing more is queued
            assertEquals(201, dav.put("alice", "/dav/calendars/alice/work/i.ics",
                    invitation("allowance-4@example.com")).statusCode());
            String next = dav.get("alice", "/dav/calendars/alice/work/i.ics");
            assertEquals("5.1", status(next, "bob@"), next);
            assertTrue(store.scheduling().pendingDeliveries().count() == 0, "nothing queued");
        }
    }

    @Test
    void withTheDirectoryHiddenAMessageTheQueueFailedToTakeDoesNotUseUpTheAllowance(@TempDir Path data)
            throws Exception {
        GuardConfig hidden = withAllowanceOfTwo(ConfigFile.defaults()
                .withCaldav(new GuardConfig.Caldav(null, null, null, "hidden")));
        RecordingOutbound mail = new RecordingOutbound();
        try (Database store = TestPostgres.open(data);
             CaldavServer server = new CaldavServer(new InetSocketAddress("127.0.0.1", 0), SchedulingTest.accounts(),
                     hidden, store, mail, Clock.systemUTC()).start()) {
            DavClient dav = new DavClient(server.port());
            assertEquals(201, dav.send("alice", "MKCALENDAR", "/dav/calendars/alice/work/", null, null).statusCode());
            refuseQueueing(store);
            assertEquals(201, dav.put("alice", "/dav/calendars/alice/work/f.ics",
                    invitation("allowance-5@example.com", "dan")).statusCode());
            String failed = dav.get("alice", "/dav/calendars/alice/work/f.ics");
            assertEquals(List.of("5.1", "5.1"), List.of(status(failed, "bob@"), status(failed, "dan@")), failed);
            TestPostgres.execute(store, "DROP TRIGGER refuse_queueing" + (TestPostgres.selected()
                    ? " ON pending_deliveries" : ""));
            // the allowance of two is whole again: both are queued now
            assertEquals(201, dav.put("alice", "/dav/calendars/alice/work/g.ics",
                    invitation("allowance-6@example.com", "dan")).statusCode());
            String queued = dav.get("alice", "/dav/calendars/alice/work/g.ics");
            assertEquals(List.of("1.1", "1.1"), List.of(status(queued, "bob@"), status(queued, "dan@")), queued);
            bobsAndTheMailsDelivered(store, mail);
            assertEquals(1, store.scheduling().inbox("bob").size(), "bob's delivered");
            assertEquals(List.of("mailto:dan@elsewhere.example"), mail.sent().stream().map(m -> m.to().uri())
                    .toList(), "dan's mailed; the failed ones never went");
        }
    }
}
