package dev.inboxguard.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints that picture only whole transactions, and recovery that opens such a picture after a crash. */
class CheckpointGateTest {
    @TempDir
    Path dir;

    /**
     * A version H2 wrote outside a checkpoint (its background writer does, while transactions go on) may hold part of
     * a transaction, and after a kill recovery would open it. Here a write reaches the store without a checkpoint and
     * H2 writes it on its own; the kill comes next. The store must open at the last checkpoint's version: the
     * acknowledged write there, the other one not.
     */
    @Test
    void afterAKillTheStoreOpensAtTheLastVersionACheckpointWroteWhole() throws Exception {
        Path data = Files.createDirectories(dir.resolve("db"));
        Path killed = Files.createDirectories(dir.resolve("killed"));
        long before = OrderedWrites.notWholeLeftOut();
        try (Database db = Database.embedded(data)) {
            db.calendars().createCalendar(new StoredCalendar("alice", "work", "Work", Set.of("VEVENT"), 0));
            db.calendars().put("alice", "work", "kept.ics", "kept", event("kept"), new TimeSpan("VEVENT", 0, 1),
                    Expectation.NONE);
            DataSource raw = db.dataSource().unwrap(com.zaxxer.hikari.HikariDataSource.class);
            // past the group commit: committed in memory, never acknowledged, no checkpoint
            new SqlCalendarStore(raw).put("alice", "work", "unacknowledged.ics", "unacknowledged",
                    event("unacknowledged"), new TimeSpan("VEVENT", 0, 1), Expectation.NONE);
            MVStore store;
            try (Connection c = raw.getConnection()) {
                store = GroupCommit.store(c);
            }
            // as H2's background writer would: a version written while the gate is open
            long version = store.commit();
            store.getFileStore().executeFileStoreOperation(() -> { });
            Path file = data.resolve("inboxguard.mv.db");
            try (FileChannel f = FileChannel.open(file)) {
                ChunkChain.Chunk newest = ChunkChain.everyChunk(f).stream()
                        .max(Comparator.comparingLong(ChunkChain.Chunk::version)).orElseThrow();
                assertEquals(version, newest.version(), "H2 wrote the version");
                assertFalse(ChunkChain.markedWhole(f, newest), "a version written outside a checkpoint is not marked");
                assertTrue(ChunkChain.everyChunk(f).stream().anyMatch(c -> marked(f, c)), "checkpoints' versions are");
            }
            // the kill: the file as the process left it
            Files.copy(file, killed.resolve("inboxguard.mv.db"));
        }
        try (Database reopened = Database.embedded(killed)) {
            assertTrue(reopened.calendars().object("alice", "work", "kept.ics").isPresent(), "the acknowledged write");
            assertFalse(reopened.calendars().object("alice", "work", "unacknowledged.ics").isPresent(),
                    "the store opened at a version written outside a checkpoint");
        }
        assertEquals(before + 1, OrderedWrites.notWholeLeftOut());
    }

    /**
     * The versions H2 numbers while the gate is shut are the ones marked whole, also those whose chunks are written
     * after it opens again; a chunk between names the newest such version before it, and none from before the
     * process's first checkpoint.
     */
    @Test
    void theMarksFollowTheVersionsNumberedWithTheGateShut() {
        ChunkChain chain = new ChunkChain();
        assertEquals(-1, chain.wholeBefore(5), "no checkpoint yet in this process");
        chain.wholeVersionsFrom(10);
        assertFalse(chain.whole(10), "current when the gate shut: its picture may have begun before");
        assertTrue(chain.whole(11), "numbered with the gate shut, written before it opens");
        chain.wholeVersionsUpTo(11);
        assertFalse(chain.whole(12));
        assertEquals(11, chain.wholeBefore(12));
        chain.wholeVersionsFrom(14);
        chain.wholeVersionsUpTo(16);
        assertEquals(11, chain.wholeBefore(14));
        assertTrue(chain.whole(15), "written after the gate opened");
        assertTrue(chain.whole(16));
        assertFalse(chain.whole(17));
        assertEquals(16, chain.wholeBefore(17));
        // a capture that wrote no version of its own marks nothing
        chain.wholeVersionsFrom(20);
        chain.wholeVersionsUpTo(20);
        assertFalse(chain.whole(21));
        assertEquals(16, chain.wholeBefore(21));
    }

    /**
     * The gate shuts only once no statement is in flight, and holds new ones back while it is shut; a transaction
     * already under way goes on while it shuts (it may hold row locks the statement in flight waits for).
     */
    @Test
    void theGateWaitsForStatementsInFlightAndHoldsBackNewOnes() throws Exception {
        Path data = Files.createDirectories(dir.resolve("gate"));
        try (Database db = Database.embedded(data)) {
            db.calendars().createCalendar(new StoredCalendar("alice", "work", "Work", Set.of("VEVENT"), 0));
            CheckpointGate gate = new CheckpointGate();
            DataSource raw = db.dataSource().unwrap(com.zaxxer.hikari.HikariDataSource.class);
            try (Connection midway = gate.guard(raw.getConnection());
                 Connection fresh = gate.guard(raw.getConnection())) {
                try {
                    shutAndHold(gate, midway, fresh);
                } finally {
                    // the connections' close passes the gate too
                    gate.open();
                }
            }
        }
    }

    private static void shutAndHold(CheckpointGate gate, Connection midway, Connection fresh) throws Exception {
        midway.setAutoCommit(false);
        run(midway, "SELECT COUNT(*) FROM calendars");
        // a call in flight, as a statement's is while H2 runs it
        gate.enter(false);
        CompletableFuture<Void> shut = CompletableFuture.runAsync(gate::shut);
        Thread.sleep(200);
        assertFalse(shut.isDone(), "the gate waits for the call in flight");
        // the transaction under way goes on; a statement of a connection not in one waits
        run(midway, "SELECT COUNT(*) FROM calendars");
        CompletableFuture<Void> held = CompletableFuture.runAsync(() -> run(fresh, "SELECT COUNT(*) FROM calendars"));
        Thread.sleep(200);
        assertFalse(held.isDone(), "a new statement waits while the gate shuts");
        gate.leave();
        shut.get(5, TimeUnit.SECONDS);
        Thread.sleep(200);
        assertFalse(held.isDone(), "a new statement waits while the gate is shut");
        gate.open();
        held.get(5, TimeUnit.SECONDS);
        midway.commit();
    }

    private static void run(Connection c, String sql) {
        try (Statement s = c.createStatement()) {
            s.executeQuery(sql).close();
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static boolean marked(FileChannel f, ChunkChain.Chunk c) {
        try {
            return ChunkChain.markedWhole(f, c);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    private static byte[] event(String uid) {
        return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//gate//EN\r\nBEGIN:VEVENT\r\nUID:" + uid
                + "\r\nDTSTAMP:20261204T090000Z\r\nDTSTART:20261210T100000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }
}
