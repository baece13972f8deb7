package dev.inboxguard.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

/**
 * An H2 file system ({@code ordered:}) that puts an fsync where H2's file format needs an order and H2 has none:
 * before and after the store header is rewritten, and before the file is cut short.
 *
 * <p>H2 writes a chunk, then sometimes the header at the start of the file that says where the newest chunk is, and
 * later cuts free space off the end. Between fsyncs a disk keeps those writes in any order, or only some of them. A
 * header that reached the disk without its chunk sends H2's recovery to an older version, one from before commits
 * that were fsynced and acknowledged ({@code PowerLossTest} showed it). An end cut off before the header that stops
 * pointing into it would do the same; H2 fsyncs before its own shrinking, and this makes it hold for any
 * truncation. With the file fsynced first, a header only ever points at chunks on the disk, and the end is cut
 * only once no header on the disk points into it. The header is also fsynced at once: H2 writes no new header when
 * it reuses a chunk older than the one its last header names, which is safe only if that header is on the disk.
 * Without it, H2's background writer could go on writing chunks, on a quiet store for as long as no commit came,
 * while the disk held an older header whose recovery walks through chunks they may reuse ({@code PowerLossTest}
 * counts writes past the header made while a header write was unfsynced). The file is also fsynced when opened for
 * writing.
 *
 * <p>And a header comes before a chunk that would break recovery's walk. After a crash H2 starts at the chunk the
 * header names and follows each chunk's guess of where the next went; H2 writes a new header only after it has
 * written a chunk over a freed one of that walk, so a power cut between the two ended the walk early, before
 * acknowledged commits ({@code PowerLossTest} lost them within seconds once chunks were freed as soon as they died).
 * {@link ChunkChain} follows the walk from the writes; before a chunk (new, or moved by a compaction) or a cut of the
 * file's end that lands on it, a header naming the newest chunk, whole on the disk after the fsync, is written and
 * fsynced first. H2's own next header replaces it. A file left by a crash is first closed cleanly by H2 alone
 * ({@link #closeCleanlyAfterACrash}), so that the walk starts known. Until H2's first header after a crash (or a
 * new file's first that names a chunk) the walk is not known here, and a cut of the file's end waits for the next
 * write: it is made after that write if it is a header (H2's clean close cuts, then writes its header), before it
 * otherwise (recovery finds chunks appended without a header at the file's end). A closing store fsyncs before each
 * chunk ({@link #fsyncBeforeEachChunk}).
 *
 * <p>Each chunk's footer also gets a check value of the rest of the chunk on its way to the disk
 * ({@link ChunkChain#withBodySum}), by which {@link #leaveOutTornChunks} tells a chunk the power cut tore. Once H2
 * alone has recovered a crashed file, the chunks newer than where it went are left out as well
 * ({@link #leaveOutChunksNewerThan}): one could otherwise come back at the next crash. And a new
 * chunk written after chunks a compaction moved waits for them to be on the disk: it records where they now are, and
 * recovery that took it for the newest would read a moved copy the disk kept torn (H2 checks only a chunk's first and
 * last block, and the check value is looked at only for chunks newer than the header's).
 *
 * <p>The cost is two more fsyncs each time H2 rewrites the header, which it does when a chunk is not where the last
 * one predicted, when a chunk between the header's and the newest has been freed, and at least every 20 versions;
 * and two for each header written before a chunk; and one each time a compaction that moved chunks stores one.
 */
public final class OrderedWrites extends FilePathWrapper {
    /** The prefix, as in {@code jdbc:h2:ordered:/var/lib/inboxguard/inboxguard}. */
    static final String SCHEME = "ordered";
    /** H2's store header: two copies, one block each, at the start of the file, written in one write. */
    static final long HEADER_END = 2 * 4096;
    /** The walk of each file open for writing, by its real path. */
    private static final java.util.concurrent.ConcurrentMap<String, ChunkChain> CHAINS =
            new java.util.concurrent.ConcurrentHashMap<>();
    /** Files open for writing through this file system in this process, and how many times. */
    private static final java.util.concurrent.ConcurrentMap<String, Integer> OPEN =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static final java.util.concurrent.atomic.AtomicLong HEADERS_BEFORE_A_REUSE =
            new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.concurrent.atomic.AtomicLong HEADERS_BEFORE_A_MOVE =
            new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.concurrent.atomic.AtomicLong NEWER_CHUNKS_LEFT_OUT =
            new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.concurrent.atomic.AtomicLong TORN_CHUNKS_LEFT_OUT =
            new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.concurrent.atomic.AtomicLong NOT_WHOLE_LEFT_OUT =
            new java.util.concurrent.atomic.AtomicLong();
    /**
     * Files a crash left that could not be closed cleanly before the database's own open, by real path: the version
     * H2's recovery went to, and the first block as it was then, which the open must find unchanged to use it.
     */
    private static final java.util.concurrent.ConcurrentMap<String, Recovered> RECOVERED =
            new java.util.concurrent.ConcurrentHashMap<>();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OrderedWrites.class);

    static {
        FilePath.register(new OrderedWrites());
    }

    /** For H2, which makes one per path. */
    public OrderedWrites() {
    }

    /** Registers the file system with H2; the first call does it. */
    static void register() {
        // the static initialiser has run by the time this returns
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FileChannel open(String mode) throws IOException {
        FileChannel channel = getBase().open(mode);
        if (!mode.contains("w")) {
            return channel;
        }
        // after a crash the operating system may still hold the last process's unsynced writes; H2 takes them for
        // the newest version and may reuse chunks on their word, so they reach the disk first
        try {
            channel.force(true);
            String key = key(name);
            ChunkChain chain = new ChunkChain();
            Optional<ByteBuffer> first = firstBlock(channel);
            Recovered recovered = RECOVERED.remove(key);
            boolean asRecovered = recovered != null && first.isPresent()
                    && first.get().duplicate().equals(ByteBuffer.wrap(recovered.firstBlock()));
            chain.opened(first, b -> ChunkChain.read(channel, b));
            if (asRecovered) {
                // H2 recovers this file again, to the same version: its chunk is the newest to name, if it is in
                // one place only (a compaction may have left a dead copy of it behind, which H2 may write over), and
                // if no chunk newer than it is left on the disk (leaveOutChunksNewerThan blanks them, or could not),
                // where H2's recovery, which starts from the newer of the header's chunk and the file's last one,
                // could take it up again
                try {
                    List<ChunkChain.Chunk> chunks = ChunkChain.everyChunk(channel);
                    List<ChunkChain.Chunk> copies = chunks.stream()
                            .filter(c -> c.version() == recovered.version()).toList();
                    if (copies.size() == 1 && chunks.stream().noneMatch(c -> c.version() > recovered.version())) {
                        chain.recoveredTo(copies.get(0), channel.size());
                    }
                } catch (IOException | RuntimeException e) {
                    // the walk stays unknown until H2's first header, as before this was known; H2 reads the file
                    LOG.warn("storage: {} could not be read for the chunk recovery went to: {}", key, e.toString());
                }
            }
            OPEN.merge(key, 1, Integer::sum);
            CHAINS.put(key, chain);
            return new Channel(channel, chain, key);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * From now on, each chunk written to this file waits for the ones before it to be on the disk: for a store
     * whose last fsynced version is no longer held (closing), where a chunk could go over one that the version
     * before it emptied.
     *
     * @param fileName the store's file name, as H2 has it
     */
    static void fsyncBeforeEachChunk(String fileName) {
        chainOf(fileName).ifPresent(ChunkChain::fsyncBeforeEachChunk);
    }

    /**
     * From now on, until {@link #wholeVersionsUpTo}, the versions H2 numbers hold only whole transactions
     * ({@link CheckpointGate}): their chunks are marked so.
     *
     * @param fileName the store's file name, as H2 has it
     * @param current  the version current now; those after it count
     */
    static void wholeVersionsFrom(String fileName, long current) {
        chainOf(fileName).ifPresent(chain -> chain.wholeVersionsFrom(current));
    }

    /**
     * @param fileName the store's file name, as H2 has it
     * @param last     the last version numbered with the gate shut
     */
    static void wholeVersionsUpTo(String fileName, long last) {
        chainOf(fileName).ifPresent(chain -> chain.wholeVersionsUpTo(last));
    }

    /**
     * @param fileName the store's file name, as H2 has it
     * @return whether a version numbered now would be marked whole (for tests: not once the gate has opened)
     */
    static boolean takingWholeVersions(String fileName) {
        return chainOf(fileName).map(ChunkChain::takingWholeVersions).orElse(false);
    }

    /** @return the walk of a store's file open for writing here, by its name as H2 has it */
    private static Optional<ChunkChain> chainOf(String fileName) {
        return Optional.ofNullable(CHAINS.get(key(fileName)));
    }

    /** The file a name of this file system or one beneath it stands for: the name without its schemes. */
    private static String key(String name) {
        Path path = Path.of(name.replaceFirst("^([a-z]+:)+", "")).toAbsolutePath().normalize();
        try {
            return path.toRealPath().toString();
        } catch (IOException e) {
            return path.toString();
        }
    }

    /**
     * Before the database opens a file that was not closed cleanly: opens it with H2 alone and, if that changed
     * nothing and every chunk H2's layout lists is whole where it says, closes it, which writes no chunk and leaves a
     * header that names the chunk recovery chose, marked clean.
     * Otherwise the walk recovery would follow through the last process's chunks is unknown here, and H2's first
     * writes may reuse that process's dead chunks before it writes a header: the version recovery went to is kept
     * for the database's own open ({@link #open}), so that a header naming its chunk comes before any chunk written
     * inside the file until H2's first header. Either way, chunks newer than where recovery went are left out first
     * ({@link #leaveOutChunksNewerThan}).
     *
     * @param file       the store's file ({@code ….mv.db})
     * @param fileSystem H2's file system prefix the store is opened through ({@code file:}, or a test's)
     * @return whether it was closed cleanly here
     */
    static boolean closeCleanlyAfterACrash(Path file, String fileSystem) {
        RECOVERED.remove(key(file.toString()));
        if (OPEN.containsKey(key(file.toString()))) {
            // open in this process, whose lock on it closing another channel to it would drop
            return false;
        }
        try (FileChannel f = FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
            Optional<ByteBuffer> first = firstBlock(f);
            if (first.isEmpty() || ChunkChain.closedCleanly(first.get())) {
                return false;
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            // H2's own open reports an unreadable file
            return false;
        }
        leaveOutTornChunks(file);
        java.util.Map<String, String> layout;
        boolean changed;
        long recovered;
        {
            MVStore store = recoverAlone(file, fileSystem);
            if (store == null) {
                return false;
            }
            try {
                layout = new java.util.HashMap<>(store.getLayoutMap());
                recovered = store.getFileStore().lastChunkVersion();
                // leftovers of an unfinished map removal, which closing would write as a chunk
                changed = store.hasUnsavedChanges();
            } finally {
                store.closeImmediately();
            }
            long whole = wholeVersionBefore(file, recovered, layout);
            if (whole >= 0 && whole < recovered) {
                java.util.Map<String, String> back;
                try {
                    back = backToWhole(file, fileSystem, recovered, whole, layout);
                } catch (RuntimeException e) {
                    // a layout this cannot read: recovery stays where it went
                    back = null;
                }
                if (back != null) {
                    layout = back;
                    recovered = whole;
                    changed = false;
                }
            }
            leaveOutChunksNewerThan(file, fileSystem, recovered, layout);
        }
        // H2's recovery passes over a dead chunk that a later one wrote over, forgetting it in memory only; a clean
        // mark would send H2's next open to check the newest listed chunks, fail at it, and fall back to an older
        // version, before acknowledged commits (EmbeddedStoreTest's kill test lost the last 7 so): the database's
        // own open recovers instead. Checked with H2's channel closed: closing another channel to the file would drop
        // the process's lock on it
        if (changed || !listedChunksWhole(layout, file)) {
            recoveredBeforeOpening(file, recovered);
            return false;
        }
        MVStore store = openAlone(file, fileSystem);
        if (store == null) {
            return false;
        }
        // nothing to write but the header: with the file's end cut first, to free space only
        store.close();
        return true;
    }

    /**
     * After H2's recovery went to a version: every chunk of a newer version still on the disk, wherever it is, gets its
     * footer blanked. None is part of the version the database opens at: recovery tried those it found and took none,
     * and by the order of fsyncs here none held an acknowledged write. Left on the disk, such a chunk can come back.
     * H2 checks a chunk a layout lists only by its id and its place, and the new chunks after the restart take the
     * same ids (counting on from the recovered one) and may take the same places; at the next crash recovery could
     * then follow the old chunk's walk, take it for the newest, and read the chunk the layout lists from a new chunk's
     * bytes, past acknowledged writes ({@code OrderedWritesTest} shows it).
     *
     * <p>What looks like a chunk starting inside a chunk the recovered layout lists, past its first block, is left
     * alone: the bytes of a live page (an event's text, say) could read as one. A chunk starting at a listed
     * chunk's first block was written over it, and is left out like any other. And if H2's recovery no longer goes
     * to the same version afterwards, the footers are written back. Nothing is done unless the file's lock is free.
     *
     * @param file       the store's file, not open
     * @param fileSystem H2's file system prefix the store is opened through
     * @param recovered  the version H2's recovery went to
     * @param layout     the recovered version's layout: where its chunks are
     * @return how many chunks were left out
     */
    static int leaveOutChunksNewerThan(Path file, String fileSystem, long recovered,
                                       java.util.Map<String, String> layout) {
        return leftOutNewerThan(file, fileSystem, recovered, layout, false).size();
    }

    /** As {@link #leaveOutChunksNewerThan}: @return the footers blanked, by chunk, to put back if need be */
    private static java.util.Map<ChunkChain.Chunk, ByteBuffer> leftOutNewerThan(Path file, String fileSystem,
            long recovered, java.util.Map<String, String> layout, boolean tentative) {
        java.util.Map<ChunkChain.Chunk, ByteBuffer> blanked = new java.util.LinkedHashMap<>();
        try (FileChannel f = FileChannel.open(file, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE);
             java.nio.channels.FileLock lock = f.tryLock()) {
            if (lock == null) {
                LOG.warn("storage: {} is locked by another process; chunks newer than where recovery went are left "
                        + "on the disk", file);
                return java.util.Map.of();
            }
            List<ChunkChain.Chunk> chunks = ChunkChain.everyChunk(f);
            List<Listed> listed = new java.util.ArrayList<>(listed(layout));
            chunks.stream().filter(c -> c.version() == recovered).forEach(c -> listed.add(
                    new Listed(c.id(), c.block(), c.blocks())));
            if (chunks.stream().noneMatch(c -> c.version() == recovered)) {
                LOG.warn("storage: the chunk of version {}, where recovery went, was not found in {}; chunks newer "
                        + "than it are left on the disk", recovered, file);
                return java.util.Map.of();
            }
            for (ChunkChain.Chunk c : chunks) {
                // a listed chunk's pages start after its first block, which holds its header: what starts at that
                // block (or before it) was written over the listed chunk, and is no page of it
                boolean inside = listed.stream().anyMatch(l -> l.block() < c.block()
                        && c.block() < l.block() + l.blocks());
                if (c.version() > recovered && !inside) {
                    ByteBuffer footer = ByteBuffer.allocate(ChunkChain.footerLength());
                    f.read(footer, ChunkChain.footerPosition(c));
                    blanked.put(c, footer.flip());
                    f.write(ByteBuffer.allocate(ChunkChain.footerLength()), ChunkChain.footerPosition(c));
                }
            }
            if (blanked.isEmpty()) {
                return java.util.Map.of();
            }
            f.force(false);
        } catch (java.nio.channels.OverlappingFileLockException e) {
            return java.util.Map.of();
        } catch (IOException | RuntimeException e) {
            LOG.warn("storage: {} could not be checked for chunks newer than where recovery went: {}", file,
                    e.toString());
            return java.util.Map.of();
        }
        // the walk H2's recovery takes starts elsewhere now: it must still end at the same version
        long now = recoveredVersion(file, fileSystem);
        if (now != recovered) {
            putBack(file, blanked);
            LOG.warn("storage: leaving out chunks newer than version {} of {} sent recovery to version {}; they are "
                    + "left on the disk", recovered, file, now);
            return java.util.Map.of();
        }
        if (!tentative) {
            // a tentative leaving out is said by its caller, once it knows whether it stands
            LOG.warn("storage: chunks {} of {}, newer than version {} where recovery went after the crash that ended "
                    + "the last run, are left out: they held no acknowledged write", blanked.keySet(), file, recovered);
            NEWER_CHUNKS_LEFT_OUT.addAndGet(blanked.size());
        }
        return blanked;
    }

    /**
     * Where recovery may go back to from a version not taken whole: the version its chunk's footer names as the newest
     * taken whole before it ({@link ChunkChain#WHOLE_BEFORE}), if that chunk is marked whole, is as written on the
     * disk and is where the recovered layout lists it. Only such a version is sure to hold whole transactions, and it
     * holds every write acknowledged before the unmarked one: a write is acknowledged only after a checkpoint's
     * fsync, and each checkpoint writes a version taken whole. Only the version named: a gap in the marks (a process
     * that did not mark, a file from before them) must not send recovery further back, past acknowledged writes.
     *
     * @return that version; -1 if the recovered version is marked whole, or names none, or the one it names is not
     *     such
     */
    static long wholeVersionBefore(Path file, long recovered, java.util.Map<String, String> layout) {
        try (FileChannel f = FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
            List<ChunkChain.Chunk> chunks = ChunkChain.everyChunk(f);
            Optional<ChunkChain.Chunk> at = chunks.stream().filter(c -> c.version() == recovered).findFirst();
            if (at.isEmpty() || ChunkChain.markedWhole(f, at.get())) {
                return -1;
            }
            // only where the process that wrote it says: a gap in its marks must not send recovery further back
            long back = ChunkChain.wholeBefore(f, at.get());
            List<Listed> listed = listed(layout);
            for (ChunkChain.Chunk c : chunks) {
                if (c.version() == back && back < recovered && ChunkChain.markedWhole(f, c) && readsWhole(f, c)
                        && listed.stream().anyMatch(l -> l.id() == c.id() && l.block() == c.block())) {
                    return back;
                }
            }
            return -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /**
     * Sends recovery back from a version not taken whole to the newest one that was, by leaving out the chunks newer
     * than it, if H2's recovery then goes there and every chunk that version's layout lists is as written, where the
     * layout says: then closing it cleanly, as for any crash, is safe. Otherwise the footers are put back: a
     * compaction since that version may have moved its chunks, or H2 reused the space of chunks it lists as dead.
     *
     * @return the whole version's layout, or null if recovery stays where it went
     */
    private static java.util.Map<String, String> backToWhole(Path file, String fileSystem, long recovered, long whole,
                                                            java.util.Map<String, String> layout) {
        java.util.Map<ChunkChain.Chunk, ByteBuffer> blanked =
                leftOutNewerThan(file, fileSystem, whole, layoutUpTo(layout, whole), true);
        if (blanked.isEmpty()) {
            return null;
        }
        java.util.Map<String, String> back = null;
        MVStore store = recoverAlone(file, fileSystem);
        if (store != null) {
            try {
                if (store.getFileStore().lastChunkVersion() == whole && !store.hasUnsavedChanges()) {
                    back = new java.util.HashMap<>(store.getLayoutMap());
                }
            } finally {
                store.closeImmediately();
            }
        }
        if (back == null || !listedChunksWhole(back, file, true)) {
            putBack(file, blanked);
            LOG.warn("storage: version {} of {}, where recovery went after the crash that ended the last run, was "
                    + "written while transactions went on and may hold part of one; the last version written whole, "
                    + "{}, can no longer be read as it was, and the store opens at version {}", recovered, file,
                    whole, recovered);
            return null;
        }
        NOT_WHOLE_LEFT_OUT.incrementAndGet();
        NEWER_CHUNKS_LEFT_OUT.addAndGet(blanked.size());
        LOG.warn("storage: version {} of {}, where recovery went after the crash that ended the last run, was written "
                + "while transactions went on and may hold part of one; the store opens at version {}, the last one "
                + "written whole, which holds every acknowledged write (chunks {} are left out)", recovered, file,
                whole, blanked.keySet());
        return back;
    }

    /** @return the layout with only the chunks of versions up to this one: where that version's chunks are */
    private static java.util.Map<String, String> layoutUpTo(java.util.Map<String, String> layout, long version) {
        java.util.Map<String, String> kept = new java.util.HashMap<>();
        for (java.util.Map.Entry<String, String> e : layout.entrySet()) {
            if (e.getKey().startsWith(org.h2.mvstore.DataUtils.LAYOUT_CHUNK)) {
                long v = Long.parseLong(org.h2.mvstore.DataUtils.parseMap(e.getValue()).getOrDefault("version", "0"),
                        16);
                if (v > version) {
                    continue;
                }
            }
            kept.put(e.getKey(), e.getValue());
        }
        return kept;
    }

    /** @return how many times recovery was sent back from a version not taken whole, in this process, so far */
    static long notWholeLeftOut() {
        return NOT_WHOLE_LEFT_OUT.get();
    }

    /** @return the version H2's recovery goes to in the file, opened read-only; -1 if it does not open */
    private static long recoveredVersion(Path file, String fileSystem) {
        try {
            MVStore look = new MVStore.Builder().fileName(fileSystem + file).readOnly().open();
            try {
                return look.getFileStore().lastChunkVersion();
            } finally {
                look.closeImmediately();
            }
        } catch (MVStoreException e) {
            return -1;
        }
    }

    private static void putBack(Path file, java.util.Map<ChunkChain.Chunk, ByteBuffer> footers) {
        try (FileChannel f = FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
            for (java.util.Map.Entry<ChunkChain.Chunk, ByteBuffer> e : footers.entrySet()) {
                f.write(e.getValue(), ChunkChain.footerPosition(e.getKey()));
            }
            f.force(false);
        } catch (IOException e) {
            LOG.warn("storage: the footers of {} could not be written back: {}", file, e.toString());
        }
    }

    /** @return how many chunks newer than where recovery went were left out in this process, so far */
    static long newerChunksLeftOut() {
        return NEWER_CHUNKS_LEFT_OUT.get();
    }

    /**
     * @return the store as H2's recovery alone opens it, if that changes nothing; null if it cannot open it (locked by
     *     another process, or not a store: the database's own open says so, in H2's words) or the open changed
     *     something (leftovers of an unfinished map removal), whose chunk would be written while the walk is unknown
     */
    private static MVStore openAlone(Path file, String fileSystem) {
        MVStore store = recoverAlone(file, fileSystem);
        if (store == null) {
            return null;
        }
        if (store.hasUnsavedChanges()) {
            store.closeImmediately();
            return null;
        }
        return store;
    }

    /**
     * @return the store as H2's recovery alone opens it; null if it cannot (locked by another process, or not a store:
     *     the database's own open says so, in H2's words)
     */
    private static MVStore recoverAlone(Path file, String fileSystem) {
        try {
            return new MVStore.Builder().fileName(SCHEME + ":" + fileSystem + file).autoCommitDisabled().open();
        } catch (MVStoreException e) {
            return null;
        }
    }

    /** What {@link #closeCleanlyAfterACrash} found and could not settle, for the open that follows. */
    private record Recovered(long version, byte[] firstBlock) {
    }

    private static void recoveredBeforeOpening(Path file, long version) {
        try (FileChannel f = FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
            Optional<ByteBuffer> first = firstBlock(f);
            if (first.isPresent()) {
                ByteBuffer block = first.get();
                byte[] bytes = new byte[block.remaining()];
                block.get(bytes);
                RECOVERED.put(key(file.toString()), new Recovered(version, bytes));
            }
        } catch (IOException e) {
            // the open reads the file again, and H2 reports what it cannot read
        }
    }

    /** A chunk as a layout lists it: its id and where it is, in blocks. */
    private record Listed(int id, long block, long blocks) {
    }

    /** @return the chunks a layout lists, live or dead, that have a place in the file */
    private static List<Listed> listed(java.util.Map<String, String> layout) {
        List<Listed> chunks = new java.util.ArrayList<>();
        for (java.util.Map.Entry<String, String> e : layout.entrySet()) {
            if (e.getKey().startsWith(org.h2.mvstore.DataUtils.LAYOUT_CHUNK)) {
                java.util.Map<String, String> chunk = org.h2.mvstore.DataUtils.parseMap(e.getValue());
                long block = Long.parseLong(chunk.getOrDefault("block", "0"), 16);
                if (block != 0) {
                    chunks.add(new Listed(Integer.parseInt(chunk.getOrDefault("chunk", "-1"), 16), block,
                            Long.parseLong(chunk.getOrDefault("len", "0"), 16)));
                }
            }
        }
        return chunks;
    }

    /**
     * @return whether every chunk a store's layout lists, live or dead, starts and ends where the layout says: what
     *     H2's open checks of the newest ones (19) when the header is marked clean
     */
    private static boolean listedChunksWhole(java.util.Map<String, String> layout, Path file) {
        return listedChunksWhole(layout, file, false);
    }

    /** @param asWritten whether each chunk's pages and check value are read as well */
    private static boolean listedChunksWhole(java.util.Map<String, String> layout, Path file, boolean asWritten) {
        try (FileChannel f = FileChannel.open(file, java.nio.file.StandardOpenOption.READ)) {
            for (Listed l : listed(layout)) {
                Optional<ChunkChain.Chunk> c = ChunkChain.read(f, l.block()).filter(x -> x.id() == l.id());
                if (c.isEmpty() || asWritten && !readsWhole(f, c.get())) {
                    return false;
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Before H2 opens a file a crash left: a chunk newer than the one the header names, among those recovery takes
     * the newest from, whose pages are not as H2 wrote them ({@link ChunkChain#pagesWhole}) or whose bytes fail the
     * check value its footer carries ({@link ChunkChain#bodyAsWritten}, added as each chunk is written) was torn by a
     * power cut,
     * its first and last blocks on the disk and some between not (or it is a dead one partly written over). It was
     * never fsynced, so it holds no acknowledged commit, and neither does any chunk written after it (an fsync after
     * them would have put it on the disk whole). H2 would take it for whole and read rows from the blocks it did not
     * reach; its footer is blanked instead, so that recovery passes it by. The chunk the header names is left alone:
     * it was on the disk before the header was written. Nothing is done unless the file's lock is free.
     *
     * @param file the store's file, not open
     * @return how many chunks were left out
     */
    static int leaveOutTornChunks(Path file) {
        int left = 0;
        try (FileChannel f = FileChannel.open(file, java.nio.file.StandardOpenOption.READ,
                java.nio.file.StandardOpenOption.WRITE);
             java.nio.channels.FileLock lock = f.tryLock()) {
            if (lock == null) {
                // another process has the store open: H2's own open says so
                return 0;
            }
            long namedVersion = ChunkChain.namedChunk(f).map(ChunkChain.Chunk::version).orElse(Long.MAX_VALUE);
            java.util.Set<ChunkChain.Chunk> whole = new java.util.HashSet<>();
            // with some left out, recovery may go to an older chunk at the file's end, which is looked at in turn
            for (int round = 0; round < 64; round++) {
                List<ChunkChain.Chunk> torn = new java.util.ArrayList<>();
                for (ChunkChain.Chunk c : ChunkChain.recoveryCandidates(f)) {
                    if (c.version() > namedVersion && !whole.contains(c)) {
                        if (readsWhole(f, c)) {
                            whole.add(c);
                        } else {
                            torn.add(c);
                        }
                    }
                }
                if (torn.isEmpty()) {
                    break;
                }
                for (ChunkChain.Chunk c : torn) {
                    f.write(ByteBuffer.allocate(ChunkChain.footerLength()), ChunkChain.footerPosition(c));
                    LOG.warn("storage: chunk {} (version {}) of {} is not whole after the crash that ended the last "
                            + "run (torn by a power cut); it held no acknowledged write and is left out of recovery",
                            c.id(), c.version(), file);
                }
                f.force(false);
                left += torn.size();
            }
        } catch (java.nio.channels.OverlappingFileLockException e) {
            // open in this process already
            return 0;
        } catch (IOException | RuntimeException e) {
            // unreadable here: H2's own open reports it, in its words
            LOG.warn("storage: {} could not be checked for chunks torn by a power cut: {}", file, e.toString());
        }
        TORN_CHUNKS_LEFT_OUT.addAndGet(left);
        return left;
    }

    /** @return whether a chunk's pages start as H2 wrote them and its bytes pass its check value */
    private static boolean readsWhole(FileChannel f, ChunkChain.Chunk c) throws IOException {
        try {
            return ChunkChain.pagesWhole(f, c) && ChunkChain.bodyAsWritten(f, c);
        } catch (java.io.EOFException e) {
            // a page or the table of contents runs past the file's end: not as H2 wrote it
            return false;
        }
    }

    /** @return how many chunks torn by a power cut were left out of recovery in this process, so far */
    static long tornChunksLeftOut() {
        return TORN_CHUNKS_LEFT_OUT.get();
    }

    /** @return the file's first block, where H2's header is; empty if the file is too short to hold one */
    private static Optional<ByteBuffer> firstBlock(FileChannel file) throws IOException {
        if (file.size() < HEADER_END) {
            return Optional.empty();
        }
        ByteBuffer block = ByteBuffer.allocate(ChunkChain.BLOCK);
        file.read(block, 0);
        return Optional.of(block.flip());
    }

    /** @return how many headers were written before a chunk or a cut that would have landed on the walk, so far */
    static long headersBeforeAReuse() {
        return HEADERS_BEFORE_A_REUSE.get();
    }

    /** @return how many cuts of a file's end waited for the write after them, the walk being unknown, so far */
    static long cutsThatWaited() {
        return Channel.CUTS_THAT_WAITED.get();
    }

    /** @return how many of those came before a chunk a compaction moved, so far */
    static long headersBeforeAMove() {
        return HEADERS_BEFORE_A_MOVE.get();
    }

    /** @return how many times a new chunk waited for an fsync of the chunks a compaction had moved, so far */
    static long fsyncsAfterAMove() {
        return Channel.FSYNCS_AFTER_A_MOVE.get();
    }

    private static final class Channel extends ForwardingChannel {
        private final ChunkChain chain;
        private final String key;
        /** Where H2 cut the file's end while the walk was not known, not yet done; -1 for none. */
        private long waitingCut = -1;
        /** Chunks a compaction moved, written so far. */
        private final java.util.concurrent.atomic.AtomicLong movesWritten = new java.util.concurrent.atomic.AtomicLong();
        /** Of those, how many were written before an fsync began that has since returned. */
        private final java.util.concurrent.atomic.AtomicLong movesSynced = new java.util.concurrent.atomic.AtomicLong();
        private static final java.util.concurrent.atomic.AtomicLong FSYNCS_AFTER_A_MOVE =
                new java.util.concurrent.atomic.AtomicLong();
        /** How many cuts waited for the write after them. */
        private static final java.util.concurrent.atomic.AtomicLong CUTS_THAT_WAITED =
                new java.util.concurrent.atomic.AtomicLong();

        Channel(FileChannel base, ChunkChain chain, String key) {
            super(base);
            this.chain = chain;
            this.key = key;
        }

        @Override
        protected void implCloseChannel() throws IOException {
            OPEN.computeIfPresent(key, (k, n) -> n == 1 ? null : n - 1);
            CHAINS.remove(key, chain);
            super.implCloseChannel();
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            if (position < HEADER_END) {
                return writeHeader(src, position, false);
            }
            // H2's recovery finds chunks appended without a header at the file's end, so a cut that waited is made
            // before anything else is written
            cutWaiting();
            if (chain.fsyncsBeforeEachChunk()) {
                fsync();
            }
            // the footer is read once, for the check before and the record after
            int length = src.remaining();
            Optional<ChunkChain.Chunk> chunk = ChunkChain.footer(src, position);
            boolean moved = chunk.isPresent() && chain.isMoved(chunk.get());
            if (chunk.isPresent() && !moved && movesWritten.get() > movesSynced.get()) {
                // a compaction stores a chunk whose map of chunks names the copies it just moved; a disk could keep
                // that chunk whole and a copy torn, and recovery would read the copy, so the copies go first
                fsync();
                FSYNCS_AFTER_A_MOVE.incrementAndGet();
            }
            Optional<ByteBuffer> first = chain.beforeChunk(chunk, position, length);
            if (first.isPresent()) {
                // the walk would end at this chunk: the newest chunk, on the disk once the header's fsync is done,
                // is named first, so that the walk starts past the one written over
                writeHeader(first.get(), 0, true);
                HEADERS_BEFORE_A_REUSE.incrementAndGet();
                if (chunk.isPresent() && chain.isMoved(chunk.get())) {
                    HEADERS_BEFORE_A_MOVE.incrementAndGet();
                }
            }
            // a chunk's footer gets the check value of the rest, which tells a torn chunk after a power cut
            // and a new chunk whose version's picture was taken with the checkpoint gate shut is marked whole;
            // another names the newest version before it that was. Not by isMoved, which after a crash takes every
            // chunk for moved until H2's first header: a moved chunk has its footer already, and keeps it
            ByteBuffer out = src;
            if (chunk.isPresent()) {
                long version = chunk.get().version();
                boolean whole = chain.whole(version);
                out = ChunkChain.withBodySum(src, whole, whole ? -1 : chain.wholeBefore(version));
            }
            // all of it, so that the chunk's footer is read with the write it ends
            int n = 0;
            while (out.hasRemaining()) {
                n += base.write(out, position + n);
            }
            src.position(src.limit());
            if (moved) {
                movesWritten.incrementAndGet();
            }
            chain.written(chunk, position, length);
            return n;
        }

        private int writeHeader(ByteBuffer src, long position, boolean ours) throws IOException {
            ByteBuffer header = src.duplicate();
            // every chunk the new header may point at is on the disk before it
            fsync();
            int n = 0;
            while (src.hasRemaining()) {
                n += base.write(src, position + n);
            }
            // and the header is on the disk before the next chunk: H2 writes no new header when it reuses a
            // chunk older than the one its last header names, which is safe only if that header is on the disk;
            // recovery from an older one would walk through the reused chunk
            fsync();
            if (position == 0) {
                chain.headerWritten(header, ours, b -> ChunkChain.read(base, b));
                // the walk now starts at the chunk this header names: H2 never cuts that one off, so the cut takes
                // none of the walk with it and needs no header of ours (which would drop a clean-shutdown mark)
                cutWaiting();
            }
            return n;
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            synchronized (this) {
                if (size < base.size() && !chain.walkKnown()) {
                    // until H2's first header after a crash the walk recovery would follow from the header on the
                    // disk is not known here and may run into the end; H2's clean close cuts the end and then writes
                    // that header, so the cut waits for the next write, and comes after it if it is the header
                    waitingCut = size;
                    CUTS_THAT_WAITED.incrementAndGet();
                    return this;
                }
                waitingCut = -1;
            }
            cutEnd(size);
            return this;
        }

        private void cutWaiting() throws IOException {
            long cut;
            synchronized (this) {
                cut = waitingCut;
                waitingCut = -1;
            }
            if (cut >= 0) {
                cutEnd(cut);
            }
        }

        private void cutEnd(long size) throws IOException {
            if (size < base.size()) {
                Optional<ByteBuffer> first = chain.beforeTruncation(size);
                if (first.isPresent()) {
                    // H2 cuts before it writes its clean-shutdown header, and chunks of the walk may lie in the end
                    writeHeader(first.get(), 0, true);
                    HEADERS_BEFORE_A_REUSE.incrementAndGet();
                }
                // the header that no longer points into the end is on the disk before the end goes
                fsync();
            }
            base.truncate(size);
        }

        @Override
        public void force(boolean metaData) throws IOException {
            // a move counts as on the disk only once an fsync that began after it has returned: a chunk written while
            // another thread's fsync is still running could reach the disk before the moved copy
            long moves = movesWritten.get();
            base.force(metaData);
            movesSynced.accumulateAndGet(moves, Math::max);
        }

        /** An fsync of the data: what was written before it began is on the disk once it returns. */
        private void fsync() throws IOException {
            force(false);
        }

        @Override
        public long size() throws IOException {
            long cut;
            synchronized (this) {
                cut = waitingCut;
            }
            // the file as H2 left it: for H2, a cut that waits has been made
            return cut < 0 ? base.size() : Math.min(cut, base.size());
        }
    }
}
