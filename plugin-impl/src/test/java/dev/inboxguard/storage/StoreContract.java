package dev.inboxguard.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.ratelimit.RateLimiter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * What every store must do, run once on the embedded H2 database ({@link EmbeddedStoreTest}) and once on a real
 * PostgreSQL ({@link PostgresStoreTest}). {@link #node()} opens another connection pool on the same data, as a
 * second InboxGuard node would, so the "exactly once" promises are tested across nodes, not only across threads.
 */
abstract class StoreContract {
    static final TimeSpan ANY = new TimeSpan("VEVENT", Long.MIN_VALUE, Long.MAX_VALUE);

    /** @return a new node's view of this test's database (the first call creates it) */
    abstract Database node();

    static byte[] ics(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** An event as a client writes one, which the store packs. */
    static byte[] event(String summary) {
        return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Example Corp.//Calendar 4.2//EN\r\nBEGIN:VEVENT\r\n"
                + "UID:" + summary + "-4f1c8e0a@example.org\r\nDTSTAMP:20261130T081500Z\r\n"
                + "DTSTART;TZID=Europe/Berlin:20261207T140000\r\nDTEND;TZID=Europe/Berlin:20261207T150000\r\n"
                + "SUMMARY:" + summary + "\r\nORGANIZER;CN=Alice:mailto:alice@example.org\r\n"
                + "ATTENDEE;CN=Bob;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.org\r\n"
                + "END:VEVENT\r\nEND:VCALENDAR\r\n").getBytes(StandardCharsets.UTF_8);
    }

    private static StoreConflict.Kind conflict(Runnable r) {
        return assertThrows(StoreConflict.class, r::run).kind();
    }

    @Test
    void calendarsAndObjectsWithPreconditions() {
        try (Database db = node()) {
            CalendarStore store = db.calendars();
            StoredCalendar work = store.createCalendar(new StoredCalendar("alice", "work", "Work",
                    Set.of("VEVENT", "VTODO"), 0));
            assertEquals(Set.of("VEVENT", "VTODO"), work.components());
            assertEquals(StoreConflict.Kind.CALENDAR_EXISTS, conflict(() -> store.createCalendar(work)));

            CalendarStore.Written first = store.put("alice", "work", "a.ics", "uid-a", ics("A1"),
                    ANY, new Expectation(true, Optional.empty()));
            assertTrue(first.created());
            StoredObject a = first.object();
            assertEquals(StoreConflict.Kind.PRECONDITION, conflict(() -> store.put("alice", "work", "a.ics",
                    "uid-a", ics("A2"), ANY, new Expectation(true, Optional.empty()))));
            assertEquals(StoreConflict.Kind.PRECONDITION, conflict(() -> store.put("alice", "work", "a.ics",
                    "uid-a", ics("A2"), ANY, new Expectation(false, Optional.of("\"stale\"")))));
            CalendarStore.Written second = store.put("alice", "work", "a.ics", "uid-a", ics("A2"),
                    ANY, new Expectation(false, Optional.of(a.etag())));
            assertFalse(second.created());
            StoredObject a2 = second.object();
            assertNotEquals(a.etag(), a2.etag());
            assertEquals("A2", new String(store.object("alice", "work", "a.ics").orElseThrow().data(),
                    StandardCharsets.UTF_8));
            // If-Match on a resource that does not exist fails too
            assertEquals(StoreConflict.Kind.PRECONDITION, conflict(() -> store.put("alice", "work", "new.ics",
                    "uid-new", ics("N"), ANY, new Expectation(false, Optional.of("*")))));

            assertEquals(StoreConflict.Kind.UID_TAKEN, conflict(() -> store.put("alice", "work", "other.ics",
                    "uid-a", ics("dup"), ANY, Expectation.NONE)));
            assertEquals(StoreConflict.Kind.NO_CALENDAR, conflict(() -> store.put("alice", "nope", "x.ics", "u",
                    ics("x"), ANY, Expectation.NONE)));

            long before = store.calendar("alice", "work").orElseThrow().revision();
            assertEquals(StoreConflict.Kind.PRECONDITION, conflict(() -> store.delete("alice", "work", "a.ics",
                    Optional.of(a.etag()))));
            assertEquals(before, store.calendar("alice", "work").orElseThrow().revision(),
                    "a refused write changes nothing");
            assertTrue(store.delete("alice", "work", "a.ics", Optional.of(a2.etag())));
            assertFalse(store.delete("alice", "work", "a.ics", Optional.empty()));
            assertTrue(store.calendar("alice", "work").orElseThrow().revision() > before);
        }
    }

    @Test
    void timeRangeQueriesReadOnlyOverlappingSpans() {
        try (Database db = node()) {
            CalendarStore store = db.calendars();
            store.createCalendar(new StoredCalendar("alice", "c", null, Set.of("VEVENT", "VTODO"), 0));
            store.put("alice", "c", "a.ics", "a", ics("A"), new TimeSpan("VEVENT", 100, 200), Expectation.NONE);
            store.put("alice", "c", "point.ics", "p", ics("P"), new TimeSpan("VEVENT", 300, 300), Expectation.NONE);
            store.put("alice", "c", "series.ics", "s", ics("S"), new TimeSpan("VEVENT", 150, Long.MAX_VALUE),
                    Expectation.NONE);
            store.put("alice", "c", "todo.ics", "t", ics("T"), new TimeSpan("VTODO", Long.MIN_VALUE, Long.MAX_VALUE),
                    Expectation.NONE);
            assertEquals(List.of("a.ics"), names(store.objectsIn("alice", "c", "VEVENT", 0, 150)));
            assertEquals(List.of("a.ics", "series.ics"), names(store.objectsIn("alice", "c", "VEVENT", 199, 200)));
            assertEquals(List.of("series.ics"), names(store.objectsIn("alice", "c", "VEVENT", 200, 300)));
            assertEquals(List.of("point.ics", "series.ics"), names(store.objectsIn("alice", "c", "VEVENT", 300, 301)));
            assertEquals(List.of("todo.ics"), names(store.objectsIn("alice", "c", "VTODO", 0, 1)));
            assertEquals(List.of(), names(store.objectsIn("bob", "c", "VEVENT", Long.MIN_VALUE, Long.MAX_VALUE)));
            // the SQL and TimeSpan.overlaps agree
            TimeSpan point = new TimeSpan("VEVENT", 300, 300);
            assertTrue(point.overlaps(300, 301));
            assertFalse(point.overlaps(200, 300));
        }
    }

    private static List<String> names(Iterable<StoredObject> objects) {
        List<String> names = new ArrayList<>();
        objects.forEach(o -> names.add(o.name()));
        return names;
    }

    @Test
    void objectsComeAPageAtATimeInNameOrder() {
        try (Database db = node()) {
            CalendarStore store = db.calendars();
            store.createCalendar(new StoredCalendar("alice", "c", null, Set.of("VEVENT"), 0));
            // 100 KB each: the objects fill three pages
            String padding = "x".repeat(100_000);
            int count = (int) (ObjectPages.PAGE_BYTES * 2 / 100_000) + 10;
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String name = String.format("%03d.ics", i);
                expected.add(name);
                store.put("alice", "c", name, "u" + i, ics(i + padding), ANY, Expectation.NONE);
            }
            assertEquals(expected, names(store.pagedObjects("alice", "c")));
            assertEquals(expected, names(store.objectsIn("alice", "c", "VEVENT", Long.MIN_VALUE, Long.MAX_VALUE)));
            // a reader part-way through: an object deleted ahead of it, on a page not yet read, is left out
            java.util.Iterator<StoredObject> reading = store.pagedObjects("alice", "c").iterator();
            StoredObject first = reading.next();
            assertEquals("000.ics", first.name());
            assertEquals("0" + padding, new String(first.data(), StandardCharsets.UTF_8));
            String ahead = expected.get(count - 5);
            assertTrue(store.delete("alice", "c", ahead, Optional.empty()));
            List<String> rest = new ArrayList<>();
            reading.forEachRemaining(o -> rest.add(o.name()));
            List<String> left = new ArrayList<>(expected.subList(1, expected.size()));
            left.remove(ahead);
            assertEquals(left, rest);
        }
    }

    @Test
    void ownersSeeOnlyTheirOwnData() {
        try (Database db = node()) {
            CalendarStore store = db.calendars();
            store.createCalendar(new StoredCalendar("alice", "work", null, Set.of("VEVENT"), 0));
            store.put("alice", "work", "a.ics", "uid-a", ics("A"), ANY, Expectation.NONE);
            assertEquals(List.of(), store.calendars("bob"));
            assertTrue(store.calendar("bob", "work").isEmpty());
            assertTrue(store.object("bob", "work", "a.ics").isEmpty());
            assertEquals(StoreConflict.Kind.NO_CALENDAR, conflict(() -> store.put("bob", "work", "a.ics", "u",
                    ics("x"), ANY, Expectation.NONE)));
            assertFalse(store.delete("bob", "work", "a.ics", Optional.empty()));
            // the same names for another owner are a different calendar
            store.createCalendar(new StoredCalendar("bob", "work", null, Set.of("VEVENT"), 0));
            store.put("bob", "work", "a.ics", "uid-a", ics("B"), ANY, Expectation.NONE);
            assertEquals("A", new String(store.object("alice", "work", "a.ics").orElseThrow().data(),
                    StandardCharsets.UTF_8));
            assertTrue(store.deleteCalendar("bob", "work"));
            assertTrue(store.object("bob", "work", "a.ics").isEmpty());
            assertEquals(1, store.objects("alice", "work").size());
        }
    }

    @Test
    void forgettingOldTombstonesRefusesOnlyTheTokensThatNeedThem() {
        try (Database db = node()) {
            CalendarStore store = db.calendars();
            store.createCalendar(new StoredCalendar("alice", "c", null, Set.of("VEVENT"), 0));
            store.createCalendar(new StoredCalendar("alice", "quiet", null, Set.of("VEVENT"), 0));
            store.put("alice", "c", "a.ics", "a", ics("A"), ANY, Expectation.NONE);
            store.put("alice", "c", "b.ics", "b", ics("B"), ANY, Expectation.NONE);
            store.put("alice", "quiet", "q.ics", "q", ics("Q"), ANY, Expectation.NONE);
            long before = store.calendar("alice", "c").orElseThrow().revision();
            long quietToken = store.calendar("alice", "quiet").orElseThrow().revision();
            store.delete("alice", "c", "b.ics", Optional.empty());
            long after = store.calendar("alice", "c").orElseThrow().revision();
            assertEquals(0, store.pruneTombstones(System.currentTimeMillis() - 60_000), "none is that old");
            assertTrue(store.changesSince("alice", "c", before, 1_000, 1 << 20).isPresent());

            assertEquals(1, store.pruneTombstones(System.currentTimeMillis() + 1_000));
            assertTrue(store.changesSince("alice", "c", before, 1_000, 1 << 20).isEmpty(),
                    "this token needs the deletion it forgot");
            assertTrue(store.listedSince("alice", "c", before, 1_000).isEmpty());
            assertEquals(List.of(), store.changesSince("alice", "c", after, 1_000, 1 << 20).orElseThrow().changed());
            assertEquals(List.of("a.ics"), names(store.changesSince("alice", "c", 0, 1_000, 1 << 20).orElseThrow()
                    .changed()), "a first sync lists what is there");
            assertTrue(store.changesSince("alice", "quiet", quietToken, 1_000, 1 << 20).isPresent(),
                    "a calendar that forgot nothing keeps its tokens");
            assertEquals(0, store.pruneTombstones(System.currentTimeMillis() + 1_000));
            // a deletion after the prune lays a new tombstone, which a token after the forgotten one sees
            store.delete("alice", "c", "a.ics", Optional.empty());
            assertEquals(List.of("a.ics"), store.changesSince("alice", "c", after, 1_000, 1 << 20).orElseThrow()
                    .deleted());
        }
    }

    @Test
    void aCalendarMadeAgainUnderItsOldNameStartsEmpty() {
        // objects and tombstones go with their calendar's row in one transaction; no foreign key does it for them
        try (Database db = node()) {
            CalendarStore store = db.calendars();
            store.createCalendar(new StoredCalendar("alice", "c", null, Set.of("VEVENT"), 0));
            store.put("alice", "c", "a.ics", "uid-a", ics("A"), ANY, Expectation.NONE);
            store.put("alice", "c", "b.ics", "uid-b", ics("B"), ANY, Expectation.NONE);
            store.delete("alice", "c", "b.ics", Optional.empty());
            assertTrue(store.deleteCalendar("alice", "c"));
            assertFalse(store.deleteCalendar("alice", "c"));
            store.createCalendar(new StoredCalendar("alice", "c", null, Set.of("VEVENT"), 0));
            assertEquals(List.of(), store.objects("alice", "c"));
            assertTrue(store.objectByUid("alice", "uid-a").isEmpty());
            CalendarStore.Changes all = store.changesSince("alice", "c", 0, 1_000, 1 << 20).orElseThrow();
            assertEquals(List.of(), all.changed());
            assertEquals(List.of(), all.deleted(), "no tombstone of the calendar before");
            store.put("alice", "c", "other.ics", "uid-a", ics("A again"), ANY, Expectation.NONE);
            assertEquals("other.ics", store.objectByUid("alice", "uid-a").orElseThrow().object().name());
        }
    }

    @Test
    void aCalendarMadeAgainRefusesTheOldCalendarsTokensHoweverFarItGets() {
        try (Database db = node()) {
            CalendarStore store = db.calendars();
            store.createCalendar(new StoredCalendar("alice", "c", null, Set.of("VEVENT"), 0));
            for (int i = 0; i < 3; i++) {
                store.put("alice", "c", i + ".ics", "u" + i, ics("E" + i), ANY, Expectation.NONE);
            }
            long oldToken = store.calendar("alice", "c").orElseThrow().revision();
            String oldEtag = store.object("alice", "c", "0.ics").orElseThrow().etag();
            assertTrue(store.deleteCalendar("alice", "c"));
            StoredCalendar again = store.createCalendar(new StoredCalendar("alice", "c", null, Set.of("VEVENT"), 0));
            assertTrue(again.revision() > oldToken, "the new calendar starts after the old one: " + again.revision());
            assertEquals(again.revision(), store.calendar("alice", "c").orElseThrow().revision());
            for (int i = 0; i < 5; i++) {
                store.put("alice", "c", i + ".ics", "u" + i, ics("F" + i), ANY, Expectation.NONE);
            }
            // the old token would now lie within the new calendar's revisions; it must not list the new calendar's
            // changes as if the old objects were still there
            assertTrue(store.changesSince("alice", "c", oldToken, 1_000, 1 << 20).isEmpty(), "an old token");
            assertNotEquals(oldEtag, store.object("alice", "c", "0.ics").orElseThrow().etag());
            assertEquals(5, store.changesSince("alice", "c", 0, 1_000, 1 << 20).orElseThrow().changed().size());
            assertTrue(store.changesSince("alice", "c", again.revision(), 1_000, 1 << 20).isPresent(),
                    "the new calendar's own first token");
            // deleted and made again twice: still after the last
            long second = store.calendar("alice", "c").orElseThrow().revision();
            assertTrue(store.deleteCalendar("alice", "c"));
            assertTrue(store.createCalendar(new StoredCalendar("alice", "c", null, Set.of("VEVENT"), 0)).revision()
                    > second);
        }
    }

    @Test
    void aSecondOpeningFindsTheSchemaCurrent() {
        try (Database first = node(); Database second = node()) {
            assertEquals(0, second.migrationsApplied());
            assertTrue(Database.current(second.dataSource()), "a current schema skips Flyway");
            first.calendars().createCalendar(new StoredCalendar("alice", "work", "Work", Set.of("VEVENT"), 0));
            assertEquals("Work", second.calendars().calendar("alice", "work").orElseThrow().displayName());
            assertTrue(second.reachable());
        }
    }

    @Test
    void aSchemaBehindThisBuildIsBroughtUpToDateWithItsObjectsAndChanges() throws Exception {
        // the opening that finds every migration applied skips Flyway; one that finds the last missing must not.
        // The last six migrations are undone by hand, with objects, an inbox item, receipts of mail, a deletion and a
        // token in place: V14 keyed each receipt by a number (the receipts go back to their 64-character keys, and must
        // answer as before), V13 packed each inbox item's text (the rows go back to the text as given), V12 only added a table and V11 an
        // index; V10 packed each object's text (the rows go back to the text as given),
        // and V9 moved each object's revision from the change log into its row. The migrations must keep every text and what a sync
        // report answers
        long token;
        CalendarStore.Changes before;
        try (Database first = node()) {
            CalendarStore store = first.calendars();
            store.createCalendar(new StoredCalendar("alice", "c", null, Set.of("VEVENT"), 0));
            store.put("alice", "c", "a.ics", "a", event("A"), ANY, Expectation.NONE);
            store.put("alice", "c", "b.ics", "b", event("B"), ANY, Expectation.NONE);
            token = store.calendar("alice", "c").orElseThrow().revision();
            store.put("alice", "c", "c.ics", "c", event("C"), ANY, Expectation.NONE);
            store.delete("alice", "c", "b.ics", Optional.empty());
            store.put("alice", "c", "a.ics", "a", event("A2"), ANY, Expectation.NONE);
            before = store.changesSince("alice", "c", token, 1_000, 1 << 20).orElseThrow();
            first.scheduling().addToInbox(new InboxItem("bob", "i.ics", "u", "REQUEST", event("I"), "deliver", "[]",
                    5));
            assertInstanceOf(MailStore.Receipt.New.class, first.mail().receive(RECEIPT_DONE, 100, 0));
            first.mail().received(RECEIPT_DONE, "250 2.0.0 delivered");
            assertInstanceOf(MailStore.Receipt.New.class, first.mail().receive(RECEIPT_CLAIMED, 200, 0));
            try (java.sql.Connection c = first.dataSource().getConnection();
                 java.sql.Statement s = c.createStatement()) {
                assertEquals(java.util.Map.of("i.ics", PackedText.DEFLATED_WITH_UID), inboxPackings(first, "bob"),
                        "this build packs inbox items");
                try (java.sql.PreparedStatement p = c.prepareStatement(
                        "UPDATE inbox SET data = ? WHERE owner = 'bob'")) {
                    p.setBytes(1, event("I"));
                    assertEquals(1, p.executeUpdate());
                }
                assertEquals(java.util.Map.of("a.ics", PackedText.DEFLATED_WITH_UID, "c.ics",
                        PackedText.DEFLATED_WITH_UID), packings(first), "this build packs what it writes");
                for (StoredObject o : store.objects("alice", "c")) {
                    try (java.sql.PreparedStatement p = c.prepareStatement(
                            "UPDATE objects SET data = ? WHERE owner = 'alice' AND calendar = 'c' AND name = ?")) {
                        p.setBytes(1, o.data());
                        p.setString(2, o.name());
                        assertEquals(1, p.executeUpdate());
                    }
                }
                assertEquals(java.util.Set.of(RECEIPT_DONE, RECEIPT_CLAIMED), receiptSlots(first).keySet());
                for (String sql : List.of(
                        "CREATE TABLE mail_receipts_keyed (msg_key VARCHAR(64) PRIMARY KEY, started BIGINT NOT NULL, "
                                + "reply VARCHAR(1024))",
                        "INSERT INTO mail_receipts_keyed SELECT msg_key, started, reply FROM mail_receipts",
                        "DROP TABLE mail_receipts",
                        "ALTER TABLE mail_receipts_keyed RENAME TO mail_receipts",
                        "CREATE INDEX mail_receipts_started ON mail_receipts (started)",
                        "DELETE FROM \"flyway_schema_history\" WHERE \"version\" = '14'",
                        "ALTER TABLE inbox DROP COLUMN packing",
                        "ALTER TABLE inbox DROP COLUMN text_length",
                        "DELETE FROM \"flyway_schema_history\" WHERE \"version\" = '13'",
                        "DROP TABLE pending_deliveries",
                        "DELETE FROM \"flyway_schema_history\" WHERE \"version\" = '12'",
                        "DROP INDEX inbox_received",
                        "DELETE FROM \"flyway_schema_history\" WHERE \"version\" = '11'",
                        "ALTER TABLE objects DROP COLUMN packing",
                        "ALTER TABLE objects DROP COLUMN text_length",
                        "DELETE FROM \"flyway_schema_history\" WHERE \"version\" = '10'",
                        "CREATE TABLE changes (owner VARCHAR(64) NOT NULL, calendar VARCHAR(255) NOT NULL, "
                                + "name VARCHAR(255) NOT NULL, revision BIGINT NOT NULL, deleted BOOLEAN NOT NULL, "
                                + "PRIMARY KEY (owner, calendar, name))",
                        "INSERT INTO changes (owner, calendar, name, revision, deleted) SELECT owner, calendar, name, "
                                + "revision, FALSE FROM objects",
                        "INSERT INTO changes (owner, calendar, name, revision, deleted) SELECT owner, calendar, name, "
                                + "revision, TRUE FROM tombstones",
                        "DROP TABLE tombstones",
                        "ALTER TABLE calendars DROP COLUMN forgotten",
                        "DROP TABLE retired_calendars",
                        "DROP INDEX objects_revision",
                        "ALTER TABLE objects DROP COLUMN revision",
                        // V8's objects had an unnamed key; V9 names its own
                        "ALTER TABLE objects RENAME CONSTRAINT objects_key TO objects_key_before",
                        "DELETE FROM \"flyway_schema_history\" WHERE \"version\" = '9'")) {
                    s.executeUpdate(sql);
                }
            }
            assertFalse(Database.current(first.dataSource()), "a history without the last migration is not current");
        }
        try (Database again = node()) {
            assertEquals(6, again.migrationsApplied());
            // each receipt is found by its key as before, in the slot the store computes (the migration computes it
            // in SQL, and on each database its own way)
            assertEquals(java.util.Map.of(RECEIPT_DONE, SqlMailStore.slot(RECEIPT_DONE), RECEIPT_CLAIMED,
                    SqlMailStore.slot(RECEIPT_CLAIMED)), receiptSlots(again));
            assertEquals("250 2.0.0 delivered", assertInstanceOf(MailStore.Receipt.Done.class,
                    again.mail().receive(RECEIPT_DONE, 300, 0)).reply());
            assertInstanceOf(MailStore.Receipt.Busy.class, again.mail().receive(RECEIPT_CLAIMED, 300, 150),
                    "still claimed");
            assertInstanceOf(MailStore.Receipt.New.class, again.mail().receive(RECEIPT_CLAIMED, 300, 250),
                    "and the claim lapses as before");
            try (java.sql.Connection c = again.dataSource().getConnection();
                 java.sql.ResultSet r = c.getMetaData().getIndexInfo(null, null,
                         c.getMetaData().storesUpperCaseIdentifiers() ? "MAIL_RECEIPTS" : "mail_receipts", false,
                         false)) {
                java.util.Set<String> indexed = new java.util.HashSet<>();
                while (r.next()) {
                    if (r.getString("INDEX_NAME").equalsIgnoreCase("mail_receipts_started")) {
                        indexed.add(r.getString("COLUMN_NAME").toLowerCase(java.util.Locale.ROOT));
                    }
                }
                assertEquals(java.util.Set.of("started"), indexed, "the pruning's index is made again");
            }
            CalendarStore store = again.calendars();
            // an inbox item kept as given reads as it was, and its length is in its row
            assertEquals(new String(event("I"), StandardCharsets.UTF_8), new String(again.scheduling()
                    .inboxItem("bob", "i.ics").orElseThrow().data(), StandardCharsets.UTF_8));
            assertEquals(List.of((long) event("I").length), again.scheduling().inboxSummaries("bob").stream()
                    .map(ObjectSummary::size).toList());
            assertEquals(java.util.Map.of("i.ics", PackedText.AS_GIVEN), inboxPackings(again, "bob"));
            // the texts kept as given read as they were, and their lengths are in their rows
            assertEquals(new String(event("A2"), StandardCharsets.UTF_8), new String(store.object("alice", "c", "a.ics")
                    .orElseThrow().data(), StandardCharsets.UTF_8));
            assertEquals(List.of((long) event("A2").length, (long) event("C").length), store.summaries("alice", "c")
                    .stream().map(ObjectSummary::size).toList());
            assertEquals(0, store.pruneTombstones(System.currentTimeMillis() - 60_000),
                    "a tombstone from before the migration counts from the migration");
            CalendarStore.Changes after = store.changesSince("alice", "c", token, 1_000, 1 << 20).orElseThrow();
            assertEquals(before.revision(), after.revision());
            assertEquals(names(before.changed()), names(after.changed()));
            assertEquals(List.of("b.ics"), after.deleted());
            assertEquals(List.of("a.ics", "c.ics"), names(store.changesSince("alice", "c", 0, 1_000, 1 << 20)
                    .orElseThrow().changed()).stream().sorted().toList());
            // the UID stays unique in its calendar after the index changed
            assertEquals(StoreConflict.Kind.UID_TAKEN, conflict(() -> store.put("alice", "c", "other.ics", "a",
                    event("A3"), ANY, Expectation.NONE)));
            assertEquals(java.util.Map.of("a.ics", PackedText.AS_GIVEN, "c.ics", PackedText.AS_GIVEN),
                    packings(again), "the rows from before stay as they are");
            store.put("alice", "c", "b.ics", "b", event("B2"), ANY, Expectation.NONE);
            assertEquals(PackedText.DEFLATED_WITH_UID, packings(again).get("b.ics"));
            CalendarStore.Changes again2 = store.changesSince("alice", "c", after.revision(), 1_000, 1 << 20)
                    .orElseThrow();
            assertEquals(List.of("b.ics"), names(again2.changed()));
            assertEquals(List.of(), again2.deleted(), "a name written again is no longer deleted");
        }
        try (Database third = node()) {
            assertEquals(0, third.migrationsApplied());
        }
    }

    /** Receipts' keys as the gateway makes them: the hex of a SHA-256. */
    private static final String RECEIPT_DONE = "4f".repeat(32);
    private static final String RECEIPT_CLAIMED = "0123456789abcdef".repeat(4);

    /** @return each receipt's slot by its key, read from the rows */
    private static java.util.Map<String, Long> receiptSlots(Database db) throws java.sql.SQLException {
        java.util.Map<String, Long> slots = new java.util.HashMap<>();
        try (java.sql.Connection c = db.dataSource().getConnection();
             java.sql.Statement s = c.createStatement();
             java.sql.ResultSet r = s.executeQuery("SELECT msg_key, slot FROM mail_receipts")) {
            while (r.next()) {
                slots.put(r.getString(1), r.getLong(2));
            }
        }
        return slots;
    }

    /** @return how each of the owner's inbox items keeps its text, read from the rows */
    private static java.util.Map<String, Integer> inboxPackings(Database db, String owner)
            throws java.sql.SQLException {
        java.util.Map<String, Integer> packings = new java.util.HashMap<>();
        try (java.sql.Connection c = db.dataSource().getConnection();
             java.sql.PreparedStatement p = c.prepareStatement("SELECT name, packing FROM inbox WHERE owner = ?")) {
            p.setString(1, owner);
            try (java.sql.ResultSet r = p.executeQuery()) {
                while (r.next()) {
                    packings.put(r.getString(1), r.getInt(2));
                }
            }
        }
        return packings;
    }

    /** @return how each of alice's objects in calendar c keeps its text, read from the rows */
    private static java.util.Map<String, Integer> packings(Database db) throws java.sql.SQLException {
        java.util.Map<String, Integer> packings = new java.util.HashMap<>();
        try (java.sql.Connection c = db.dataSource().getConnection();
             java.sql.Statement s = c.createStatement();
             java.sql.ResultSet r = s.executeQuery("SELECT name, packing FROM objects WHERE owner = 'alice' "
                     + "AND calendar = 'c'")) {
            while (r.next()) {
                packings.put(r.getString(1), r.getInt(2));
            }
        }
        return packings;
    }

    @Test
    void textsArePackedWhereThatIsShorterAndReadBackByteForByte() throws Exception {
        try (Database db = node()) {
            CalendarStore store = db.calendars();
            store.createCalendar(new StoredCalendar("alice", "c", null, Set.of("VEVENT"), 0));
            byte[] event = event("Planning");
            // bytes deflate cannot shorten are kept as given
            byte[] noise = new byte[300];
            new java.util.Random(7).nextBytes(noise);
            byte[] big = new String(event, StandardCharsets.UTF_8).replace("SUMMARY:Planning",
                    "DESCRIPTION:" + "Agenda: the budget, the roadmap, the hiring plan. ".repeat(300))
                    .getBytes(StandardCharsets.UTF_8);
            store.put("alice", "c", "event.ics", "e", event, ANY, Expectation.NONE);
            store.put("alice", "c", "noise.ics", "n", noise, ANY, Expectation.NONE);
            store.put("alice", "c", "big.ics", "b", big, ANY, Expectation.NONE);
            store.put("alice", "c", "empty.ics", "x", new byte[0], ANY, Expectation.NONE);
            assertEquals(java.util.Map.of("event.ics", PackedText.DEFLATED_WITH_UID, "noise.ics", PackedText.AS_GIVEN,
                    "big.ics", PackedText.DEFLATED_WITH_UID, "empty.ics", PackedText.AS_GIVEN), packings(db));
            try (java.sql.Connection c = db.dataSource().getConnection();
                 java.sql.Statement s = c.createStatement();
                 java.sql.ResultSet r = s.executeQuery("SELECT OCTET_LENGTH(data), text_length FROM objects "
                         + "WHERE name = 'event.ics'")) {
                assertTrue(r.next());
                assertEquals(event.length, r.getInt(2));
                assertTrue(r.getInt(1) < event.length / 2, r.getInt(1) + " bytes kept for " + event.length);
            }
            java.util.Map<String, byte[]> texts = java.util.Map.of("event.ics", event, "noise.ics", noise,
                    "big.ics", big, "empty.ics", new byte[0]);
            // every way the store reads objects unpacks them
            for (var e : texts.entrySet()) {
                assertArrayEquals(e.getValue(), store.object("alice", "c", e.getKey()).orElseThrow().data());
            }
            for (StoredObject o : store.objects("alice", "c")) {
                assertArrayEquals(texts.get(o.name()), o.data(), o.name());
            }
            for (StoredObject o : store.pagedObjects("alice", "c")) {
                assertArrayEquals(texts.get(o.name()), o.data(), o.name());
            }
            assertArrayEquals(event, store.objectByUid("alice", "e").orElseThrow().object().data());
            for (StoredObject o : store.changesSince("alice", "c", 0, 1_000, 1 << 20).orElseThrow().changed()) {
                assertArrayEquals(texts.get(o.name()), o.data(), o.name());
            }
            for (ObjectSummary summary : store.summaries("alice", "c")) {
                assertEquals(texts.get(summary.name()).length, summary.size(), summary.name());
            }
            // a move keeps the text, packed against the same UID
            store.put("alice", "c", "to-move.ics", "m", event("Moved"), ANY, Expectation.NONE);
            store.move("alice", "c", "to-move.ics", "c", "moved.ics", ANY, false);
            assertArrayEquals(event("Moved"), store.object("alice", "c", "moved.ics").orElseThrow().data());
            assertEquals(PackedText.DEFLATED_WITH_UID, packings(db).get("moved.ics"));
            try (java.sql.Connection c = db.dataSource().getConnection()) {
                // a row as the build before packed it, against the dictionary alone (packing 1), still reads
                try (java.sql.PreparedStatement p = c.prepareStatement("UPDATE objects SET data = ?, packing = ? "
                        + "WHERE owner = 'alice' AND calendar = 'c' AND name = 'event.ics'")) {
                    p.setBytes(1, PackedTextTest.deflatedAgainstTheDictionaryAlone(event));
                    p.setInt(2, PackedText.DEFLATED_1);
                    assertEquals(1, p.executeUpdate());
                }
                assertArrayEquals(event, store.object("alice", "c", "event.ics").orElseThrow().data());
                // a row whose UID was changed by hand no longer unpacks: a store failure
                try (java.sql.Statement s = c.createStatement()) {
                    assertEquals(1, s.executeUpdate("UPDATE objects SET uid = 'other' WHERE owner = 'alice' "
                            + "AND calendar = 'c' AND name = 'big.ics'"));
                }
                assertThrows(StoreFailure.class, () -> store.object("alice", "c", "big.ics"));
            }
        }
    }

    @Test
    void changesSinceATokenListWritesAndDeletions() {
        try (Database db = node()) {
            CalendarStore store = db.calendars();
            store.createCalendar(new StoredCalendar("alice", "c", null, Set.of("VEVENT"), 0));
            store.put("alice", "c", "a.ics", "a", ics("A"), ANY, Expectation.NONE);
            long token = store.calendar("alice", "c").orElseThrow().revision();
            store.put("alice", "c", "b.ics", "b", ics("B"), ANY, Expectation.NONE);
            store.put("alice", "c", "a.ics", "a", ics("A2"), ANY, Expectation.NONE);
            store.delete("alice", "c", "b.ics", Optional.empty());
            CalendarStore.Changes changes = store.changesSince("alice", "c", token, 1_000, 1 << 20).orElseThrow();
            assertEquals(List.of("a.ics"), names(changes.changed()));
            assertEquals(List.of("b.ics"), changes.deleted());
            assertFalse(changes.truncated());
            assertTrue(store.changesSince("alice", "c", changes.revision() + 1, 1_000, 1 << 20).isEmpty(),
                    "a token from the future");
            CalendarStore.ListedChanges listed = store.listedSince("alice", "c", token, 1_000).orElseThrow();
            assertEquals(List.of(ObjectSummary.of(store.object("alice", "c", "a.ics").orElseThrow())),
                    listed.changed(), "its ETag, length, date and tag, from the row");
            assertEquals(List.of("b.ics"), listed.deleted());
            assertTrue(store.listedSince("alice", "c", changes.revision() + 1, 1_000).isEmpty());
        }
    }

    @Test
    void changesComeInPagesThatNeverSplitAWrite() {
        try (Database db = node()) {
            CalendarStore store = db.calendars();
            store.createCalendar(new StoredCalendar("alice", "c", null, Set.of("VEVENT"), 0));
            for (int i = 0; i < 7; i++) {
                store.put("alice", "c", i + ".ics", "u" + i, ics("E" + i), ANY, Expectation.NONE);
            }
            // a rename within the calendar: two changes (a deletion and a creation) at one revision
            store.move("alice", "c", "2.ics", "c", "moved.ics", ANY, true);
            store.delete("alice", "c", "4.ics", Optional.empty());
            List<String> changed = new ArrayList<>();
            List<String> deleted = new ArrayList<>();
            long token = 0;
            int pages = 0;
            CalendarStore.Changes page;
            do {
                page = store.changesSince("alice", "c", token, 3, 1 << 20).orElseThrow();
                CalendarStore.ListedChanges listed = store.listedSince("alice", "c", token, 3).orElseThrow();
                assertEquals(page.changed().stream().map(ObjectSummary::of).toList(), listed.changed(),
                        "the same page as a listing says it");
                assertEquals(List.of(page.revision(), page.deleted(), page.truncated()),
                        List.of(listed.revision(), listed.deleted(), listed.truncated()));
                assertTrue(page.changed().size() + page.deleted().size() <= 3, "a page of at most 3");
                assertTrue(page.revision() > token, "every page moves the token on");
                changed.addAll(names(page.changed()));
                deleted.addAll(page.deleted());
                token = page.revision();
                pages++;
            } while (page.truncated());
            assertTrue(pages >= 3, "7 objects, a move and a deletion in pages of 3: " + pages);
            assertEquals(Set.of("0.ics", "1.ics", "3.ics", "5.ics", "6.ics", "moved.ics"), Set.copyOf(changed));
            assertEquals(Set.of("2.ics", "4.ics"), Set.copyOf(deleted));
            assertEquals(store.calendar("alice", "c").orElseThrow().revision(), token, "the last page is current");
            // the bytes bound: a page that may hold one byte of text holds one object
            CalendarStore.Changes small = store.changesSince("alice", "c", 0, 1_000, 1).orElseThrow();
            assertEquals(List.of("0.ics"), names(small.changed()));
            assertTrue(small.truncated());
            CalendarStore.Changes next = store.changesSince("alice", "c", small.revision(), 1_000, 1).orElseThrow();
            assertEquals(List.of("1.ics"), names(next.changed()));
        }
    }

    @Test
    void pendingDeliveriesAreClaimedOnceAndInEachRecipientsOrder() {
        try (Database a = node(); Database b = node()) {
            SchedulingStore s = a.scheduling();
            java.util.function.BiFunction<String, String, PendingDelivery> queued = (method, to) -> new PendingDelivery(
                    0, "alice", "mailto:alice@example.com", "mailto:" + to + "@example.com", method, "uid-1",
                    ("METHOD:" + method).getBytes(StandardCharsets.UTF_8), 100, 0, 100);
            s.queueDelivery(queued.apply("REQUEST", "bob"));
            s.queueDelivery(queued.apply("CANCEL", "bob"));
            s.queueDelivery(queued.apply("REQUEST", "carol"));
            assertEquals(new MailStore.Backlog(3, 100), s.pendingDeliveries());
            java.util.function.Function<List<PendingDelivery>, List<String>> said = list -> list.stream()
                    .map(d -> new String(d.itip(), StandardCharsets.UTF_8) + " " + d.recipient() + " " + d.attempts()
                            + (d.method().equals(new String(d.itip(), StandardCharsets.UTF_8).substring(7))
                            && d.uid().equals("uid-1") && d.sender().equals("alice") ? "" : " (other columns lost)"))
                    .toList();
            List<PendingDelivery> first = s.claimDeliveries(200, 1_000, 10);
            assertEquals(List.of("METHOD:REQUEST mailto:bob@example.com 1", "METHOD:REQUEST mailto:carol@example.com 1"),
                    said.apply(first), "bob's CANCEL waits behind his REQUEST");
            assertTrue(b.scheduling().claimDeliveries(200, 1_000, 10).isEmpty(), "claimed: by no other node");
            // bob's REQUEST failed once: due again later, and his CANCEL still waits behind it
            s.retryDelivery(first.get(0), 500);
            assertTrue(s.claimDeliveries(400, 1_000, 10).isEmpty());
            assertTrue(s.finishDelivery(first.get(1)));
            assertFalse(s.finishDelivery(first.get(1)), "delivered once");
            List<PendingDelivery> again = b.scheduling().claimDeliveries(500, 2_000, 10);
            assertEquals(List.of("METHOD:REQUEST mailto:bob@example.com 2"), said.apply(again));
            assertFalse(s.finishDelivery(first.get(0)), "a claim that was taken again is no longer its node's");
            assertTrue(b.scheduling().finishDelivery(again.get(0)));
            // a claim whose node went lapses, and the next claim takes the message
            List<PendingDelivery> cancel = s.claimDeliveries(600, 700, 10);
            assertEquals(List.of("METHOD:CANCEL mailto:bob@example.com 1"), said.apply(cancel));
            List<PendingDelivery> lapsed = b.scheduling().claimDeliveries(700, 900, 10);
            assertEquals(List.of("METHOD:CANCEL mailto:bob@example.com 2"), said.apply(lapsed));
            assertFalse(s.finishDelivery(cancel.get(0)));
            assertTrue(b.scheduling().finishDelivery(lapsed.get(0)));
            // a stopping node gives back what it claimed and never began: due at once, the claim not counted
            s.queueDelivery(queued.apply("REQUEST", "dan"));
            List<PendingDelivery> unbegun = s.claimDeliveries(800, 5_000, 10);
            assertEquals(List.of("METHOD:REQUEST mailto:dan@example.com 1"), said.apply(unbegun));
            s.releaseDelivery(unbegun.get(0), 900);
            assertFalse(s.finishDelivery(unbegun.get(0)), "given back: no longer this claim's");
            List<PendingDelivery> taken = b.scheduling().claimDeliveries(900, 5_100, 10);
            assertEquals(List.of("METHOD:REQUEST mailto:dan@example.com 1"), said.apply(taken));
            s.releaseDelivery(unbegun.get(0), 950);
            assertEquals(List.of(), s.claimDeliveries(1_000, 5_000, 10), "a late release leaves another's claim");
            assertFalse(s.finishDelivery(unbegun.get(0)), "a claim given back cannot finish another's, same count");
            s.retryDelivery(unbegun.get(0), 1_000);
            assertEquals(List.of(), s.claimDeliveries(1_000, 5_000, 10), "nor put it off");
            assertTrue(b.scheduling().finishDelivery(taken.get(0)));
            assertEquals(new MailStore.Backlog(0, 0), s.pendingDeliveries());
        }
    }

    @Test
    void concurrentWritersOnTwoNodesLoseNothing() throws Exception {
        try (Database a = node(); Database b = node()) {
            a.calendars().createCalendar(new StoredCalendar("alice", "c", null, Set.of("VEVENT"), 0));
            List<Callable<Boolean>> writes = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                CalendarStore store = (i % 2 == 0 ? a : b).calendars();
                String name = i + ".ics";
                writes.add(() -> store.put("alice", "c", name, "uid-" + name, ics(name), ANY, Expectation.NONE)
                        .created());
            }
            assertEquals(40, Concurrently.run(writes).stream().filter(x -> x).count());
            assertEquals(40, a.calendars().objects("alice", "c").size());
            long revision = b.calendars().calendar("alice", "c").orElseThrow().revision();
            assertEquals(41, revision, "every write raised the revision once");
            // the same new name from both nodes at once with If-None-Match: one creates it, the other is refused
            List<Callable<Boolean>> same = new ArrayList<>();
            for (Database db : List.of(a, b, a, b)) {
                same.add(() -> {
                    try {
                        return db.calendars().put("alice", "c", "x.ics", "uid-x", ics("X"), ANY,
                                new Expectation(true, Optional.empty())).created();
                    } catch (StoreConflict e) {
                        return false;
                    }
                });
            }
            assertEquals(1, Concurrently.run(same).stream().filter(x -> x).count());
        }
    }

    @Test
    void inboxQuarantineAuditAndCorrespondents() throws Exception {
        try (Database db = node()) {
            SchedulingStore s = db.scheduling();
            s.addToInbox(new InboxItem("bob", "i1.ics", "u1", "REQUEST", ics("R"), "deliver", "[]", 10));
            s.addToInbox(new InboxItem("bob", "i0.ics", "u0", "REQUEST", ics("Q"), "flag", "[]", 5));
            assertEquals(List.of("i0.ics", "i1.ics"), s.inbox("bob").stream().map(InboxItem::name).toList());
            assertTrue(s.inbox("alice").isEmpty());
            assertEquals("R", new String(s.inboxItem("bob", "i1.ics").orElseThrow().data(), StandardCharsets.UTF_8));
            // a message as delivered, kept packed, comes back byte for byte with its length; so does one whose UID
            // the row keeps with its NUL replaced, which is packed without the UID
            s.addToInbox(new InboxItem("carol", "p.ics", "Planning-4f1c8e0a@example.org", "REQUEST", event("Planning"),
                    "deliver", "[]", 7));
            s.addToInbox(new InboxItem("carol", "q.ics", "odd\0uid", "REQUEST", event("Odd"), "deliver", "[]", 8));
            assertArrayEquals(event("Planning"), s.inboxItem("carol", "p.ics").orElseThrow().data());
            assertArrayEquals(event("Odd"), s.inboxItem("carol", "q.ics").orElseThrow().data());
            assertEquals(List.of((long) event("Planning").length, (long) event("Odd").length),
                    s.inboxSummaries("carol").stream().map(ObjectSummary::size).toList());
            assertEquals(List.of(event("Planning").length, event("Odd").length), s.inbox("carol").stream()
                    .map(i -> i.data().length).toList());
            assertEquals(java.util.Map.of("p.ics", PackedText.DEFLATED_WITH_UID, "q.ics", PackedText.DEFLATED_1),
                    inboxPackings(db, "carol"));
            assertTrue(s.removeFromInbox("bob", "i1.ics"));
            assertFalse(s.removeFromInbox("bob", "i1.ics"));

            s.hold(held("h1", "alice"));
            assertEquals(List.of("h1"), s.heldFor("alice").stream().map(HeldItem::id).toList());
            assertTrue(s.heldFor("bob").isEmpty());
            assertTrue(s.decide("h1", HeldItem.APPROVED, "alice", 20));
            assertFalse(s.decide("h1", HeldItem.DENIED, "alice", 21), "decided once");
            assertEquals(HeldItem.APPROVED, s.held("h1").orElseThrow().state());
            s.reopen("h1");
            assertEquals(HeldItem.HELD, s.held("h1").orElseThrow().state());

            s.audit(entry("bob", "mallory", "one"));
            s.audit(entry("carol", "bob", "two"));
            s.audit(entry("carol", "dave", "three"));
            List<AuditEntry> bobs = s.auditTrail(Optional.of("bob"), 0, 10);
            assertEquals(List.of("one", "two"), bobs.stream().map(AuditEntry::uid).toList());
            assertTrue(bobs.get(0).seq() < bobs.get(1).seq());
            assertEquals(List.of("two", "three"), s.auditTrail(Optional.empty(), bobs.get(0).seq(), 10).stream()
                    .map(AuditEntry::uid).toList());

            assertFalse(s.knows("bob", "mailto:alice@example.com"));
            s.remember("bob", "mailto:alice@example.com");
            s.remember("bob", "mailto:alice@example.com");
            assertTrue(s.knows("bob", "mailto:alice@example.com"));
            assertFalse(s.knows("carol", "mailto:alice@example.com"));
            // several at once, one known already and one twice: one transaction, no duplicate-key failure
            s.remember("bob", List.of("mailto:alice@example.com", "mailto:dave@example.com",
                    "mailto:erin@example.com", "mailto:dave@example.com"));
            assertTrue(s.knows("bob", "mailto:dave@example.com"));
            assertTrue(s.knows("bob", "mailto:erin@example.com"));
            assertFalse(s.knows("carol", "mailto:dave@example.com"));
        }
    }

    @Test
    void repeatsAreCountedOnOneRowPerWindowAndOldThingsGo() {
        try (Database db = node()) {
            SchedulingStore s = db.scheduling();
            for (int i = 0; i < 5; i++) {
                s.auditRepeat(at(entry("carol", "spam", "flood-" + i), 1_000 + i), "rate:k1", 1_000);
            }
            s.auditRepeat(at(entry("carol", "spam", "other"), 1_500), "rate:k2", 1_000);
            s.auditRepeat(at(entry("carol", "spam", "next-hour"), 5_000), "rate:k1", 4_000);
            List<AuditEntry> trail = s.auditTrail(Optional.of("carol"), 0, 10);
            assertEquals(List.of("flood-0/5", "other/1", "next-hour/1"), trail.stream()
                    .map(e -> e.uid() + "/" + e.repeats()).toList());

            assertEquals(2, s.pruneAudit(1_600));
            assertEquals(List.of("next-hour"), s.auditTrail(Optional.of("carol"), 0, 10).stream()
                    .map(AuditEntry::uid).toList());

            s.hold(held("old", "alice"));
            HeldItem young = held("young", "alice");
            s.hold(new HeldItem(young.id(), young.recipient(), young.recipientAddress(), young.decider(),
                    young.approver(), young.method(), young.uid(), young.sender(), young.summary(),
                    young.transport(), young.data(), young.findings(), 500, HeldItem.HELD, "", 0));
            assertEquals(List.of("old"), s.expireHeld(100, 600).stream().map(HeldItem::id).toList());
            assertTrue(s.expireHeld(100, 601).isEmpty(), "expired once");
            assertEquals(HeldItem.EXPIRED, s.held("old").orElseThrow().state());
            assertEquals("retention", s.held("old").orElseThrow().decidedBy());
            assertEquals(0, s.pruneDecided(600), "decided at 600, not before");
            assertEquals(1, s.pruneDecided(601));
            assertTrue(s.held("old").isEmpty());
            assertEquals(HeldItem.HELD, s.held("young").orElseThrow().state());

            byte[] text = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n".getBytes(StandardCharsets.UTF_8);
            s.addToInbox(new InboxItem("alice", "a.ics", "a", "REQUEST", text, "deliver", "[]", 100));
            s.addToInbox(new InboxItem("bob", "b.ics", "b", "REQUEST", text, "deliver", "[]", 200));
            s.addToInbox(new InboxItem("bob", "c.ics", "c", "REQUEST", text, "deliver", "[]", 300));
            // listings that read no text say what a whole read says
            assertEquals(s.inbox("bob").stream().map(i -> new ObjectSummary(i.name(), i.etag(), i.data().length,
                    i.received(), "")).toList(), s.inboxSummaries("bob"));
            assertEquals(List.of("b.ics/0", "c.ics/0"), s.inboxWithoutText("bob").stream()
                    .map(i -> i.name() + "/" + i.data().length).toList());
            assertEquals(2, s.pruneInbox(300), "received before 300, in every user's inbox");
            assertTrue(s.inbox("alice").isEmpty());
            assertEquals(List.of("c.ics"), s.inbox("bob").stream().map(InboxItem::name).toList());
        }
    }

    @Test
    void aTrailWithoutLocalRecipientsKeepsWhatTheUserReceivedDecidedAndHandedOn() {
        try (Database db = node()) {
            SchedulingStore s = db.scheduling();
            // alice to bob, a local user: bob's verdict; alice to dan, taken by the relay; carol to alice; bob's
            // decision; then what stays: the handed-on rows, failed mail, alice's own refused write
            s.audit(new AuditEntry(0, 1, "delivered", "caldav", "mailto:alice@example.com", "alice",
                    "mailto:bob@example.com", "bob", "REQUEST", "to-bob", "hold", "", "[]", "h1",
                    "mailto:alice@example.com", 1));
            s.audit(new AuditEntry(0, 2, "mail-sent", "imip", "mailto:alice@example.com", "alice",
                    "mailto:dan@elsewhere.example", "", "REQUEST", "to-dan", "sent", "2.0;Success", "[]", "", "relay",
                    1));
            s.audit(new AuditEntry(0, 3, "delivered", "caldav", "mailto:carol@example.com", "carol",
                    "mailto:alice@example.com", "alice", "REQUEST", "from-carol", "deliver", "", "[]", "",
                    "mailto:carol@example.com", 1));
            s.audit(new AuditEntry(0, 4, "approved", "caldav", "mailto:alice@example.com", "alice",
                    "mailto:bob@example.com", "bob", "REQUEST", "to-bob", "approve", "", "[]", "h1", "bob", 1));
            for (String[] row : new String[][] {{"handed-on", "mailto:bob@example.com", "", "to-bob"},
                    {"handed-on", "mailto:dan@elsewhere.example", "", "to-dan"},
                    {"mail-failed", "mailto:dan@elsewhere.example", "", "to-dan"},
                    {"put-refused", "mailto:bob@example.com", "bob", "bobs-event"}}) {
                s.audit(new AuditEntry(0, 5, row[0], "caldav", "mailto:alice@example.com", "alice", row[1], row[2],
                        "REQUEST", row[3], "sent", "", "[]", "", "mailto:alice@example.com", 1));
            }
            assertEquals(List.of("to-bob", "to-dan", "from-carol", "to-bob", "to-bob", "to-dan", "to-dan",
                    "bobs-event"), s.auditTrail(Optional.of("alice"), 0, 10).stream().map(AuditEntry::uid).toList());
            assertEquals(List.of("from-carol/delivered", "to-bob/handed-on", "to-dan/handed-on", "to-dan/mail-failed",
                    "bobs-event/put-refused"), s.auditTrailWithoutLocalRecipients("alice", 0, 10).stream()
                    .map(e -> e.uid() + "/" + e.event()).toList());
            // bob's own: his verdict and decision, and the refused write to his event
            assertEquals(List.of("to-bob", "to-bob", "bobs-event"), s.auditTrailWithoutLocalRecipients("bob", 0, 10)
                    .stream().map(AuditEntry::uid).toList());
        }
    }

    @Test
    void aBounceFindsOnlyASentMessageOfItsOwnSender() {
        try (Database db = node()) {
            MailStore m = db.mail();
            byte[] mail = ("From: alice@example.com\r\nMessage-ID: <q1@guard.example.com>\r\nSubject: x\r\n\r\n"
                    + "Message-ID: <body@example.com>\r\n").getBytes(StandardCharsets.UTF_8);
            QueuedMail q = new QueuedMail("q1", 1, "alice@example.com", "guest@example.net", "REQUEST", "u1", mail, 0,
                    0, QueuedMail.QUEUED, "", 0);
            assertEquals("<q1@guard.example.com>", q.messageId());
            m.enqueue(q);
            assertTrue(m.bounced("<q1@guard.example.com>", "alice@example.com", "guest@example.net", 5, "x").isEmpty(),
                    "not sent yet");
            QueuedMail claimed = m.claimDue(10, 100, 5).get(0);
            m.sent(claimed, 20);
            assertTrue(m.bounced("<q1@guard.example.com>", "bob@example.com", "guest@example.net", 30, "x").isEmpty(),
                    "another user's report");
            assertTrue(m.bounced("<body@example.com>", "alice@example.com", "guest@example.net", 30, "x").isEmpty());
            assertEquals("q1", m.bounced("<q1@guard.example.com>", "ALICE@example.com", "Guest@example.net", 30,
                    "bounced: 5.1.1").orElseThrow().id());
            assertTrue(m.bounced("<q1@guard.example.com>", "alice@example.com", "guest@example.net", 31, "x").isEmpty(),
                    "marked once");
            assertEquals(QueuedMail.BOUNCED, m.queue(Optional.empty(), 5).get(0).state());
            assertEquals(0, m.pruneSettled(30));
            assertEquals(1, m.pruneSettled(31));
            assertTrue(m.queue(Optional.empty(), 5).isEmpty());
        }
    }

    @Test
    void workDoneAtomicallyCommitsWholeOrNotAtAll() {
        try (Database db = node()) {
            assertInstanceOf(MailStore.Receipt.New.class, db.mail().receive("m1", 1, 0));
            // a delivery and its receipt that fail together leave neither
            assertThrows(IllegalStateException.class, () -> db.atomically(() -> {
                db.scheduling().addToInbox(new InboxItem("bob", "x.ics", "u1", "REQUEST", ics("R"), "deliver", "[]",
                        10));
                db.mail().received("m1", "250 2.0.0 delivered");
                throw new IllegalStateException("the node died here");
            }));
            assertTrue(db.scheduling().inbox("bob").isEmpty());
            assertInstanceOf(MailStore.Receipt.Busy.class, db.mail().receive("m1", 2, 0), "still only claimed");

            // a conflict one store reports inside, which its caller handles, spoils nothing else (a savepoint)
            db.calendars().createCalendar(new StoredCalendar("bob", "cal", "Cal", Set.of("VEVENT"), 0));
            String reply = db.atomically(() -> {
                db.scheduling().addToInbox(new InboxItem("bob", "y.ics", "u2", "REQUEST", ics("R"), "deliver", "[]",
                        10));
                db.calendars().put("bob", "cal", "a.ics", "uid-a", ics("A"), ANY, Expectation.NONE);
                assertEquals(StoreConflict.Kind.UID_TAKEN, conflict(() -> db.calendars().put("bob", "cal", "b.ics",
                        "uid-a", ics("B"), ANY, Expectation.NONE)), "the UID is taken");
                db.mail().received("m1", "250 2.0.0 delivered");
                return "250 2.0.0 delivered";
            });
            assertEquals("250 2.0.0 delivered", assertInstanceOf(MailStore.Receipt.Done.class,
                    db.mail().receive("m1", 3, 0)).reply());
            assertEquals(List.of("y.ics"), db.scheduling().inbox("bob").stream().map(InboxItem::name).toList());
            assertTrue(db.calendars().object("bob", "cal", "a.ics").isPresent());
            assertTrue(db.calendars().object("bob", "cal", "b.ics").isEmpty());
        }
    }

    private static AuditEntry at(AuditEntry e, long at) {
        return new AuditEntry(0, at, "verdict", e.transport(), e.sender(), e.senderUser(), e.recipient(),
                e.recipientUser(), e.method(), e.uid(), "reject", "5.1", "[]", "", e.actor());
    }

    @Test
    void aMessageWhoseSlotAnotherMessageHoldsIsHandledAndTheOthersReceiptIsLeftAlone() throws Exception {
        String key = "ab".repeat(32);
        try (Database db = node()) {
            // two keys whose slots meet cannot be found, so the other message's receipt is written by hand
            try (java.sql.Connection c = db.dataSource().getConnection();
                 java.sql.PreparedStatement p = c.prepareStatement(
                         "INSERT INTO mail_receipts (slot, msg_key, started, reply) VALUES (?, 'another', 5, NULL)")) {
                p.setLong(1, SqlMailStore.slot(key));
                assertEquals(1, p.executeUpdate());
            }
            assertInstanceOf(MailStore.Receipt.New.class, db.mail().receive(key, 10, 0), "handled, not held back");
            db.mail().received(key, "250 2.0.0 delivered");
            assertInstanceOf(MailStore.Receipt.New.class, db.mail().receive(key, 20, 0),
                    "with no receipt of its own, a retry is handled again");
            db.mail().forgetReceipt(key);
            assertInstanceOf(MailStore.Receipt.New.class, db.mail().receive(key, 30, 25), "not even once stale");
            try (java.sql.Connection c = db.dataSource().getConnection();
                 java.sql.Statement s = c.createStatement();
                 java.sql.ResultSet r = s.executeQuery("SELECT msg_key, started, reply FROM mail_receipts")) {
                assertTrue(r.next());
                assertEquals("another", r.getString(1));
                assertEquals(5, r.getLong(2), "the other's claim was not taken over");
                assertNull(r.getString(3), "nor answered");
                assertFalse(r.next());
            }
        }
    }

    @Test
    void oneDecisionWinsAcrossNodes() throws Exception {
        try (Database a = node(); Database b = node()) {
            a.scheduling().hold(held("h2", "alice"));
            List<Callable<Boolean>> clicks = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                SchedulingStore s = (i % 2 == 0 ? a : b).scheduling();
                String state = i % 3 == 0 ? HeldItem.DENIED : HeldItem.APPROVED;
                clicks.add(() -> s.decide("h2", state, "alice", 30));
            }
            assertEquals(1, Concurrently.run(clicks).stream().filter(x -> x).count());
        }
    }

    @Test
    void anIncomingMessageIsClaimedOnceAcrossNodes() throws Exception {
        try (Database a = node(); Database b = node()) {
            List<Callable<MailStore.Receipt>> deliveries = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                MailStore m = (i % 2 == 0 ? a : b).mail();
                deliveries.add(() -> m.receive("k1", 100, 0));
            }
            List<MailStore.Receipt> receipts = Concurrently.run(deliveries);
            assertEquals(1, receipts.stream().filter(r -> r instanceof MailStore.Receipt.New).count());
            assertEquals(7, receipts.stream().filter(r -> r instanceof MailStore.Receipt.Busy).count());
            a.mail().received("k1", "250 2.0.0 delivered");
            MailStore.Receipt again = b.mail().receive("k1", 200, 0);
            assertEquals("250 2.0.0 delivered", assertInstanceOf(MailStore.Receipt.Done.class, again).reply());

            assertInstanceOf(MailStore.Receipt.New.class, a.mail().receive("k2", 100, 0));
            assertInstanceOf(MailStore.Receipt.New.class, b.mail().receive("k2", 500, 200), "a dead claim lapses");
            b.mail().forgetReceipt("k2");
            assertInstanceOf(MailStore.Receipt.New.class, a.mail().receive("k2", 600, 0), "a 4xx releases the claim");
            a.mail().pruneReceipts(150);
            assertInstanceOf(MailStore.Receipt.New.class, a.mail().receive("k1", 700, 0), "pruned");
        }
    }

    @Test
    void queuedMailIsClaimedOnceAcrossNodes() throws Exception {
        try (Database a = node(); Database b = node()) {
            for (int i = 0; i < 30; i++) {
                a.mail().enqueue(new QueuedMail("m" + i, i, "alice@example.com", "r" + i + "@example.net",
                        "REQUEST", "u" + i, ics("mail " + i), 0, 0, QueuedMail.QUEUED, "", 0));
            }
            List<Callable<List<QueuedMail>>> senders = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                MailStore m = (i % 2 == 0 ? a : b).mail();
                senders.add(() -> {
                    List<QueuedMail> mine = new ArrayList<>();
                    for (int round = 0; round < 10; round++) {
                        mine.addAll(m.claimDue(1_000, 60_000, 4));
                    }
                    return mine;
                });
            }
            List<String> claimed = Concurrently.run(senders).stream().flatMap(List::stream).map(QueuedMail::id).sorted().toList();
            assertEquals(30, claimed.size(), "every message claimed: " + claimed);
            assertEquals(30, Set.copyOf(claimed).size(), "no message claimed twice");

            QueuedMail m0 = a.mail().queue(Optional.empty(), 100).stream().filter(m -> m.id().equals("m0"))
                    .findFirst().orElseThrow();
            assertEquals(1, m0.attempts());
            b.mail().sent(m0, 2_000);
            QueuedMail stale = new QueuedMail(m0.id(), m0.created(), m0.envelopeFrom(), m0.envelopeTo(), m0.method(),
                    m0.uid(), m0.message(), 0, 0, QueuedMail.QUEUED, "", 0);
            a.mail().failed(stale, 2_001, "late");
            assertEquals(QueuedMail.SENT, a.mail().queue(Optional.of(QueuedMail.SENT), 10).get(0).state(),
                    "a sender whose claim lapsed settles nothing");
        }
    }

    @Test
    void signInsAreSharedBoundedAndExpire() {
        try (Database a = node(); Database b = node()) {
            a.sessions().open("t1", new SessionStore.Session("alice", "c1", 1_000), 0, 3);
            assertEquals("c1", b.sessions().find("t1", 500).orElseThrow().csrf(), "another node sees the sign-in");
            assertTrue(b.sessions().find("t1", 1_001).isEmpty(), "lapsed");
            for (int i = 2; i <= 5; i++) {
                a.sessions().open("t" + i, new SessionStore.Session("alice", "c" + i, 1_000 + i), 0, 3);
            }
            assertTrue(a.sessions().find("t2", 0).isEmpty(), "the oldest beyond three went");
            assertTrue(a.sessions().find("t5", 0).isPresent());
            b.sessions().close("t5");
            assertTrue(a.sessions().find("t5", 0).isEmpty());
        }
    }

    @Test
    void sharedRateLimitsHoldAcrossNodes() throws Exception {
        try (Database a = node(); Database b = node()) {
            SqlRateLimits la = a.sharedRateLimits();
            SqlRateLimits lb = b.sharedRateLimits();
            Instant t = Instant.parse("2026-11-21T10:00:00Z");
            RateLimiter.Limit sender = new RateLimiter.Limit("sender:mailto:mallory@example.net", 10, 60);
            List<Callable<Boolean>> messages = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                RateLimiter l = i % 2 == 0 ? la : lb;
                RateLimiter.Limit recipient = new RateLimiter.Limit("recipient:" + (i % 3), 100, 60);
                messages.add(() -> l.tryTakeAll(List.of(recipient, sender), t).isEmpty());
            }
            assertEquals(10, Concurrently.run(messages).stream().filter(x -> x).count(), "the burst holds for the cluster");
            // a refused message takes nothing from the other bucket
            RateLimiter.Limit fresh = new RateLimiter.Limit("recipient:fresh", 1, 60);
            assertEquals(List.of(sender), la.tryTakeAll(List.of(fresh, sender), t));
            assertTrue(lb.tryTakeAll(List.of(fresh), t).isEmpty());
            // one token a minute comes back
            assertTrue(la.tryTakeAll(List.of(sender), t.plusSeconds(61)).isEmpty());
            assertFalse(lb.tryTakeAll(List.of(sender), t.plusSeconds(62)).isEmpty());
            // a clock behind the last writer refills nothing
            assertFalse(lb.tryTakeAll(List.of(sender), t.minusSeconds(3600)).isEmpty());
            // a token given back on one node counts on the other, never past the burst
            la.giveBack(List.of(sender), t.plusSeconds(62));
            assertTrue(lb.tryTakeAll(List.of(sender), t.plusSeconds(62)).isEmpty(), "the token given back");
            assertFalse(la.tryTakeAll(List.of(sender), t.plusSeconds(62)).isEmpty());
            RateLimiter.Limit small = new RateLimiter.Limit("sender:mailto:small@example.net", 2, 1);
            assertTrue(la.tryTakeAll(List.of(small), t).isEmpty());
            for (int i = 0; i < 5; i++) {
                lb.giveBack(List.of(small), t);
            }
            assertTrue(la.tryTakeAll(List.of(small), t).isEmpty());
            assertTrue(lb.tryTakeAll(List.of(small), t).isEmpty());
            assertFalse(la.tryTakeAll(List.of(small), t).isEmpty(), "a bucket holds its burst at most");
            int buckets = la.size();
            lb.giveBack(List.of(new RateLimiter.Limit("sender:mailto:never@example.net", 2, 1)), t);
            assertEquals(buckets, la.size(), "nothing made for a bucket never taken from");

            // keys a sender chooses may be long or odd; they still count, and a full bucket is pruned
            String hostile = "sender:mailto:" + "x".repeat(5_000) + "\0@example.net";
            RateLimiter.Limit odd = new RateLimiter.Limit(hostile, 1, 60);
            assertTrue(la.tryTakeAll(List.of(odd), t).isEmpty());
            assertEquals(List.of(odd), lb.tryTakeAll(List.of(odd), t));
            int before = la.size();
            assertTrue(la.prune(t.plusSeconds(3600 * 24).toEpochMilli()) >= before - 1);
            assertEquals(0, lb.size());
            assertTrue(lb.tryTakeAll(List.of(odd), t.plusSeconds(3600 * 24)).isEmpty(), "a pruned bucket comes back full");
        }
    }

    @Test
    void hostileTextIsStoredOrRefusedCleanly() {
        try (Database db = node()) {
            CalendarStore store = db.calendars();
            // the widest keys the reader lets through: a 1,024-byte UID in a calendar with a 255-character name
            String wide = "\u00fc".repeat(255);
            store.createCalendar(new StoredCalendar("alice", wide, "\u00fcber", Set.of("VEVENT"), 0));
            store.createCalendar(new StoredCalendar("alice", "c", "C", Set.of("VEVENT"), 0));
            String uid = "\u6f22".repeat(341);
            store.put("alice", wide, "wide.ics", uid, event("W"), ANY, Expectation.NONE);
            assertEquals(uid, store.objectByUid("alice", uid).orElseThrow().object().uid());
            assertArrayEquals(event("W"), store.object("alice", wide, "wide.ics").orElseThrow().data());
            db.scheduling().remember("alice", "mailto:" + "\u6f22".repeat(1000) + "@example.net");
            assertTrue(db.scheduling().knows("alice", "mailto:" + "\u6f22".repeat(1000) + "@example.net"));
            // text with NUL (PostgreSQL cannot store it) is stored with a replacement character
            db.scheduling().audit(entry("bob", "mallory\0", "nul\0uid"));
            assertEquals("mailto:mallory\ufffd@example.net", db.scheduling().auditTrail(Optional.of("bob"), 0, 5).get(0).sender());
            // and its text reads back, and the object takes a new version under the same UID
            store.put("alice", "c", "nul.ics", "a\0b", event("N"), ANY, Expectation.NONE);
            assertArrayEquals(event("N"), store.objectByUid("alice", "a\ufffdb").orElseThrow().object().data());
            store.put("alice", "c", "nul.ics", "a\0b", event("N2"), ANY, Expectation.NONE);
            assertArrayEquals(event("N2"), store.object("alice", "c", "nul.ics").orElseThrow().data());
        }
    }

    @Test
    void eachUsersPreferencesListsAndSpamReports() {
        try (Database a = node(); Database b = node()) {
            PreferenceStore p = a.preferences();
            assertEquals(PreferenceStore.Preferences.DEFAULT, p.preferences("alice"));
            p.save("alice", new PreferenceStore.Preferences("known", "Europe/Paris", false, true));
            assertEquals(new PreferenceStore.Preferences("known", "Europe/Paris", false, true),
                    b.preferences().preferences("alice"));
            assertTrue(p.list("alice", "@spam.example", PreferenceStore.SenderEntry.BLOCK, 1));
            assertTrue(p.list("alice", "mailto:friend@spam.example", PreferenceStore.SenderEntry.ALLOW, 2));
            // the most specific entry decides: the address over its domain, the subdomain over its parent
            assertEquals(Optional.of("allow"), p.listed("alice", List.of("mailto:friend@spam.example",
                    "@spam.example")));
            assertEquals(Optional.of("block"), p.listed("alice", List.of("mailto:other@mx.spam.example",
                    "@mx.spam.example", "@spam.example")));
            assertEquals(Optional.empty(), p.listed("bob", List.of("@spam.example")));
            // moving an entry to the other list keeps one entry
            assertTrue(p.list("alice", "@spam.example", PreferenceStore.SenderEntry.ALLOW, 3));
            assertEquals(2, p.senders("alice").size());
            assertTrue(p.unlist("alice", "@spam.example"));
            assertFalse(p.unlist("alice", "@spam.example"));
            for (int i = 0; i < PreferenceStore.MAX_LIST_ENTRIES; i++) {
                p.list("carol", "@d" + i + ".example", PreferenceStore.SenderEntry.BLOCK, i);
            }
            assertFalse(p.list("carol", "@one-too-many.example", PreferenceStore.SenderEntry.BLOCK, 0), "bounded");

            p.report(new PreferenceStore.SpamReport("r1", "alice", "mailto:eve@x.example", "u1", "imip", ics("S"),
                    "{}", 5, 10));
            assertEquals("u1", b.preferences().spamReport("r1").orElseThrow().uid());
            assertEquals(5, b.preferences().reports(10).get(0).arrived());
            assertEquals(1, p.pruneReports(11));
            assertTrue(p.reports(10).isEmpty());
        }
    }

    @Test
    void noticesSecretsAndSingleUseLinksAcrossNodes() {
        try (Database a = node(); Database b = node()) {
            // one notice an hour, whichever node asks; the daily digest counts apart
            long t = 1_764_000_000_000L;
            assertTrue(a.preferences().claimNotice("alice", false, t, 3_600_000));
            assertFalse(b.preferences().claimNotice("alice", false, t + 1_000, 3_600_000));
            // a node whose clock is five seconds behind still sees the claim
            assertFalse(b.preferences().claimNotice("alice", false, t - 5_000, 3_600_000));
            assertTrue(b.preferences().claimNotice("alice", true, t + 2_000, 86_400_000));
            assertTrue(b.preferences().claimNotice("alice", false, t + 3_601_000, 3_600_000));
            // a clock set back by a day (a restored machine) does not silence her for a day
            assertTrue(a.preferences().claimNotice("alice", false, t - 86_400_000, 3_600_000));
            // every node signs with the same key
            String key = a.preferences().secret("one-click-links");
            assertEquals(64, key.length());
            assertEquals(key, b.preferences().secret("one-click-links"));
            assertFalse(a.preferences().linkUsed("h1"));
            assertTrue(a.preferences().useLink("h1", 100));
            assertTrue(b.preferences().linkUsed("h1"));
            assertFalse(b.preferences().useLink("h1", 100), "a link works once");
            assertEquals(1, a.preferences().pruneLinks(101));
            // held items are announced once
            assertTrue(a.preferences().claimNotice("alice", false, t, 3_600_000), "an hour after the set-back one");
            a.scheduling().hold(held("n1", "alice"));
            a.scheduling().hold(held("n2", "dave"));
            assertEquals(List.of("n1", "n2"), a.scheduling().unannounced(t, 10).stream().map(HeldItem::id).toList());
            assertEquals(0, a.scheduling().unannounced(t, 10).get(0).data().length, "listed without the message");
            // alice was mailed within the hour: her items wait, and do not crowd out dave's
            assertEquals(List.of("n2"), a.scheduling().unannounced(t - 3_600_000, 10).stream().map(HeldItem::id)
                    .toList());
            assertTrue(b.scheduling().announce("n1", 5));
            assertFalse(a.scheduling().announce("n1", 6));
            assertEquals(List.of("n2"), a.scheduling().unannounced(t, 10).stream().map(HeldItem::id).toList());
            assertEquals(List.of("n1"), a.scheduling().heldSummaries("alice", 10).stream().map(HeldItem::id)
                    .toList());
        }
    }

    static HeldItem held(String id, String decider) {
        return new HeldItem(id, "bob", "mailto:bob@example.com", decider, "organizer", "REQUEST", "u-" + id,
                "mailto:mallory@example.net", "Party", "caldav", ics("H"), "[]", 10, HeldItem.HELD, "", 0);
    }

    static AuditEntry entry(String recipient, String sender, String uid) {
        return new AuditEntry(0, 1, "delivered", "caldav", "mailto:" + sender + "@example.net", sender,
                "mailto:" + recipient + "@example.com", recipient, "REQUEST", uid, "deliver", "2.0", "[]", "", "");
    }

}
