package dev.inboxguard.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.store.fs.FilePath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the {@code ordered:} file system does with a file a crash left, before H2 has said where its walk starts, and
 * with each chunk it writes.
 */
class OrderedWritesTest {
    private static final int TAIL = 16 * ChunkChain.BLOCK;

    @TempDir
    Path dir;

    @Test
    void aCutOfTheEndBeforeTheFirstHeaderAfterACrashWaitsForThatHeader() throws Exception {
        Path crashed = crashedStoreWithAFreeTail();
        long size = Files.size(crashed);
        try (FileChannel file = FilePath.get(OrderedWrites.SCHEME + ":" + crashed).open("rw")) {
            file.truncate(size - TAIL);
            // not on the disk yet, where the walk from the header the crash left may run into the end
            assertEquals(size, Files.size(crashed));
            assertEquals(size - TAIL, file.size(), "H2 is told the file is as it cut it");

            writeTheHeaderAgain(file);
            assertEquals(size - TAIL, Files.size(crashed), "the cut is made once the header is on the disk");
            assertEquals(size - TAIL, file.size());
        }
    }

    @Test
    void aCutWaitingWhenSomethingElseIsWrittenIsMadeFirst() throws Exception {
        Path crashed = crashedStoreWithAFreeTail();
        long size = Files.size(crashed);
        try (FileChannel file = FilePath.get(OrderedWrites.SCHEME + ":" + crashed).open("rw")) {
            file.truncate(size - TAIL);
            assertEquals(size, Files.size(crashed));
            // a chunk H2 appends where it cut, without a header: recovery looks for it at the file's end
            file.write(ByteBuffer.allocate(2 * ChunkChain.BLOCK), size - TAIL - ChunkChain.BLOCK);
            assertEquals(size - TAIL + ChunkChain.BLOCK, Files.size(crashed));
            assertEquals(size - TAIL + ChunkChain.BLOCK, file.size());
            // nothing waits any more: the header that follows changes no size
            writeTheHeaderAgain(file);
            assertEquals(size - TAIL + ChunkChain.BLOCK, Files.size(crashed));
        }
    }

    @Test
    void everyChunkCarriesACheckValueOfItsBytesThatPlainH2PassesOver() throws Exception {
        OrderedWrites.register();
        Path file = dir.resolve("summed.mv.db");
        MVStore store = new MVStore.Builder().fileName(OrderedWrites.SCHEME + ":" + file).autoCommitDisabled().open();
        MVMap<Integer, String> written = store.openMap("m");
        for (int i = 0; i < 300; i++) {
            written.put(i, "value " + i);
            if (i % 100 == 99) {
                store.commit();
            }
        }
        store.close();

        // plain H2, and H2's own check of the whole file, read it as it was written
        MVStore plain = new MVStore.Builder().fileName(file.toString()).readOnly().open();
        MVMap<Integer, String> read = plain.openMap("m");
        assertEquals(300, read.size());
        assertEquals("value 299", read.get(299));
        plain.close();
        java.io.StringWriter info = new java.io.StringWriter();
        assertEquals(null, org.h2.mvstore.MVStoreTool.info(file.toString(), info), info.toString());
        java.io.StringWriter dump = new java.io.StringWriter();
        org.h2.mvstore.MVStoreTool.dump(file.toString(), dump, true);
        assertFalse(dump.toString().contains("ERROR"), dump.toString());
        assertTrue(dump.toString().contains(ChunkChain.BODY_SUM + ":"), "the tool shows the footers with the value");

        try (FileChannel f = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ChunkChain.Chunk named = ChunkChain.namedChunk(f).orElseThrow();
            ByteBuffer footer = ByteBuffer.allocate(ChunkChain.footerLength());
            f.read(footer, ChunkChain.footerPosition(named));
            assertTrue(new String(footer.array(), java.nio.charset.StandardCharsets.ISO_8859_1)
                    .contains("," + ChunkChain.BODY_SUM + ":"), "the footer has the value");
            assertTrue(ChunkChain.bodyAsWritten(f, named));
            // a byte changed in the middle of a page: the pages' check passes it, the value does not
            f.write(ByteBuffer.wrap(new byte[] {(byte) 0x5a}), insideTheLongestPage(f, named));
            assertTrue(ChunkChain.pagesWhole(f, named));
            assertFalse(ChunkChain.bodyAsWritten(f, named));
        }
    }

    @Test
    void theValueIsAddedOnceAndABufferThatCannotBeWrittenToIsCopied() throws Exception {
        Path file = dir.resolve("one.mv.db");
        MVStore store = new MVStore.Builder().fileName(file.toString()).open();
        store.openMap("m").put(1, "one");
        store.close();
        ChunkChain.Chunk named;
        ByteBuffer chunk;
        try (FileChannel f = FileChannel.open(file, StandardOpenOption.READ)) {
            named = ChunkChain.namedChunk(f).orElseThrow();
            chunk = ByteBuffer.allocate(named.blocks() * ChunkChain.BLOCK);
            f.read(chunk, named.block() * ChunkChain.BLOCK);
        }
        ByteBuffer plain = chunk.flip().asReadOnlyBuffer();
        ByteBuffer summed = ChunkChain.withBodySum(plain);
        assertTrue(summed != plain && !summed.isReadOnly(), "a copy");
        assertEquals(chunk, plain, "the buffer H2 gave is as it was");
        assertEquals(ChunkChain.footer(plain, named.block() * ChunkChain.BLOCK),
                ChunkChain.footer(summed, named.block() * ChunkChain.BLOCK), "the footer still reads the same");
        ByteBuffer again = summed.duplicate();
        assertTrue(ChunkChain.withBodySum(again) == again, "a footer with the value is left as it is");
        assertEquals(summed, again);
    }

    /**
     * H2's recovery after a crash passes over a dead chunk that a later chunk wrote over, forgetting it in memory only.
     * A clean mark on the header then sent H2's next open to check the newest chunks the layout lists, find that one
     * broken, and fall back to an older version: the kill test lost its last 7 acknowledged writes so, about one run
     * in ten on a loaded machine. Here the dead chunk's first block is blanked in a copy of an open store.
     */
    @Test
    void noCleanMarkIsGivenWhileTheLayoutListsAChunkWrittenOver() throws Exception {
        Path live = dir.resolve("dead.mv.db");
        Path crashed = dir.resolve("dead-crashed.mv.db");
        MVStore store = eightVersions(live);
        copyWithADeadChunkWrittenOver(live, crashed);
        store.closeImmediately();
        OrderedWrites.register();

        assertFalse(OrderedWrites.closeCleanlyAfterACrash(crashed, "file:"), "not marked clean");
        assertEquals("version 7", valueAfterOpening(crashed, "m", 49));
    }

    /**
     * When a crashed file cannot be closed cleanly first, the database's own open recovers it, and until H2's first
     * header the walk recovery would follow from the header on the disk is not known here. H2's first chunk may go
     * into a dead chunk of that walk, and a power cut then could end the walk early, before acknowledged commits (the
     * power-loss test's model of the walk saw such a chunk in about 1 round of 32 after a restart). The version
     * recovery went to is known from the attempt to close cleanly, so a header naming its chunk comes first.
     */
    @Test
    void afterACrashThatCouldNotBeClosedCleanlyAChunkInsideTheFileComesAfterAHeaderNamingWhereRecoveryWent()
            throws Exception {
        Unsettled crash = unsettledCrash("unsettled");
        long headersBefore = OrderedWrites.headersBeforeAReuse();

        try (FileChannel file = FilePath.get(OrderedWrites.SCHEME + ":file:" + crash.file()).open("rw")) {
            // H2's first chunk, where the first dead one was at the file's start: perhaps on the walk, and clear of
            // the chunk recovery went to, which H2 keeps
            file.write(ByteBuffer.wrap(crash.newer()), 2 * ChunkChain.BLOCK);
        }

        assertEquals(headersBefore + 1, OrderedWrites.headersBeforeAReuse(), "a header came first");
        ChunkChain.Chunk named = where(crash.file(), crash.recovered());
        try (FileChannel c = FileChannel.open(crash.file(), StandardOpenOption.READ)) {
            ByteBuffer first = ByteBuffer.allocate(ChunkChain.BLOCK);
            c.read(first, 0);
            String header = new String(first.array(), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertTrue(header.contains("block:" + Long.toHexString(named.block()) + ",")
                    && header.contains("version:" + Long.toHexString(crash.recovered()) + ","), header);
        }
    }

    /**
     * A chunk newer than where recovery went, left on the disk (its footer could not be blanked), is where H2's
     * recovery could start: the chunk recovery went to is then not named as the newest, and nothing is written first.
     */
    @Test
    void noHeaderNamesWhereRecoveryWentWhileANewerChunkIsStillOnTheDisk() throws Exception {
        Unsettled crash = unsettledCrash("newer-left");
        try (FileChannel f = FileChannel.open(crash.file(), StandardOpenOption.WRITE)) {
            f.write(ByteBuffer.wrap(crash.newer()), f.size());
        }
        long headersBefore = OrderedWrites.headersBeforeAReuse();

        try (FileChannel file = FilePath.get(OrderedWrites.SCHEME + ":file:" + crash.file()).open("rw")) {
            file.write(ByteBuffer.wrap(crash.newer()), 2 * ChunkChain.BLOCK);
        }

        assertEquals(headersBefore, OrderedWrites.headersBeforeAReuse(), "no header of ours");
    }

    /** A file a crash left that cannot be closed cleanly, the version recovery goes to, and a chunk newer than it. */
    private record Unsettled(Path file, long recovered, byte[] newer) {
    }

    private Unsettled unsettledCrash(String name) throws Exception {
        Path live = dir.resolve(name + ".mv.db");
        Path crashed = dir.resolve(name + "-crashed.mv.db");
        // closed once and opened again, so that the header on the disk names a chunk, as a running server's does
        MVStore once = new MVStore.Builder().fileName(live.toString()).autoCommitDisabled().open();
        commit(once, "m", 50, "before");
        once.close();
        MVStore store = eightVersions(live);
        copyWithADeadChunkWrittenOver(live, crashed);
        commit(store, "m", 50, "after the crash");
        store.closeImmediately();
        long recovered = recoveredVersion(crashed);
        ChunkChain.Chunk newer;
        byte[] chunk;
        try (FileChannel l = FileChannel.open(live, StandardOpenOption.READ)) {
            newer = ChunkChain.everyChunk(l).stream().filter(c -> c.version() > recovered).findFirst().orElseThrow();
            chunk = bytes(l, newer);
        }
        assertTrue(2 + newer.blocks() <= where(crashed, recovered).block(), "room before the recovered chunk");
        OrderedWrites.register();
        assertFalse(OrderedWrites.closeCleanlyAfterACrash(crashed, "file:"), "not marked clean");
        return new Unsettled(crashed, recovered, chunk);
    }

    /** @return the chunk of a version in a file */
    private static ChunkChain.Chunk where(Path file, long version) throws java.io.IOException {
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.READ)) {
            return ChunkChain.everyChunk(c).stream().filter(x -> x.version() == version).findFirst().orElseThrow();
        }
    }

    /** @return a store, left open, whose map "m" was written over in eight versions */
    private static MVStore eightVersions(Path live) {
        MVStore store = new MVStore.Builder().fileName(live.toString()).autoCommitDisabled().open();
        MVMap<Integer, String> map = store.openMap("m");
        for (int version = 0; version < 8; version++) {
            for (int i = 0; i < 50; i++) {
                map.put(i, "version " + version);
            }
            store.commit();
        }
        return store;
    }

    /**
     * Copies an open store's file, as a crash leaves it, with the first block of the newest dead chunk its layout
     * lists blanked: a later chunk wrote over it.
     *
     * @return that chunk's block
     */
    private static long copyWithADeadChunkWrittenOver(Path live, Path crashed) throws Exception {
        Files.copy(live, crashed);
        long dead;
        MVStore look = new MVStore.Builder().fileName(crashed.toString()).readOnly().open();
        try {
            long newestDead = -1;
            dead = -1;
            for (java.util.Map.Entry<String, String> e : look.getLayoutMap().entrySet()) {
                if (!e.getKey().startsWith(org.h2.mvstore.DataUtils.LAYOUT_CHUNK)) {
                    continue;
                }
                java.util.Map<String, String> chunk = org.h2.mvstore.DataUtils.parseMap(e.getValue());
                long version = Long.parseLong(chunk.getOrDefault("version", "0"), 16);
                if ("0".equals(chunk.get("livePages")) && version > newestDead) {
                    newestDead = version;
                    dead = Long.parseLong(chunk.get("block"), 16);
                }
            }
        } finally {
            look.close();
        }
        assertTrue(dead > 0, "the layout lists a dead chunk");
        try (FileChannel f = FileChannel.open(crashed, StandardOpenOption.WRITE)) {
            f.write(ByteBuffer.allocate(ChunkChain.BLOCK), dead * ChunkChain.BLOCK);
        }
        return dead;
    }

    /**
     * A power cut tore a chunk (X) that the two whole chunks after it (Y, Z) still list as live, so recovery went to
     * the chunk before X. After the restart H2 gave its first new chunk X's id and, X's place being free and where
     * the chunk before it predicted, X's place; its guess of the next place was Y's. At a second crash recovery then
     * walked from it into Y and Z, took Z for the newest, found "X" where Z's layout lists it, and read X's pages
     * out of the new chunk: the store did not open ("File corrupted in chunk 9"), and the acknowledged commit was
     * gone. Y and Z are now left out before the store opens. The chunks go into holes before an older, live chunk
     * at the file's end, so that no cut of the end takes Y and Z off.
     */
    @Test
    void chunksNewerThanWhereRecoveryWentCannotComeBackAtTheNextCrash() throws Exception {
        Path crashed = dir.resolve("newer-crashed.mv.db");
        ChunkChain.Chunk x = crashWithATornChunkBeforeTwoWholeOnes("newer", crashed);
        OrderedWrites.register();
        long before = OrderedWrites.newerChunksLeftOut();

        OrderedWrites.closeCleanlyAfterACrash(crashed, "file:");

        // the restart writes one commit and fsyncs it; then the second crash
        Path second = dir.resolve("newer-second.mv.db");
        MVStore restarted = new MVStore.Builder().fileName(OrderedWrites.SCHEME + ":file:" + crashed)
                .autoCommitDisabled().open();
        try {
            assertEquals("recovered", restarted.<Integer, String>openMap("small").get(0));
            restarted.<Integer, String>openMap("small").put(0, "acknowledged");
            restarted.commit();
            restarted.sync();
            Files.copy(crashed, second);
        } finally {
            restarted.closeImmediately();
        }
        try (FileChannel f = FileChannel.open(second, StandardOpenOption.READ)) {
            int id = x.id();
            assertTrue(ChunkChain.read(f, x.block()).filter(c -> c.id() == id).isPresent(),
                    "the restart's first chunk took X's id and place");
        }
        assertEquals("acknowledged", valueAfterOpening(second, "small", 0));
        assertEquals(2, OrderedWrites.newerChunksLeftOut() - before, "Y and Z were left out");
    }

    /**
     * What looks like a newer chunk inside a chunk the recovered layout lists, past that chunk's first block (here a
     * newer chunk's one block written into the middle of a dead chunk of many blocks that layout still lists, as an
     * event's text in a live page could read), is left alone.
     */
    @Test
    void whatReadsAsANewerChunkInsideAListedOneIsLeftAlone() throws Exception {
        Path live = dir.resolve("inside.mv.db");
        Path crashed = dir.resolve("inside-crashed.mv.db");
        MVStore store = new MVStore.Builder().fileName(live.toString()).autoCommitDisabled().open();
        commit(store, "big", 2_000, "b".repeat(100));
        commit(store, "big", 2_000, "c".repeat(100)); // the first big chunk is dead now, and still listed
        commit(store, "m", 50, "small");
        Files.copy(live, crashed);
        commit(store, "m", 50, "newer"); // of one block, newer than any in the copy
        store.closeImmediately();
        long recovered = recoveredVersion(crashed);
        ChunkChain.Chunk big;
        byte[] newer;
        try (FileChannel c = FileChannel.open(crashed, StandardOpenOption.READ);
             FileChannel l = FileChannel.open(live, StandardOpenOption.READ)) {
            big = ChunkChain.everyChunk(c).stream().filter(x -> x.blocks() > 2)
                    .min(java.util.Comparator.comparingLong(ChunkChain.Chunk::version)).orElseThrow();
            ChunkChain.Chunk n = ChunkChain.everyChunk(l).stream().filter(x -> x.version() > recovered)
                    .findFirst().orElseThrow();
            assertEquals(1, n.blocks(), "the newer chunk is one block");
            newer = bytes(l, n);
        }
        long inside = big.block() + 1;
        try (FileChannel f = FileChannel.open(crashed, StandardOpenOption.WRITE)) {
            f.write(ByteBuffer.wrap(newer), inside * ChunkChain.BLOCK);
        }
        assertEquals(recovered, recoveredVersion(crashed), "recovery goes where it went");
        OrderedWrites.register();
        long before = OrderedWrites.newerChunksLeftOut();

        OrderedWrites.closeCleanlyAfterACrash(crashed, "file:");

        assertEquals(0, OrderedWrites.newerChunksLeftOut() - before, "nothing left out");
        try (FileChannel f = FileChannel.open(crashed, StandardOpenOption.READ)) {
            assertTrue(ChunkChain.read(f, inside).filter(c -> c.version() > recovered).isPresent(),
                    "the copy inside the listed chunk is left as it was");
        }
        assertEquals("small", valueAfterOpening(crashed, "m", 0));
    }

    /**
     * A newer chunk that starts at the first block of a chunk the recovered layout lists was written over it: that
     * block held the listed chunk's header, never a page. It is left out with Y and Z. Left on the disk, it kept the
     * clean-up from naming the chunk recovery went to, and the power-loss test's restart then wrote H2's first chunk
     * inside the file before any header (about 1 round in 30).
     */
    @Test
    void aNewerChunkWrittenOverTheFirstBlockOfAListedOneIsLeftOut() throws Exception {
        Path crashed = dir.resolve("over-crashed.mv.db");
        crashWithATornChunkBeforeTwoWholeOnes("over", crashed);
        Copied copy = copyOfYOverADeadChunk(crashed);
        OrderedWrites.register();
        long before = OrderedWrites.newerChunksLeftOut();

        OrderedWrites.closeCleanlyAfterACrash(crashed, "file:");

        assertEquals(3, OrderedWrites.newerChunksLeftOut() - before, "Y, Z and the chunk written over a listed one");
        try (FileChannel f = FileChannel.open(crashed, StandardOpenOption.READ)) {
            assertTrue(ChunkChain.read(f, copy.block()).isEmpty(), "the copy is left out");
        }
        assertEquals("recovered", valueAfterOpening(crashed, "small", 0));
    }

    /** Where a copy of Y's one block was written, and Y's version. */
    private record Copied(long block, long version) {
    }

    /**
     * Writes a copy of Y's one block into a dead chunk that the layout of the version recovery goes to still lists,
     * off the walk recovery follows (written over, it leaves recovery where it was).
     *
     */
    private static Copied copyOfYOverADeadChunk(Path crashed) throws Exception {
        try (FileChannel f = FileChannel.open(crashed, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.util.List<ChunkChain.Chunk> chunks = ChunkChain.everyChunk(f);
            long newest = chunks.stream().mapToLong(ChunkChain.Chunk::version).max().orElseThrow();
            ChunkChain.Chunk y = chunks.stream().filter(c -> c.version() == newest - 1).findFirst().orElseThrow();
            assertEquals(1, y.blocks(), "Y is one block");
            ByteBuffer copy = ByteBuffer.allocate(ChunkChain.BLOCK);
            f.read(copy, y.block() * ChunkChain.BLOCK);
            for (ChunkChain.Chunk dead : chunks) {
                if (dead.version() >= newest - 3 || dead.blocks() != 1) {
                    continue;
                }
                long at = dead.block();
                ByteBuffer was = ByteBuffer.allocate(ChunkChain.BLOCK);
                f.read(was, at * ChunkChain.BLOCK);
                f.write(copy.duplicate().flip(), at * ChunkChain.BLOCK);
                if (recoveredVersion(crashed) == newest - 3) {
                    return new Copied(at, y.version());
                }
                f.write(was.flip(), at * ChunkChain.BLOCK);
            }
            throw new AssertionError("no dead chunk off the walk: " + chunks);
        }
    }

    /**
     * If leaving out the newer chunks sends H2's recovery to another version than the one given, their footers are
     * written back and the file is as it was. Here the version given is that of the older, live chunk at the file's
     * end: its layout lists the filler's chunks, whose places later chunks have since taken, so once the chunks
     * newer than it are left out recovery cannot stay with it.
     */
    @Test
    void theFootersAreWrittenBackWhenRecoveryWouldGoElsewhere() throws Exception {
        Path crashed = dir.resolve("back-crashed.mv.db");
        crashWithATornChunkBeforeTwoWholeOnes("back", crashed);
        long tail;
        try (FileChannel f = FileChannel.open(crashed, StandardOpenOption.READ)) {
            tail = ChunkChain.everyChunk(f).stream().max(java.util.Comparator.comparingLong(ChunkChain.Chunk::block))
                    .orElseThrow().version();
        }
        long recovered = recoveredVersion(crashed);
        assertTrue(tail < recovered, "the file's last chunk is older than where recovery goes");
        byte[] was = Files.readAllBytes(crashed);
        OrderedWrites.register();
        long before = OrderedWrites.newerChunksLeftOut();

        assertEquals(0, OrderedWrites.leaveOutChunksNewerThan(crashed, "file:", tail, java.util.Map.of()),
                "nothing counted as left out: recovery could not stay at the file's last chunk");

        assertEquals(before, OrderedWrites.newerChunksLeftOut(), "none counted as left out");
        assertTrue(java.util.Arrays.equals(was, Files.readAllBytes(crashed)), "the file is as it was");
        assertEquals(recovered, recoveredVersion(crashed));
    }

    /**
     * A chunk a compaction moved is on the disk only once an fsync that began after it has returned. Here another
     * thread's fsync, begun after the move, is held inside the disk's fsync while a new chunk is written: the new
     * chunk's map names the moved copy, so it must wait for an fsync of its own. Taking the move for synced when that
     * other fsync began let the new chunk through first.
     */
    @Test
    void aNewChunkWaitsForAnFsyncBegunAfterTheMoveBeforeIt() throws Exception {
        Path made = dir.resolve("moves.mv.db");
        Path file = dir.resolve("moves-live.mv.db");
        MVStore store = new MVStore.Builder().fileName(made.toString()).autoCommitDisabled().open();
        commit(store, "m", 50, "first");
        commit(store, "m", 50, "second");
        store.close();
        // the file as it stood, closed cleanly at the second version: a chunk of the first is an older one, a move
        Files.copy(made, file);
        store = new MVStore.Builder().fileName(made.toString()).autoCommitDisabled().open();
        commit(store, "m", 50, "third");
        store.close();
        byte[] older;
        byte[] newer;
        long end;
        try (FileChannel f = FileChannel.open(file, StandardOpenOption.READ);
             FileChannel later = FileChannel.open(made, StandardOpenOption.READ)) {
            java.util.List<ChunkChain.Chunk> chunks = ChunkChain.everyChunk(f);
            long clean = ChunkChain.namedChunk(f).orElseThrow().version();
            older = bytes(f, chunks.stream().filter(c -> c.version() < clean).findFirst().orElseThrow());
            newer = bytes(later, ChunkChain.everyChunk(later).stream().filter(c -> c.version() > clean)
                    .findFirst().orElseThrow());
            end = f.size();
        }
        OrderedWrites.register();
        Gate.register();
        Gate.EVENTS.clear();
        FileChannel channel = FilePath.get(OrderedWrites.SCHEME + ":" + Gate.SCHEME + ":file:" + file).open("rw");
        CountDownLatch held = new CountDownLatch(1);
        try {
            channel.write(ByteBuffer.wrap(older), end);
            Gate.held = held;
            Thread other = new Thread(() -> {
                try {
                    channel.force(false);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }, Gate.HELD_THREAD);
            other.start();
            for (int i = 0; i < 1_000 && !Gate.EVENTS.contains("fsync begun by " + Gate.HELD_THREAD); i++) {
                Thread.sleep(10);
            }
            assertTrue(Gate.EVENTS.contains("fsync begun by " + Gate.HELD_THREAD), "the other fsync is held");

            channel.write(ByteBuffer.wrap(newer), end + older.length);

            java.util.List<String> events = java.util.List.copyOf(Gate.EVENTS);
            held.countDown();
            other.join(10_000);
            String writer = Thread.currentThread().getName();
            int move = events.indexOf("write at " + end);
            int chunk = events.indexOf("write at " + (end + older.length));
            assertTrue(move >= 0 && chunk > move, "the move, then the new chunk, were written: " + events);
            assertTrue(events.subList(move, chunk).contains("fsync done by " + writer),
                    "an fsync of its own, after the move, came first: " + events);
        } finally {
            held.countDown();
            Gate.held = null;
            channel.close();
        }
    }

    /**
     * After a crash, until H2's first header, every chunk counts as moved ({@link ChunkChain#isMoved}); a checkpoint's
     * chunk written then must still be marked whole. Marking once asked isMoved: a process started from a killed
     * one's file marked none of its checkpoints, and after a second kill recovery could not go back to one.
     */
    @Test
    void aCheckpointsChunkIsMarkedWholeBeforeH2sFirstHeaderAfterACrash() throws Exception {
        Path crashed = crashedStoreWithAFreeTail();
        Path live = dir.resolve("live.mv.db");
        // a chunk newer than any in the copy: the live store, recovered, writes one more version
        MVStore store = new MVStore.Builder().fileName(live.toString()).autoCommitDisabled().open();
        commit(store, "m", 10, "after the crash");
        store.closeImmediately();
        ChunkChain.Chunk newer;
        byte[] chunk;
        long newest;
        try (FileChannel l = FileChannel.open(live, StandardOpenOption.READ);
             FileChannel c = FileChannel.open(crashed, StandardOpenOption.READ)) {
            newest = ChunkChain.everyChunk(c).stream().mapToLong(ChunkChain.Chunk::version).max().orElseThrow();
            newer = ChunkChain.everyChunk(l).stream().filter(x -> x.version() > newest).findFirst().orElseThrow();
            chunk = bytes(l, newer);
        }
        String name = OrderedWrites.SCHEME + ":file:" + crashed;
        try (FileChannel file = FilePath.get(name).open("rw")) {
            OrderedWrites.wholeVersionsFrom(name, newer.version() - 1);
            OrderedWrites.wholeVersionsUpTo(name, newer.version());
            file.write(ByteBuffer.wrap(chunk), newer.block() * ChunkChain.BLOCK);
        }
        try (FileChannel c = FileChannel.open(crashed, StandardOpenOption.READ)) {
            ChunkChain.Chunk written = ChunkChain.everyChunk(c).stream()
                    .filter(x -> x.version() == newer.version()).findFirst().orElseThrow();
            assertTrue(ChunkChain.markedWhole(c, written), "a checkpoint's chunk written before H2's first header");
        }
    }

    private static byte[] bytes(FileChannel f, ChunkChain.Chunk c) throws java.io.IOException {
        ByteBuffer b = ByteBuffer.allocate(c.blocks() * ChunkChain.BLOCK);
        f.read(b, c.block() * ChunkChain.BLOCK);
        return b.array();
    }

    /** Writes through, records each write and fsync, and holds an fsync of one thread while {@link #held}. */
    public static final class Gate extends org.h2.store.fs.FilePathWrapper {
        static final String SCHEME = "gate";
        static final String HELD_THREAD = "held-fsync";
        static final java.util.List<String> EVENTS = new java.util.concurrent.CopyOnWriteArrayList<>();
        static volatile CountDownLatch held;

        static {
            FilePath.register(new Gate());
        }

        /** For H2, which makes one per path. */
        public Gate() {
        }

        static void register() {
            // the static initialiser has run by the time this returns
        }

        @Override
        public String getScheme() {
            return SCHEME;
        }

        @Override
        public FileChannel open(String mode) throws java.io.IOException {
            return new ForwardingChannel(getBase().open(mode)) {
                @Override
                public int write(ByteBuffer src, long position) throws java.io.IOException {
                    EVENTS.add("write at " + position);
                    return base.write(src, position);
                }

                @Override
                public void force(boolean metaData) throws java.io.IOException {
                    String by = Thread.currentThread().getName();
                    EVENTS.add("fsync begun by " + by);
                    CountDownLatch hold = held;
                    if (hold != null && by.equals(HELD_THREAD)) {
                        try {
                            hold.await(10, java.util.concurrent.TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    base.force(metaData);
                    EVENTS.add("fsync done by " + by);
                }
            };
        }
    }

    /** @return the value at a key of a map, in the file as H2 opens it (recovering it if it must) */
    private static String valueAfterOpening(Path file, String map, int key) {
        MVStore reopened = new MVStore.Builder().fileName(file.toString()).open();
        try {
            return reopened.<Integer, String>openMap(map).get(key);
        } finally {
            reopened.close();
        }
    }

    /** @return the version H2's recovery goes to in a file, read only */
    private static long recoveredVersion(Path file) {
        MVStore look = new MVStore.Builder().fileName(file.toString()).readOnly().open();
        try {
            return look.getFileStore().lastChunkVersion();
        } finally {
            look.close();
        }
    }

    /**
     * @return X: in a copy of a store taken while it was open, a chunk whose footer is blanked as a power cut's tear
     *     leaves it, followed by two whole chunks (Y, Z) that list it as live; all three in holes in front of an
     *     older, live chunk at the file's end
     */
    private ChunkChain.Chunk crashWithATornChunkBeforeTwoWholeOnes(String name, Path crashed) throws Exception {
        Path live = dir.resolve(name + ".mv.db");
        MVStore store = new MVStore.Builder().fileName(live.toString()).autoCommitDisabled().open();
        store.setRetentionTime(0);
        store.setVersionsToKeep(0);
        commit(store, "small", 20, "first");
        commit(store, "filler", 3_000, "f".repeat(60));
        // live to the end: past the holes the filler leaves
        commit(store, "tail", 20, "t");
        store.removeMap("filler");
        store.commit();
        commit(store, "small", 20, "second");
        commit(store, "small", 20, "third");
        store.setRetentionTime(45_000);
        commit(store, "small", 20, "fourth");
        commit(store, "small", 20, "recovered");
        commit(store, "other", 20, "torn"); // X, live in the two after it
        commit(store, "small", 20, "later 1"); // Y
        commit(store, "small", 20, "later 2"); // Z
        Files.copy(live, crashed);
        store.closeImmediately();
        ChunkChain.Chunk x;
        try (FileChannel f = FileChannel.open(crashed, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            java.util.List<ChunkChain.Chunk> chunks = ChunkChain.everyChunk(f);
            long newest = chunks.stream().mapToLong(ChunkChain.Chunk::version).max().orElseThrow();
            x = chunks.stream().filter(c -> c.version() == newest - 2).findFirst().orElseThrow();
            ChunkChain.Chunk y = chunks.stream().filter(c -> c.version() == newest - 1).findFirst().orElseThrow();
            long end = chunks.stream().mapToLong(ChunkChain.Chunk::block).max().orElseThrow();
            assertTrue(y.block() == x.block() + x.blocks() && y.block() < end,
                    "X and Y one after the other, in holes before the file's last chunk: " + chunks);
            // torn by the cut: X's last block did not reach the disk
            f.write(ByteBuffer.allocate(ChunkChain.footerLength()), ChunkChain.footerPosition(x));
        }
        return x;
    }

    private static void commit(MVStore store, String map, int entries, String value) {
        MVMap<Integer, String> m = store.openMap(map);
        for (int i = 0; i < entries; i++) {
            m.put(i, value);
        }
        store.commit();
    }

    /** @return a place in the file halfway through the chunk's longest page, past what H2 checks of its start */
    private static long insideTheLongestPage(FileChannel f, ChunkChain.Chunk chunk) throws java.io.IOException {
        long start = chunk.block() * ChunkChain.BLOCK;
        ByteBuffer header = ByteBuffer.allocate(1024);
        f.read(header, start);
        String line = new String(header.array(), java.nio.charset.StandardCharsets.ISO_8859_1).split("\n")[0];
        java.util.Map<String, Long> fields = new java.util.HashMap<>();
        for (String field : line.strip().split(",")) {
            String[] kv = field.split(":", 2);
            if (kv.length == 2 && kv[1].matches("[0-9a-f]+")) {
                fields.put(kv[0], Long.parseLong(kv[1], 16));
            }
        }
        long toc = fields.get("toc");
        int pages = fields.get("pages").intValue();
        ByteBuffer contents = ByteBuffer.allocate(pages * 8);
        f.read(contents, start + toc);
        long best = -1;
        int longest = 0;
        for (int i = 0; i < pages; i++) {
            int offset = org.h2.mvstore.DataUtils.getPageOffset(contents.getLong(i * 8));
            ByteBuffer length = ByteBuffer.allocate(4);
            f.read(length, start + offset);
            if (length.getInt(0) > longest) {
                longest = length.getInt(0);
                best = start + offset + longest / 2;
            }
        }
        assertTrue(longest >= 64, "a page long enough to change a byte past its start: " + longest);
        return best;
    }

    /** H2's first header after the crash, here the one on the disk written again: it names where recovery went. */
    private static void writeTheHeaderAgain(FileChannel file) throws java.io.IOException {
        ByteBuffer header = ByteBuffer.allocate((int) OrderedWrites.HEADER_END);
        file.read(header, 0);
        file.write(header.flip(), 0);
    }

    /** @return a copy of a store taken while it was open, as a crash leaves it, with free blocks added at its end */
    private Path crashedStoreWithAFreeTail() throws Exception {
        Path live = dir.resolve("live.mv.db");
        Path crashed = dir.resolve("crashed-" + System.nanoTime() + ".mv.db");
        for (int run = 0; run < 2; run++) {
            MVStore store = new MVStore.Builder().fileName(live.toString()).autoCommitDisabled().open();
            MVMap<Integer, String> map = store.openMap("m");
            for (int i = 0; i < 200; i++) {
                map.put(i, "value " + run + "." + i);
                if (i % 50 == 49) {
                    store.commit();
                }
            }
            if (run == 0) {
                store.close();
                continue;
            }
            // the first commit after a clean close wrote a header naming its chunk, without the clean mark
            Files.copy(live, crashed);
            store.closeImmediately();
        }
        try (FileChannel f = FileChannel.open(crashed, StandardOpenOption.WRITE)) {
            f.write(ByteBuffer.allocate(TAIL), f.size());
        }
        ByteBuffer first = ByteBuffer.allocate(ChunkChain.BLOCK);
        try (FileChannel f = FileChannel.open(crashed, StandardOpenOption.READ)) {
            f.read(first, 0);
        }
        assertFalse(ChunkChain.closedCleanly(first.flip()), "the copy is of an open store");
        OrderedWrites.register();
        return crashed;
    }
}
