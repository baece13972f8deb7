package dev.inboxguard.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint's fsync and the chunks H2's background writer has on its own threads. */
class GroupCommitTest {
    @TempDir
    Path dir;

    /**
     * H2's background writer has taken every commit, the checkpoint's own change included, and its save thread has
     * not yet written the chunk (here held up in its write). The checkpoint then has nothing of its own to write:
     * H2's {@code CHECKPOINT SYNC} fsynced at once, before the chunk was written, and acknowledged what a kill could
     * still take. The fsync must come after the chunk.
     */
    @Test
    void theFsyncComesAfterTheChunkTheBackgroundWriterHasInHand() throws Exception {
        Recording.register();
        Path data = java.nio.file.Files.createDirectories(dir.resolve("db"));
        CountDownLatch hold = new CountDownLatch(1);
        // the hold ends before the database closes, whatever fails: the close writes chunks too
        try (Database db = Database.embedded(data, Recording.SCHEME + ":", false);
             AutoCloseable released = () -> Recording.release(hold)) {
            db.calendars().createCalendar(new StoredCalendar("alice", "work", "Work", java.util.Set.of("VEVENT"), 0));
            MVStore store = holdTheChunks(db, hold);
            try (java.sql.Connection c = db.dataSource().getConnection();
                 java.sql.Statement st = c.createStatement()) {
                // a commit that ends in memory, as one does before it waits for the checkpoint
                st.executeUpdate("UPDATE store_checkpoints SET checkpoints = checkpoints + 1 WHERE id = 1");
            }
            Recording.EVENTS.clear();
            Recording.on = true;
            // as H2's background writer does: the version goes to H2's own threads, not waited for
            store.tryCommit();
            // the serialization thread takes the version from the store; the save thread is held
            for (int i = 0; i < 1_000 && store.hasUnsavedChanges(); i++) {
                Thread.sleep(10);
            }
            assertFalse(store.hasUnsavedChanges(), "H2's threads have it all: a checkpoint has nothing of its own");
            CompletableFuture<Void> checkpoint = CompletableFuture.runAsync(() -> {
                try {
                    GroupCommit.writeAndSync(store);
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            // long enough for a checkpoint that does not wait to fsync ahead of the chunk
            Thread.sleep(300);
            boolean returnedWhileHeld = checkpoint.isDone();
            hold.countDown();
            checkpoint.get(30, TimeUnit.SECONDS);
            List<String> events = List.copyOf(Recording.EVENTS);
            assertFalse(returnedWhileHeld, "the checkpoint returned while the chunk was still held: " + events);
            assertTrue(events.contains("chunk"), "the background writer's chunk was written: " + events);
            assertTrue(events.lastIndexOf("fsync") > events.indexOf("chunk"),
                    "an fsync came after the chunk was written: " + events);
        } finally {
            Recording.release(hold);
            Recording.on = false;
        }
    }

    /**
     * The committing thread is interrupted while its checkpoint waits for H2's save thread (a pool's stop, or an
     * executor's shutdownNow(), does that). H2's wait gives up on an interrupt without a word, and an interrupt in a
     * file operation closes the file for every connection: the checkpoint runs on a thread of its own, and the
     * committing thread waits for it, gets its interrupt back afterwards, and the store goes on.
     */
    @Test
    void anInterruptedCommitStillWaitsForItsCheckpointAndLeavesTheFileOpen() throws Exception {
        Recording.register();
        Path data = java.nio.file.Files.createDirectories(dir.resolve("interrupted"));
        CountDownLatch hold = new CountDownLatch(1);
        // the hold ends before the database closes, whatever fails: the close writes chunks too
        try (Database db = Database.embedded(data, Recording.SCHEME + ":", false);
             AutoCloseable released = () -> Recording.release(hold)) {
            db.calendars().createCalendar(new StoredCalendar("alice", "work", "Work", java.util.Set.of("VEVENT"), 0));
            MVStore store = holdTheChunks(db, hold);
            Recording.EVENTS.clear();
            Recording.on = true;
            java.util.concurrent.atomic.AtomicBoolean interruptedAfter = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicReference<Throwable> failed =
                    new java.util.concurrent.atomic.AtomicReference<>();
            Thread committer = new Thread(() -> {
                try {
                    db.groupCommit().orElseThrow().checkpointNow();
                } catch (Throwable e) {
                    failed.set(e);
                }
                interruptedAfter.set(Thread.interrupted());
            }, "committer");
            committer.start();
            // interrupted once it waits for the checkpoint, not while H2 may still read the file on its own thread
            for (int i = 0; i < 1_000 && !waitsInTheCheckpoint(committer); i++) {
                Thread.sleep(10);
            }
            assertTrue(waitsInTheCheckpoint(committer), "the commit waits for its checkpoint");
            committer.interrupt();
            // long enough for a wait that gave up to fsync ahead of the chunk
            Thread.sleep(300);
            boolean returnedWhileHeld = !committer.isAlive();
            hold.countDown();
            committer.join(30_000);
            List<String> events = List.copyOf(Recording.EVENTS);
            assertFalse(returnedWhileHeld, "the commit returned while its chunk was still held: " + events);
            assertEquals(null, failed.get(), "the checkpoint failed");
            assertTrue(interruptedAfter.get(), "the interrupt is given back to the committing thread");
            assertTrue(events.contains("chunk"), "the chunk was written: " + events);
            assertTrue(events.lastIndexOf("fsync") > events.indexOf("chunk"),
                    "an fsync came after the chunk was written: " + events);
            // the file is still open for every connection
            db.calendars().createCalendar(new StoredCalendar("alice", "home", "Home", java.util.Set.of("VEVENT"), 0));
            assertTrue(db.calendars().calendar("alice", "home").isPresent(), "a write after it is kept");
        } finally {
            Recording.release(hold);
            Recording.on = false;
        }
    }

    /**
     * The gate holds statements back while H2 takes a checkpoint's picture, not while H2 serializes and writes it.
     * Here every chunk's write is held: the checkpoint has handed its version to H2 and waits for the write, and a read
     * and a write on another connection still go through. Before, they waited for the write as well.
     */
    @Test
    void statementsGoOnWhileACheckpointsVersionIsWritten() throws Exception {
        Recording.register();
        Path data = java.nio.file.Files.createDirectories(dir.resolve("handed-over"));
        CountDownLatch hold = new CountDownLatch(1);
        // compressed pages, as the server's default: their serialization is what statements no longer wait for
        try (Database db = Database.embedded(data, Recording.SCHEME + ":", true);
             AutoCloseable released = () -> Recording.release(hold)) {
            db.calendars().createCalendar(new StoredCalendar("alice", "work", "Work", java.util.Set.of("VEVENT"), 0));
            MVStore store = holdTheChunks(db, hold);
            java.util.concurrent.atomic.AtomicReference<Throwable> failed =
                    new java.util.concurrent.atomic.AtomicReference<>();
            Thread committer = new Thread(() -> {
                try {
                    db.groupCommit().orElseThrow().checkpointNow();
                } catch (Throwable e) {
                    failed.set(e);
                }
            }, "committer");
            committer.start();
            for (int i = 0; i < 1_000 && !handedOverAndWaiting(); i++) {
                Thread.sleep(10);
            }
            assertTrue(handedOverAndWaiting(), "the checkpoint handed its version to H2 and waits for the write");
            // the gate may be open by now, so a version numbered from here on may be torn: none may count as whole
            assertFalse(OrderedWrites.takingWholeVersions(store.getFileStore().getFileName()),
                    "versions numbered after the hand-over would be marked whole");
            CompletableFuture<Integer> statements = CompletableFuture.supplyAsync(() -> {
                try (java.sql.Connection c = db.dataSource().getConnection()) {
                    c.setAutoCommit(false);
                    try (java.sql.Statement st = c.createStatement()) {
                        int changed = st.executeUpdate(
                                "UPDATE store_checkpoints SET checkpoints = checkpoints + 1 WHERE id = 1");
                        try (java.sql.ResultSet rs = st.executeQuery("SELECT checkpoints FROM store_checkpoints")) {
                            changed += rs.next() ? 1 : 0;
                        }
                        c.rollback();
                        return changed;
                    }
                } catch (java.sql.SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            int done;
            try {
                done = statements.get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                done = -1;
            }
            boolean stillHeld = committer.isAlive();
            hold.countDown();
            committer.join(30_000);
            assertEquals(2, done, "the statements ran while the checkpoint's write was held");
            assertTrue(stillHeld, "the checkpoint was still waiting for its write meanwhile");
            assertEquals(null, failed.get(), "the checkpoint failed");
        } finally {
            Recording.release(hold);
        }
    }

    @Test
    void aCommitWhoseFsyncFailsSaysItWasCommitted() throws Exception {
        Recording.register();
        Path data = java.nio.file.Files.createDirectories(dir.resolve("failing-fsync"));
        Database db = Database.embedded(data, Recording.SCHEME + ":", false);
        try {
            db.calendars().createCalendar(new StoredCalendar("alice", "work", "Work", java.util.Set.of("VEVENT"), 0));
            Recording.failingFsync = true;
            StoreFailure failed = org.junit.jupiter.api.Assertions.assertThrows(StoreFailure.class, () ->
                    db.atomically(() -> db.calendars().createCalendar(new StoredCalendar("alice", "home", "Home",
                            java.util.Set.of("VEVENT"), 0))));
            assertTrue(failed.committed(), "committed, only not on the disk: " + failed);
            // a failure before the commit is not one that committed
            StoreFailure refused = org.junit.jupiter.api.Assertions.assertThrows(StoreFailure.class, () ->
                    db.atomically(() -> {
                        db.calendars().createCalendar(new StoredCalendar("alice", "x", "X", java.util.Set.of("VEVENT"),
                                0));
                        throw new StoreFailure("the test fails the unit", null);
                    }));
            assertFalse(refused.committed());
        } finally {
            Recording.failingFsync = false;
            try {
                db.close();
            } catch (RuntimeException closingAfterAFailedFsync) {
                // H2 may refuse to close a store whose file failed it; the test is about what came before
            }
        }
    }

    /** @return whether the checkpoint's thread has handed a version to H2 and waits for its serialization and write */
    private static boolean handedOverAndWaiting() {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().equals("store-checkpoint"))
                .filter(e -> e.getKey().getState() == Thread.State.WAITING
                        || e.getKey().getState() == Thread.State.TIMED_WAITING)
                .anyMatch(e -> java.util.Arrays.stream(e.getValue())
                        .anyMatch(f -> f.getMethodName().equals("storeIt")));
    }

    /** @return whether a thread is parked in a checkpoint's wait, the checkpoint's own or H2's for its threads */
    private static boolean waitsInTheCheckpoint(Thread t) {
        if (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            return false;
        }
        return java.util.Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getMethodName().equals("writeAndSync")
                || f.getMethodName().equals("apart"));
    }

    /**
     * Holds every chunk H2 writes in its write until the latch opens, so that the thread writing it (H2's save thread,
     * when its background writer or a commit hands the chunk there) has not written it yet.
     *
     * @return the store behind the database
     */
    private static MVStore holdTheChunks(Database db, CountDownLatch hold) throws Exception {
        MVStore store;
        try (java.sql.Connection c = db.dataSource().getConnection()) {
            store = GroupCommit.store(c);
        }
        Recording.held = hold;
        return store;
    }

    /** Writes through, and records each write (a chunk or the header) and each fsync while {@link #on}. */
    public static final class Recording extends FilePathWrapper {
        static final String SCHEME = "recording";
        static final List<String> EVENTS = new CopyOnWriteArrayList<>();
        static volatile boolean on;
        /** While set and closed, each chunk's write waits for it to open. */
        static volatile CountDownLatch held;
        /** While set, every fsync fails, as on a disk that has gone bad. */
        static volatile boolean failingFsync;

        static {
            FilePath.register(new Recording());
        }

        /** For H2, which makes one per path. */
        public Recording() {
        }

        static void register() {
            // the static initialiser has run by the time this returns
        }

        /** Opens the latch and ends the hold, for the writes waiting on it and any after. */
        static void release(CountDownLatch hold) {
            hold.countDown();
            held = null;
        }

        @Override
        public String getScheme() {
            return SCHEME;
        }

        @Override
        public FileChannel open(String mode) throws IOException {
            return new ForwardingChannel(getBase().open(mode)) {
                @Override
                public int write(ByteBuffer src, long position) throws IOException {
                    CountDownLatch hold = held;
                    if (hold != null && position >= OrderedWrites.HEADER_END) {
                        try {
                            hold.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    int n = base.write(src, position);
                    if (on) {
                        EVENTS.add(position >= OrderedWrites.HEADER_END ? "chunk" : "header");
                    }
                    return n;
                }

                @Override
                public void force(boolean metaData) throws IOException {
                    if (failingFsync) {
                        throw new IOException("the test fails the fsync");
                    }
                    base.force(metaData);
                    if (on) {
                        EVENTS.add("fsync");
                    }
                }
            };
        }
    }
}
