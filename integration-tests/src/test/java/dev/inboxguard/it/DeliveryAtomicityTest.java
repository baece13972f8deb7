package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.scheduling.RecordingOutbound;
import dev.inboxguard.server.CaldavServer;
import dev.inboxguard.storage.AuditEntry;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One local delivery is one transaction: its inbox item, the recipient's calendar copy and its audit line commit
 * together or not at all, and for mail the receipt that answers the MTA's retries too. A database trigger refuses
 * carol's audit line or the receipt's answer, as a full disk or a broken constraint would, on H2 and on PostgreSQL.
 */
class DeliveryAtomicityTest {
    private static final String UID = "atomic-1@example.com";

    /** H2's side of the trigger: refuses the audit line of a delivery to carol. */
    public static final class RefuseCarolsAuditLine implements org.h2.api.Trigger {
        private int recipientUser = -1;

        @Override
        public void init(Connection c, String schema, String trigger, String table, boolean before, int type)
                throws SQLException {
            try (var columns = c.getMetaData().getColumns(null, schema, table, "RECIPIENT_USER")) {
                columns.next();
                recipientUser = columns.getInt("ORDINAL_POSITION") - 1;
            }
        }

        @Override
        public void fire(Connection c, Object[] oldRow, Object[] newRow) throws SQLException {
            if ("carol".equals(newRow[recipientUser])) {
                throw new SQLException("the test refuses carol's audit line");
            }
        }
    }

    private static void refuseCarolsAuditLine(Database store) {
        failCarolsAuditLine(store, RefuseCarolsAuditLine.class, "");
    }

    /**
     * @param h2Trigger H2's trigger class
     * @param errcode   on PostgreSQL, the failure's SQLSTATE clause, or empty for plpgsql's own
     */
    private static void failCarolsAuditLine(Database store, Class<? extends org.h2.api.Trigger> h2Trigger,
                                            String errcode) {
        if (TestPostgres.selected()) {
            TestPostgres.execute(store, "CREATE FUNCTION refuse_carol() RETURNS trigger AS $$ BEGIN "
                    + "IF NEW.recipient_user = 'carol' THEN RAISE EXCEPTION 'the test fails carol''s audit line'"
                    + errcode + "; END IF; RETURN NEW; END $$ LANGUAGE plpgsql");
            TestPostgres.execute(store, "CREATE TRIGGER refuse_carol BEFORE INSERT ON audit FOR EACH ROW "
                    + "EXECUTE FUNCTION refuse_carol()");
        } else {
            TestPostgres.execute(store, "CREATE TRIGGER refuse_carol BEFORE INSERT ON audit FOR EACH ROW CALL '"
                    + h2Trigger.getName() + "'");
        }
    }

    /**
     * H2's side of a database that picks carol's deliveries as the victims of a conflict: a failure of its own,
     * which may pass when tried again (SQLSTATE 40001).
     */
    public static final class ConflictOnCarolsAuditLine implements org.h2.api.Trigger {
        private final RefuseCarolsAuditLine carol = new RefuseCarolsAuditLine();

        @Override
        public void init(Connection c, String schema, String trigger, String table, boolean before, int type)
                throws SQLException {
            carol.init(c, schema, trigger, table, before, type);
        }

        @Override
        public void fire(Connection c, Object[] oldRow, Object[] newRow) throws SQLException {
            try {
                carol.fire(c, oldRow, newRow);
            } catch (SQLException refused) {
                throw new SQLException("the test picks carol's delivery as a conflict's victim", "40001");
            }
        }
    }

    private static void conflictOnCarolsAuditLine(Database store) {
        failCarolsAuditLine(store, ConflictOnCarolsAuditLine.class, " USING ERRCODE = '40001'");
    }

    private static void acceptCarolsAuditLine(Database store) {
        TestPostgres.execute(store, "DROP TRIGGER refuse_carol" + (TestPostgres.selected() ? " ON audit" : ""));
    }

    /** H2's side of a receipt that cannot be kept: refuses every answer written into a mail receipt. */
    public static final class RefuseReceiptAnswers implements org.h2.api.Trigger {
        @Override
        public void fire(Connection c, Object[] oldRow, Object[] newRow) throws SQLException {
            throw new SQLException("the test refuses the receipt's answer");
        }
    }

    @Test
    void aMessageWhoseReceiptCannotBeKeptIsNotDeliveredAndItsRetryIsDeliveredOnce(@TempDir Path data)
            throws Exception {
        // the receipt's answer and the delivery commit together (issue 17): when the answer cannot be written, the
        // delivery goes back with it and the MTA is told to try again; had the delivery stayed, the retry would
        // find no answer and deliver a second time
        Path yaml = java.nio.file.Files.writeString(data.resolve("guard.yaml"), """
                imip: {trustedAuthservIds: [mx.example.com]}
                senders: {allow: ["@example.net"]}
                mail: {lmtp: {bind: 127.0.0.1, port: 0}}
                """);
        String ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
                + "UID:" + UID + "\r\nDTSTAMP:20261121T090000Z\r\nDTSTART:20261201T100000Z\r\n"
                + "DTEND:20261201T110000Z\r\nSUMMARY:Once\r\nSEQUENCE:0\r\nORGANIZER:mailto:org@example.net\r\n"
                + "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        String message = "Authentication-Results: mx.example.com; dkim=pass header.d=example.net\r\n"
                + "From: org@example.net\r\nTo: bob@example.com\r\nSubject: Once\r\n"
                + "Date: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <once-1@example.net>\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/calendar; charset=UTF-8; method=REQUEST\r\n\r\n" + ics;
        try (Database store = TestPostgres.open(data);
             dev.inboxguard.server.InboxGuardServer server = dev.inboxguard.server.InboxGuardServer.start(
                     new InetSocketAddress("127.0.0.1", 0), ConfigFile.load(yaml), SchedulingTest.accounts(), store,
                     Clock.systemUTC())) {
            int lmtp = server.lmtpPort().orElseThrow();
            if (TestPostgres.selected()) {
                TestPostgres.execute(store, "CREATE FUNCTION refuse_answer() RETURNS trigger AS $$ BEGIN "
                        + "RAISE EXCEPTION 'the test refuses the receipt''s answer'; END $$ LANGUAGE plpgsql");
                TestPostgres.execute(store, "CREATE TRIGGER refuse_answer BEFORE UPDATE ON mail_receipts "
                        + "FOR EACH ROW EXECUTE FUNCTION refuse_answer()");
            } else {
                TestPostgres.execute(store, "CREATE TRIGGER refuse_answer BEFORE UPDATE ON mail_receipts "
                        + "FOR EACH ROW CALL '" + RefuseReceiptAnswers.class.getName() + "'");
            }
            List<String> first = MailDialogue.deliver(lmtp, true, "org@example.net", List.of("bob@example.com"),
                    message);
            assertTrue(first.get(0).startsWith("451 4.3.0"), "the MTA keeps the message: " + first);
            assertEquals(List.of(), store.scheduling().inbox("bob"), "no inbox item without its receipt");
            assertTrue(store.calendars().objectByUid("bob", UID).isEmpty(), "no calendar copy without its receipt");

            TestPostgres.execute(store, "DROP TRIGGER refuse_answer" + (TestPostgres.selected()
                    ? " ON mail_receipts" : ""));
            List<String> retry = MailDialogue.deliver(lmtp, true, "org@example.net", List.of("bob@example.com"),
                    message);
            assertTrue(retry.get(0).startsWith("250 2.0.0"), retry.toString());
            assertEquals(1, store.scheduling().inbox("bob").size());
            // the MTA lost that 250 and sends the message once more: the receipt answers, nothing is delivered
            List<String> again = MailDialogue.deliver(lmtp, true, "org@example.net", List.of("bob@example.com"),
                    message);
            assertEquals(retry, again);
            assertEquals(1, store.scheduling().inbox("bob").size(), "delivered once");
            assertTrue(store.calendars().objectByUid("bob", UID).isPresent(), "bob's calendar has the event");
        }
    }

    @Test
    void aDeliveryWhoseAuditLineFailsLeavesNoInboxItemAndNoCalendarCopy(@TempDir Path data) throws Exception {
        try (Database store = TestPostgres.open(data);
             CaldavServer server = new CaldavServer(new InetSocketAddress("127.0.0.1", 0), SchedulingTest.accounts(),
                     ConfigFile.defaults(), store, new RecordingOutbound(), Clock.systemUTC()).start()) {
            DavClient dav = new DavClient(server.port());
            assertEquals(201, dav.send("alice", "MKCALENDAR", "/dav/calendars/alice/work/", null, null).statusCode());
            refuseCarolsAuditLine(store);
            HttpResponse<String> r = dav.put("alice", "/dav/calendars/alice/work/atomic.ics",
                    SchedulingTest.event(UID, "alice", null, "bob", "carol"));
            assertEquals(201, r.statusCode(), r.body());

            // bob's delivery is whole
            assertEquals(1, store.scheduling().inbox("bob").size());
            assertTrue(store.calendars().objectByUid("bob", UID).isPresent(), "bob's calendar has the event");
            assertEquals(List.of("bob"), store.scheduling().auditTrail(Optional.empty(), 0, 100).stream()
                    .map(AuditEntry::recipientUser).toList());
            // carol's went back whole: no inbox item and no calendar copy without the audit line
            assertEquals(List.of(), store.scheduling().inbox("carol"));
            assertTrue(store.calendars().objectByUid("carol", UID).isEmpty(), "carol's calendar is untouched");
            // and alice's copy says so (RFC 6638 §3.2.9)
            String organizerCopy = dav.get("alice", "/dav/calendars/alice/work/atomic.ics");
            assertTrue(SchedulingTest.line(organizerCopy, "ATTENDEE", "bob@").contains("SCHEDULE-STATUS=1.2"),
                    organizerCopy);
            assertTrue(SchedulingTest.line(organizerCopy, "ATTENDEE", "carol@").contains("SCHEDULE-STATUS=5.1"),
                    organizerCopy);

            // once the fault is gone, carol's next invitation is delivered as usual
            acceptCarolsAuditLine(store);
            assertEquals(201, dav.put("alice", "/dav/calendars/alice/work/again.ics",
                    SchedulingTest.event("atomic-2@example.com", "alice", null, "carol")).statusCode());
            assertEquals(1, store.scheduling().inbox("carol").size());
            assertTrue(store.calendars().objectByUid("carol", "atomic-2@example.com").isPresent());
        }
    }

    @Test
    void withTheDirectoryHiddenEveryMessageIsQueuedAndDeliveredOnceEvenAfterFailures(@TempDir Path data)
            throws Exception {
        // the sender is answered once each message is queued, alike for local users and a remote address; carol's
        // delivery then fails in the database until the fault is gone, and arrives once
        GuardConfig hidden = ConfigFile.defaults().withCaldav(new GuardConfig.Caldav(null, null, null, "hidden"));
        RecordingOutbound mail = new RecordingOutbound();
        try (Database store = TestPostgres.open(data);
             CaldavServer server = new CaldavServer(new InetSocketAddress("127.0.0.1", 0), SchedulingTest.accounts(),
                     hidden, store, mail, Clock.systemUTC()).start()) {
            DavClient dav = new DavClient(server.port());
            assertEquals(201, dav.send("alice", "MKCALENDAR", "/dav/calendars/alice/work/", null, null).statusCode());
            refuseCarolsAuditLine(store);
            String invitation = SchedulingTest.event(UID, "alice", null, "bob", "carol").replace("END:VEVENT",
                    "ATTENDEE;RSVP=TRUE:mailto:dan@elsewhere.example\r\nEND:VEVENT");
            HttpResponse<String> r = dav.put("alice", "/dav/calendars/alice/work/queued.ics", invitation);
            assertEquals(201, r.statusCode(), r.body());
            String organizerCopy = dav.get("alice", "/dav/calendars/alice/work/queued.ics");
            for (String who : List.of("bob@", "carol@", "dan@")) {
                assertTrue(SchedulingTest.line(organizerCopy, "ATTENDEE", who).contains("SCHEDULE-STATUS=1.1"),
                        "sent, alike: " + organizerCopy);
            }
            // bob's arrives and dan's mail goes out; carol's fails and waits, retried
            waitFor(() -> store.scheduling().inbox("bob").size() == 1, "bob's delivery");
            waitFor(() -> mail.sent().size() == 1, "dan's mail handed on");
            assertEquals("mailto:dan@elsewhere.example", mail.sent().get(0).to().uri());
            waitFor(() -> store.scheduling().pendingDeliveries().count() == 1, "only carol's still queued");
            // carol's message was due within 2 s of the request, as bob's was: by now it has failed at least once
            Thread.sleep(2_500);
            assertEquals(List.of(), store.scheduling().inbox("carol"));
            assertEquals(1, store.scheduling().pendingDeliveries().count(), "a failed delivery stays queued");
            acceptCarolsAuditLine(store);
            waitFor(() -> store.scheduling().inbox("carol").size() == 1, "carol's delivery once the fault is gone");
            waitFor(() -> store.scheduling().pendingDeliveries().count() == 0, "the queue empty");
            assertTrue(store.calendars().objectByUid("carol", UID).isPresent(), "carol's calendar has the event");
            Thread.sleep(1_500);
            assertEquals(1, store.scheduling().inbox("carol").size(), "delivered once");
            assertEquals(1, store.scheduling().auditTrail(Optional.of("carol"), 0, 100).stream()
                    .filter(e -> "carol".equals(e.recipientUser())).count(), "one verdict for carol");
        }
    }

    @Test
    void withTheDirectoryHiddenAMessageQueuedBeforeAStopIsDeliveredAfterTheNextStart(@TempDir Path data)
            throws Exception {
        GuardConfig hidden = ConfigFile.defaults().withCaldav(new GuardConfig.Caldav(null, null, null, "hidden"));
        try (Database store = TestPostgres.open(data)) {
            // carol's delivery cannot succeed before the stop, however slow the stop: the trigger refuses it
            refuseCarolsAuditLine(store);
            try (CaldavServer server = new CaldavServer(new InetSocketAddress("127.0.0.1", 0),
                    SchedulingTest.accounts(), hidden, store, new RecordingOutbound(), Clock.systemUTC()).start()) {
                DavClient dav = new DavClient(server.port());
                assertEquals(201, dav.send("alice", "MKCALENDAR", "/dav/calendars/alice/work/", null, null)
                        .statusCode());
                assertEquals(201, dav.put("alice", "/dav/calendars/alice/work/stopped.ics",
                        SchedulingTest.event(UID, "alice", null, "carol")).statusCode());
            }
            assertEquals(1, store.scheduling().pendingDeliveries().count(), "acknowledged, queued, not delivered");
            assertEquals(List.of(), store.scheduling().inbox("carol"));
            acceptCarolsAuditLine(store);
            try (CaldavServer again = new CaldavServer(new InetSocketAddress("127.0.0.1", 0),
                    SchedulingTest.accounts(), hidden, store, new RecordingOutbound(), Clock.systemUTC()).start()) {
                waitFor(() -> store.scheduling().inbox("carol").size() == 1, "carol's delivery after the start");
                waitFor(() -> store.scheduling().pendingDeliveries().count() == 0, "the queue empty");
            }
        }
    }

    @Test
    void aDeliveryTriedAgainAfterTheDatabaseFailedIsCountedOnceAgainstTheRateLimits(@TempDir Path data)
            throws Exception {
        // alice may send carol 2 messages at once, 1 more an hour; the database fails carol's delivery at each of
        // its first attempts (a conflict, which may pass when tried again). Counted at every attempt, the message
        // would be over the limit by the time the fault is gone, and refused as a flood
        GuardConfig d = ConfigFile.defaults().withCaldav(new GuardConfig.Caldav(null, null, null, "hidden"));
        GuardConfig.Rates r = d.rates();
        GuardConfig config = d.withRates(new GuardConfig.Rates(r.perSender(), r.perSenderDomain(), r.perRecipient(),
                r.perPair(), new GuardConfig.Local(r.local().perSender(), new GuardConfig.Rate(2, 1))));
        // the queue's waits (1-2 s, then 2 s, 4 s... between attempts) pass as the test moves the clock; the limit
        // refills by 1 an hour, a few hundredths of a token over the test
        MovableClock clock = new MovableClock();
        try (Database store = TestPostgres.open(data);
             CaldavServer server = new CaldavServer(new InetSocketAddress("127.0.0.1", 0), SchedulingTest.accounts(),
                     config, store, new RecordingOutbound(), clock).start()) {
            DavClient dav = new DavClient(server.port());
            assertEquals(201, dav.send("alice", "MKCALENDAR", "/dav/calendars/alice/work/", null, null).statusCode());
            conflictOnCarolsAuditLine(store);
            assertEquals(201, dav.put("alice", "/dav/calendars/alice/work/counted.ics",
                    SchedulingTest.event(UID, "alice", null, "carol")).statusCode());
            // two attempts failed, the third waits: the queue's row counts them, and is not claimed just now
            waitFor(() -> {
                clock.advance(java.time.Duration.ofMillis(500));
                List<long[]> rows = TestPostgres.numbers(store, "SELECT attempts, next_attempt FROM pending_deliveries");
                return rows.size() == 1 && rows.get(0)[0] >= 2 && rows.get(0)[1] < clock.millis() + 60_000;
            }, "two failed attempts");
            acceptCarolsAuditLine(store);
            waitFor(() -> {
                clock.advance(java.time.Duration.ofMillis(500));
                return store.scheduling().pendingDeliveries().count() == 0;
            }, "the queue empty");
            assertEquals(1, store.scheduling().inbox("carol").size(), "delivered, not refused as a flood: "
                    + store.scheduling().auditTrail(Optional.of("carol"), 0, 10));
        }
    }

    @Test
    void withTheDirectoryHiddenAStopGivesBackTheMessagesItHadClaimedAndNotBegunWithoutCountingAnAttempt(
            @TempDir Path data) throws Exception {
        GuardConfig hidden = ConfigFile.defaults().withCaldav(new GuardConfig.Caldav(null, null, null, "hidden"));
        MovableClock clock = new MovableClock();
        // the relay's first message takes until the stop has begun: the worker is inside a delivery when it is told
        java.util.concurrent.CountDownLatch sending = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch letGo = new java.util.concurrent.CountDownLatch(1);
        RecordingOutbound mail = new RecordingOutbound();
        java.util.concurrent.atomic.AtomicBoolean first = new java.util.concurrent.atomic.AtomicBoolean(true);
        dev.inboxguard.scheduling.OutboundImip slowFirst = m -> {
            if (first.getAndSet(false)) {
                sending.countDown();
                try {
                    letGo.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return mail.send(m);
        };
        List<String> remote = List.of("dan@elsewhere.example", "erin@elsewhere.example", "fred@elsewhere.example");
        try (Database store = TestPostgres.open(data)) {
            CaldavServer server = new CaldavServer(new InetSocketAddress("127.0.0.1", 0), SchedulingTest.accounts(),
                    hidden, store, slowFirst, clock).start();
            Thread stopping = new Thread(() -> {
                try {
                    server.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }, "stopping");
            try {
                DavClient dav = new DavClient(server.port());
                assertEquals(201, dav.send("alice", "MKCALENDAR", "/dav/calendars/alice/work/", null, null)
                        .statusCode());
                String invitation = SchedulingTest.event(UID, "alice", null).replace("END:VEVENT",
                        remote.stream().map(a -> "ATTENDEE;RSVP=TRUE:mailto:" + a + "\r\n")
                                .collect(java.util.stream.Collectors.joining()) + "END:VEVENT");
                assertEquals(201, dav.put("alice", "/dav/calendars/alice/work/given-back.ics", invitation)
                        .statusCode());
                assertEquals(3, store.scheduling().pendingDeliveries().count());
                // all three due at once, so that the worker's next poll claims them in one batch
                clock.advance(java.time.Duration.ofSeconds(5));
                assertTrue(sending.await(60, java.util.concurrent.TimeUnit.SECONDS), "the first message is mailed");
                stopping.start();
                // inside the queue's close, past its word to the worker: waiting for the worker to end
                waitFor(() -> {
                    StackTraceElement[] frames = stopping.getStackTrace();
                    for (int i = 0; i + 1 < frames.length; i++) {
                        if (frames[i].getClassName().endsWith("GracefulStop") && frames[i].getMethodName().equals(
                                "stop") && frames[i + 1].getClassName().endsWith("DeliveryQueue")
                                && frames[i + 1].getMethodName().equals("close")) {
                            return true;
                        }
                    }
                    return false;
                }, "the stop has reached the queue");
            } finally {
                letGo.countDown();
                if (stopping.getState() == Thread.State.NEW) {
                    server.close();
                }
                stopping.join(60_000);
            }
            assertEquals(1, mail.sent().size(), "the message in hand went out: " + mail.sent());
            // the two claimed with it and not begun: queued still, due at once, their claim's attempt not counted
            List<long[]> left = TestPostgres.numbers(store,
                    "SELECT attempts, next_attempt FROM pending_deliveries ORDER BY seq");
            assertEquals(2, left.size(), "two given back");
            for (long[] row : left) {
                assertEquals(0, row[0], "no attempt counted");
                assertTrue(row[1] <= clock.millis(), "due at once, not when the claim would have lapsed");
            }
            // the next start mails them
            try (CaldavServer again = new CaldavServer(new InetSocketAddress("127.0.0.1", 0),
                    SchedulingTest.accounts(), hidden, store, mail, clock).start()) {
                waitFor(() -> store.scheduling().pendingDeliveries().count() == 0, "the queue empty");
                assertEquals(java.util.Set.copyOf(remote), mail.sent().stream()
                        .map(m -> m.to().uri().substring("mailto:".length()))
                        .collect(java.util.stream.Collectors.toSet()), "each mailed once");
                assertEquals(3, mail.sent().size());
            }
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, String what) throws Exception {
        // generous: a delivery comes 1-2 s after its request, and a failed one again after 2, 4, 8... seconds
        long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not within 60 s: " + what);
            }
            Thread.sleep(50);
        }
    }
}
