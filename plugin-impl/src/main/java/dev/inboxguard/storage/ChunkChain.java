package dev.inboxguard.storage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;
import org.h2.mvstore.DataUtils;

/**
 * The chunks of an H2 file that recovery after a crash would walk through: the one the store header on the disk names,
 * and every chunk written since that header. After a crash H2 starts at the named chunk and follows each chunk's
 * guess of where the next one went; a chunk of that walk written over ends it early, before chunks whose commits were
 * acknowledged. H2 writes a new header only after it has written over such a chunk, and cuts the file's end before
 * its clean-shutdown header, so {@link OrderedWrites} asks this, before each chunk it writes (new or moved) and each
 * cut, whether it lands on the walk, and if so first writes a header that names the newest chunk on the disk
 * ({@link #headerNamingNewest()}).
 *
 * <p>It reads H2's own text: the store header (two copies of a checksummed {@code key:value} list, one block each, at
 * the start of the file) and each chunk's footer (its id, length in blocks and version, checksummed, in the last 128
 * bytes of the chunk's one write). Anything it cannot read leaves the write as H2 made it. The one thing it adds to
 * H2's text is a check value of each chunk in the chunk's footer ({@link #withBodySum}).
 */
final class ChunkChain {
    static final int BLOCK = 4096;
    private static final int FOOTER = 128;
    /** The footer key of the check value of a chunk's bytes before its footer ({@link #withBodySum}). */
    static final String BODY_SUM = "igsum";
    /** The footer key that says a chunk's version holds only whole transactions ({@link CheckpointGate}). */
    static final String WHOLE = "igwhole";
    /**
     * The footer key, on a chunk not marked {@value #WHOLE}, of the newest version taken whole that the same process
     * wrote before it: where recovery may go back to, and nowhere older.
     */
    static final String WHOLE_BEFORE = "igback";
    private static final int MAX_RANGES = 4_096;
    /** H2's chunk ids wrap at 2^26 (Chunk.MAX_ID). */
    private static final int MAX_CHUNK_ID = (1 << 26) - 1;

    /** The last header on the disk, as read or written: its fields without the checksum. */
    private Map<String, String> header;
    /** Byte ranges {start, end} of the named chunk and of the chunks written since the header. */
    private final List<long[]> walk = new ArrayList<>();
    /** The newest chunk on the disk, where known: the one a clean header names, then each new one written. */
    private Chunk newest;
    /** Versions up to this are older than a chunk already on the disk: a write of one is a chunk moved. */
    private long newestVersion;

    private volatile boolean fsyncBeforeEachChunk;
    /**
     * Versions past this are numbered with the checkpoint gate shut, until the checkpoint's own version has been
     * handed over (and the gate opens) or its commit has returned; -1 when no checkpoint is taking its picture.
     */
    private long wholeFrom = -1;
    /** Ranges {after, upTo} of versions numbered with the gate shut, whose chunks may not all be written yet. */
    private final java.util.ArrayDeque<long[]> whole = new java.util.ArrayDeque<>();
    /** The newest version of the ranges no longer kept; -1 for none. */
    private long prunedUpTo = -1;

    /**
     * From now on, until {@link #wholeVersionsUpTo}, a new version's picture is taken with nothing else changing
     * the store ({@link CheckpointGate}): it holds only whole transactions.
     *
     * @param current the version current now; those after it count
     */
    synchronized void wholeVersionsFrom(long current) {
        wholeFrom = current;
    }

    /** @return whether a version numbered now would count as taken whole: a checkpoint is taking its picture */
    synchronized boolean takingWholeVersions() {
        return wholeFrom >= 0;
    }

    /** @param last the last version numbered with the gate shut */
    synchronized void wholeVersionsUpTo(long last) {
        if (wholeFrom >= 0 && last > wholeFrom) {
            whole.addLast(new long[] {wholeFrom, last});
            if (whole.size() > 256) {
                prunedUpTo = Math.max(prunedUpTo, whole.removeFirst()[1]);
            }
        }
        wholeFrom = -1;
    }

    /**
     * @return the newest version older than this one known here to have been taken whole, whose chunk H2 has written
     *     before this one's (it writes new chunks in the order of their versions); -1 for none in this process
     */
    synchronized long wholeBefore(long version) {
        long newest = prunedUpTo < version ? prunedUpTo : -1;
        for (long[] r : whole) {
            if (r[0] + 1 < version) {
                newest = Math.max(newest, Math.min(r[1], version - 1));
            }
        }
        if (wholeFrom >= 0 && wholeFrom + 1 < version) {
            newest = Math.max(newest, version - 1);
        }
        return newest;
    }

    /** @return whether a new chunk of this version holds a picture taken with the gate shut */
    synchronized boolean whole(long version) {
        // H2 writes new chunks in the order of their versions: ranges wholly before this one are done with
        while (!whole.isEmpty() && whole.peekFirst()[1] < version) {
            prunedUpTo = Math.max(prunedUpTo, whole.removeFirst()[1]);
        }
        return wholeFrom >= 0 && version > wholeFrom
                || whole.stream().anyMatch(r -> r[0] < version && version <= r[1]);
    }

    /** From now on each chunk write waits for the writes before it to be on the disk. */
    void fsyncBeforeEachChunk() {
        fsyncBeforeEachChunk = true;
    }

    /** @return whether each chunk write waits for the writes before it */
    boolean fsyncsBeforeEachChunk() {
        return fsyncBeforeEachChunk;
    }

    /** A chunk as its footer describes it, and where it was written. */
    record Chunk(long block, int id, int blocks, long version) {
    }

    /**
     * @param firstBlock the file's first block as it is on the disk, or empty for a new file
     * @param chunkAt    reads the chunk at a block of the file, to learn how long the named one is
     */
    synchronized void opened(Optional<ByteBuffer> firstBlock, LongFunction<Optional<Chunk>> chunkAt) {
        walk.clear();
        newest = null;
        header = firstBlock.flatMap(ChunkChain::parseHeader).orElse(null);
        if (header == null) {
            return;
        }
        newestVersion = hex(header.get("version"));
        Optional<Chunk> named = chunkAt.apply(hex(header.get("block")))
                .filter(c -> c.id() == (int) hex(header.get("chunk")) && c.version() == newestVersion);
        named.ifPresent(c -> walk.add(range(c)));
        // after a clean close the named chunk is the newest; after a crash the newest may be past it, and a chunk H2
        // moves may be newer than it, so nothing is named until H2's own next header says which is the newest
        if ("1".equals(header.get("clean"))) {
            newest = named.orElse(null);
        } else {
            newestVersion = Long.MAX_VALUE;
        }
    }

    /**
     * After a crash that left the file unfit to be closed cleanly first, the database's own open recovers it: the
     * newest chunk is the one that recovery goes to, found beforehand. The walk from the header on the disk is not
     * known, so all of the file counts as the walk until H2's first header, and any chunk written inside it, or any
     * cut of its end, comes after a header naming that chunk.
     *
     * @param recovered the chunk of the version recovery went to
     * @param fileSize  the file's size now
     */
    synchronized void recoveredTo(Chunk recovered, long fileSize) {
        if (header == null || "1".equals(header.get("clean")) || newestVersion != Long.MAX_VALUE) {
            return;
        }
        newest = recovered;
        newestVersion = recovered.version();
        walk.clear();
        walk.add(new long[] {2L * BLOCK, Math.max(2L * BLOCK, fileSize)});
    }

    /**
     * A chunk H2 moves counts as much as a new one. {@code compactMoveChunks} writes a header, moves chunks (into
     * holes, or to the file's end), stores a new chunk, brings back those it put at the end, and then may move the
     * chunk it just stored and store one more. No move writes a header of its own, so until H2's next one recovery
     * from the header on the disk could find another chunk where it looks first
     * ({@code PowerLossTest.theFileEndIsNotCutWhileTheChainRunsThroughIt}).
     *
     * @param chunk    the chunk about to be written, new or moved, as its footer says ({@link #footer}); empty if the
     *                 write is not one
     * @param position where, at or after the header's two blocks
     * @param length   how many bytes
     * @return the header to write first, if this chunk lands on the walk; empty to just write it
     */
    synchronized Optional<ByteBuffer> beforeChunk(Optional<Chunk> chunk, long position, int length) {
        if (chunk.isEmpty() || newest == null || header == null) {
            // not a chunk, or no newest known to name
            return Optional.empty();
        }
        long start = position;
        long end = position + length;
        boolean lands = walk.stream().anyMatch(r -> start < r[1] && r[0] < end);
        if (!lands || newest.block() * BLOCK < end && start < (newest.block() + newest.blocks()) * BLOCK) {
            // a chunk over the newest one cannot be helped by naming it; H2 never frees the newest
            return Optional.empty();
        }
        return Optional.of(headerNamingNewest());
    }

    /**
     * @return whether this chunk is an older one a compaction moves: a chunk of its version or newer is on the disk
     *     (after a crash, until H2's first header, every chunk counts as one; no header is written before one then)
     */
    synchronized boolean isMoved(Chunk chunk) {
        return chunk.version() <= newestVersion;
    }

    /**
     * @return whether the walk is known here: not after a crash until H2's first header names the chunk it recovered
     *     to (or {@link #recoveredTo} names it first), nor in a new file or after a header that does not read until
     *     one names a chunk
     */
    synchronized boolean walkKnown() {
        return header != null && newest != null;
    }

    /**
     * @param size what the file is about to be cut to
     * @return the header to write first, if the end cut off holds part of the walk; empty to just cut
     */
    synchronized Optional<ByteBuffer> beforeTruncation(long size) {
        if (newest == null || header == null || (newest.block() + newest.blocks()) * BLOCK > size
                || walk.stream().noneMatch(r -> r[1] > size)) {
            return Optional.empty();
        }
        return Optional.of(headerNamingNewest());
    }

    /**
     * Records a write at or after the header's two blocks: a chunk, new or moved, or something else.
     *
     * @param chunk    the chunk written, as its footer says; empty if the write was not one
     * @param position where
     * @param length   how many bytes
     */
    synchronized void written(Optional<Chunk> chunk, long position, int length) {
        extendWalk(position, position + length);
        chunk.ifPresent(c -> {
            if (c.version() > newestVersion) {
                newest = c;
                newestVersion = c.version();
            } else if (newest != null && c.id() == newest.id() && c.version() == newest.version()) {
                newest = c; // the newest chunk moved: the copy is where it is now
            }
        });
    }

    /**
     * Adds a range to the walk. Chunks written one after another at the file's end, where H2 writes no header, make
     * one range; past {@value #MAX_RANGES} ranges they all become one span, which only makes more writes look as if
     * they land on the walk.
     */
    private void extendWalk(long start, long end) {
        long[] last = walk.isEmpty() ? null : walk.get(walk.size() - 1);
        if (last != null && last[1] == start) {
            last[1] = end;
        } else {
            walk.add(new long[] {start, end});
        }
        if (walk.size() > MAX_RANGES) {
            long from = walk.stream().mapToLong(r -> r[0]).min().orElseThrow();
            long to = walk.stream().mapToLong(r -> r[1]).max().orElseThrow();
            walk.clear();
            walk.add(new long[] {from, to});
        }
    }

    /**
     * Records a header write: the walk starts again at the chunk it names.
     *
     * @param ours whether it is one of {@link #beforeChunk}'s, not H2's own
     */
    synchronized void headerWritten(ByteBuffer written, boolean ours, LongFunction<Optional<Chunk>> chunkAt) {
        Optional<Map<String, String>> parsed = parseHeader(written.duplicate());
        walk.clear();
        if (parsed.isEmpty()) {
            header = null; // none of ours until H2 writes one that reads
            return;
        }
        header = parsed.get();
        long block = hex(header.get("block"));
        long version = hex(header.get("version"));
        if (!ours && newestVersion == Long.MAX_VALUE) {
            // H2's first header since a crash names its newest chunk: from here a version past it is a new chunk
            newestVersion = version;
            newest = null;
        }
        Optional<Chunk> named = newest != null && newest.block() == block && newest.version() == version
                ? Optional.of(newest) : chunkAt.apply(block);
        named.ifPresent(c -> {
            walk.add(range(c));
            if (!ours && c.version() == version && c.version() >= newestVersion) {
                newest = c;
                newestVersion = c.version();
            }
        });
    }

    /** @return H2's last header with the newest chunk on the disk named in it, and not marked clean */
    private ByteBuffer headerNamingNewest() {
        HashMap<String, Object> fields = new HashMap<>(header);
        fields.remove("clean");
        fields.put("block", Long.toHexString(newest.block()));
        fields.put("chunk", Integer.toHexString(newest.id()));
        fields.put("version", Long.toHexString(newest.version()));
        StringBuilder text = DataUtils.appendMap(new StringBuilder(), fields);
        byte[] bytes = text.toString().getBytes(StandardCharsets.ISO_8859_1);
        DataUtils.appendMap(text, "fletcher", DataUtils.getFletcher32(bytes, 0, bytes.length));
        text.append('\n');
        byte[] line = text.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer copies = ByteBuffer.allocate(2 * BLOCK);
        copies.put(line).position(BLOCK);
        copies.put(line).rewind();
        return copies;
    }

    private static long[] range(Chunk c) {
        return new long[] {c.block() * BLOCK, (c.block() + c.blocks()) * BLOCK};
    }

    /** @return the chunk whose whole write this is, read from its checksummed footer */
    static Optional<Chunk> footer(ByteBuffer write, long position) {
        int length = write.remaining();
        if (length < BLOCK) {
            return Optional.empty();
        }
        byte[] tail = new byte[FOOTER];
        write.duplicate().position(write.position() + length - FOOTER).get(tail);
        return footer(tail, position, length);
    }

    /** @return the chunk of this length at this position whose footer this is, if it is one */
    private static Optional<Chunk> footer(byte[] tail, long position, long length) {
        if (length % BLOCK != 0 || position % BLOCK != 0) {
            return Optional.empty();
        }
        return checksummed(tail).flatMap(f -> {
            try {
                long blocks = hex(f.get("len"));
                if (blocks * BLOCK != length) {
                    return Optional.empty();
                }
                return Optional.of(new Chunk(position / BLOCK, (int) hex(f.get("chunk")), (int) blocks,
                        hex(f.get("version"))));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        });
    }

    /**
     * The chunk write with a check value of everything before its footer added to the footer ({@value #BODY_SUM}), so
     * that recovery can tell a chunk whose blocks did not all reach the disk: H2 checks only the first and last block
     * of a chunk, and the start of each page it reads, and no page's content. H2 reads the footer's keys by name and
     * ignores the others, and its checksum covers the text before it, so the footer is rewritten with its checksum
     * made anew. A chunk H2 moves is copied as it is, with the value it has.
     *
     * @param write a chunk's whole write, one {@link #footer} has read as a chunk (its footer's checksum holds)
     * @return the write to make: this one with its footer rewritten in place, or a copy if this one cannot be
     *     written to; this one as it is if its footer already has the value, does not read, or would not fit the
     *     footer's 128 bytes with it
     */
    static ByteBuffer withBodySum(ByteBuffer write) {
        return withBodySum(write, false, -1);
    }

    /**
     * As {@link #withBodySum(ByteBuffer)}, and with the mark ({@value #WHOLE}) that the chunk's version holds only
     * whole transactions, or else the newest version before it that does ({@value #WHOLE_BEFORE}).
     *
     * @param whole       whether to mark it so
     * @param wholeBefore if not, the newest version before it that is whole; -1 for none known
     */
    static ByteBuffer withBodySum(ByteBuffer write, boolean whole, long wholeBefore) {
        int length = write.remaining();
        if (length < BLOCK) {
            return write;
        }
        int footerAt = write.position() + length - FOOTER;
        byte[] tail = new byte[FOOTER];
        write.duplicate().position(footerAt).get(tail);
        String text = firstLine(tail).stripTrailing();
        int at = text.lastIndexOf(",fletcher:");
        // footer() has read this footer and checked its checksum: only the key is looked for here
        if (at <= 0 || text.startsWith(BODY_SUM + ":") || text.contains("," + BODY_SUM + ":")) {
            return write;
        }
        java.util.zip.CRC32C sum = new java.util.zip.CRC32C();
        sum.update(write.duplicate().limit(footerAt));
        StringBuilder footer = new StringBuilder(text.substring(0, at));
        DataUtils.appendMap(footer, BODY_SUM, sum.getValue());
        if (whole) {
            DataUtils.appendMap(footer, WHOLE, 1);
        } else if (wholeBefore >= 0) {
            DataUtils.appendMap(footer, WHOLE_BEFORE, wholeBefore);
        }
        byte[] checked = footer.toString().getBytes(StandardCharsets.ISO_8859_1);
        DataUtils.appendMap(footer, "fletcher", DataUtils.getFletcher32(checked, 0, checked.length));
        if (footer.length() > FOOTER - 1) {
            return write;
        }
        footer.append(" ".repeat(FOOTER - 1 - footer.length())).append('\n');
        ByteBuffer out = write;
        if (write.isReadOnly()) {
            out = ByteBuffer.allocate(length).put(write.duplicate()).flip();
            footerAt = length - FOOTER;
        }
        out.put(footerAt, footer.toString().getBytes(StandardCharsets.ISO_8859_1));
        return out;
    }

    /**
     * Whether the chunk's bytes before its footer are those it was written with, by the check value its footer
     * carries ({@link #withBodySum}).
     *
     * @return false if they are not; true also for a chunk written without the value (by another file system, or an
     *     older version of this one)
     */
    static boolean bodyAsWritten(java.nio.channels.FileChannel file, Chunk chunk) throws java.io.IOException {
        ByteBuffer tail = ByteBuffer.allocate(FOOTER);
        readFully(file, tail, footerPosition(chunk));
        Optional<Long> expected;
        try {
            expected = checksummed(tail.array()).map(f -> f.get(BODY_SUM)).map(ChunkChain::hex);
        } catch (NumberFormatException e) {
            return false;
        }
        if (expected.isEmpty()) {
            return true;
        }
        java.util.zip.CRC32C sum = new java.util.zip.CRC32C();
        ByteBuffer piece = ByteBuffer.allocate(64 * 1024);
        long start = chunk.block() * BLOCK;
        long end = footerPosition(chunk);
        for (long at = start; at < end; at += piece.limit()) {
            piece.clear().limit((int) Math.min(piece.capacity(), end - at));
            readFully(file, piece, at);
            sum.update(piece);
        }
        return sum.getValue() == expected.get();
    }

    /** @return whether the chunk's footer carries the mark that its version holds only whole transactions */
    static boolean markedWhole(java.nio.channels.FileChannel file, Chunk chunk) throws java.io.IOException {
        return "1".equals(footerFields(file, chunk).get(WHOLE));
    }

    /**
     * @return the version the chunk's footer names as the newest taken whole before it ({@value #WHOLE_BEFORE}); -1
     *     if it names none
     */
    static long wholeBefore(java.nio.channels.FileChannel file, Chunk chunk) throws java.io.IOException {
        try {
            String v = footerFields(file, chunk).get(WHOLE_BEFORE);
            return v == null ? -1 : hex(v);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Map<String, String> footerFields(java.nio.channels.FileChannel file, Chunk chunk)
            throws java.io.IOException {
        ByteBuffer tail = ByteBuffer.allocate(FOOTER);
        readFully(file, tail, footerPosition(chunk));
        return checksummed(tail.array()).orElse(Map.of());
    }

    /**
     * Reads the chunk that starts at a block: its length from the chunk's header, then its checksummed footer.
     *
     * @param file  the file
     * @param block where the chunk starts
     * @return the chunk, if whole
     */
    static Optional<Chunk> read(java.nio.channels.FileChannel file, long block) {
        try {
            Map<String, String> fields = chunkHeaderFields(file, block);
            long blocks = hex(fields.getOrDefault("len", "-1"));
            long id = hex(fields.getOrDefault("chunk", "-1"));
            if (blocks <= 0 || blocks > Integer.MAX_VALUE / BLOCK) {
                return Optional.empty();
            }
            ByteBuffer tail = ByteBuffer.allocate(FOOTER);
            file.read(tail, (block + blocks) * BLOCK - FOOTER);
            // H2 too wants the header's id and the footer's to agree
            return footer(tail.array(), block * BLOCK, blocks * BLOCK).filter(c -> c.id() == id);
        } catch (java.io.IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * The chunks H2's recovery after a crash takes the newest from (RandomAccessStore.readStoreHeader), and more: the
     * one the store header names, the last whole chunk before the file's end, and the chunks that follow each of
     * those two by each one's guess of where the next went. A value that does not read ends a walk, as in H2.
     *
     * @param file a store's file, not open in H2
     * @return those chunks, each with a header and footer that agree, each once
     */
    static List<Chunk> recoveryCandidates(java.nio.channels.FileChannel file) throws java.io.IOException {
        List<Chunk> found = new ArrayList<>();
        long blocks = file.size() / BLOCK;
        Optional<Chunk> named = namedChunk(file);
        Optional<Chunk> tail = lastBeforeTheEnd(file, blocks);
        for (Optional<Chunk> start : List.of(named, tail)) {
            // each step goes to a newer chunk, so a walk has fewer steps than the file has blocks
            long steps = 0;
            for (Optional<Chunk> c = start; c.isPresent() && steps++ < blocks; ) {
                Chunk chunk = c.get();
                if (!found.contains(chunk)) {
                    found.add(chunk);
                }
                c = next(file, chunk, blocks);
            }
        }
        return found;
    }

    /** @return the chunk a chunk guessed would come next, if one is there with the next id and a newer version */
    private static Optional<Chunk> next(java.nio.channels.FileChannel file, Chunk chunk, long blocks) {
        try {
            long next = hex(chunkHeaderFields(file, chunk.block()).getOrDefault("next", "0"));
            return next <= 2 || next >= blocks ? Optional.empty() : read(file, next)
                    .filter(n -> n.id() == ((chunk.id() + 1) & MAX_CHUNK_ID) && n.version() > chunk.version());
        } catch (java.io.IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * As H2's {@code discoverChunk}: the footer nearest the file's end whose chunk's header agrees with it. It reads
     * 128 bytes a block backwards, over the whole file if no footer is found.
     */
    private static Optional<Chunk> lastBeforeTheEnd(java.nio.channels.FileChannel file, long blocks)
            throws java.io.IOException {
        ByteBuffer tail = ByteBuffer.allocate(FOOTER);
        for (long end = blocks; end > 2; end--) {
            tail.clear();
            file.read(tail, end * BLOCK - FOOTER);
            Optional<Map<String, String>> footer = checksummed(tail.array());
            if (footer.isEmpty()) {
                continue;
            }
            try {
                long start = end - hex(footer.get().get("len"));
                int id = (int) hex(footer.get().get("chunk"));
                Optional<Chunk> last = start >= 2 ? read(file, start).filter(c -> c.id() == id) : Optional.empty();
                if (last.isPresent()) {
                    return last;
                }
            } catch (RuntimeException e) {
                // not a footer after all: go on looking
            }
        }
        return Optional.empty();
    }

    /**
     * Every chunk in the file whose header and footer agree, wherever it starts: more than H2's scan of the whole file
     * finds, since this also looks inside other chunks (where a page's bytes could read as a chunk). The file is read
     * once; only a block that starts as a chunk header does ({@code chunk:}) is read further.
     *
     * @param file a store's file, not open in H2
     * @return the chunks, by where they start
     */
    static List<Chunk> everyChunk(java.nio.channels.FileChannel file) throws java.io.IOException {
        List<Chunk> found = new ArrayList<>();
        long blocks = file.size() / BLOCK;
        byte[] mark = "chunk:".getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer window = ByteBuffer.allocate(256 * BLOCK);
        for (long first = 2; first < blocks; first += window.capacity() / BLOCK) {
            window.clear();
            window.limit((int) Math.min(window.capacity(), (blocks - first) * BLOCK));
            readFully(file, window, first * BLOCK);
            for (int at = 0; at < window.limit(); at += BLOCK) {
                if (startsWith(window, at, mark)) {
                    read(file, first + at / BLOCK).ifPresent(found::add);
                }
            }
        }
        return found;
    }

    private static boolean startsWith(ByteBuffer window, int at, byte[] mark) {
        for (int i = 0; i < mark.length; i++) {
            if (window.get(at + i) != mark[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * @param file a store's file
     * @return the chunk the newer of the header's two copies names, as H2 reads it first after a crash
     */
    static Optional<Chunk> namedChunk(java.nio.channels.FileChannel file) throws java.io.IOException {
        Optional<Chunk> named = Optional.empty();
        for (int copy = 0; copy < 2; copy++) {
            ByteBuffer block = ByteBuffer.allocate(BLOCK);
            file.read(block, (long) copy * BLOCK);
            Optional<Map<String, String>> header = parseHeader(block.flip());
            if (header.isPresent()) {
                Map<String, String> h = header.get();
                Optional<Chunk> chunk = read(file, hex(h.get("block")))
                        .filter(c -> c.id() == (int) hex(h.get("chunk")));
                if (chunk.isPresent() && (named.isEmpty() || chunk.get().version() > named.get().version())) {
                    named = chunk;
                }
            }
        }
        return named;
    }

    /**
     * Whether each page the chunk's table of contents lists starts with the length and the check value H2 gave it
     * there, as H2 checks when it reads the page. H2 takes a chunk for whole by its header (first block) and footer
     * (last); a disk that writes a chunk's blocks in any order can lose the ones between at a power cut, and H2 would
     * then read pages, and every row beneath them, from what was there before ({@code PowerLossTest}).
     *
     * @return false if a page is not as H2 wrote it; true also for a chunk without a table of contents, or whose
     *     header this cannot read
     */
    static boolean pagesWhole(java.nio.channels.FileChannel file, Chunk chunk) throws java.io.IOException {
        Map<String, String> fields = chunkHeaderFields(file, chunk.block());
        long pages;
        long toc;
        try {
            pages = hex(fields.getOrDefault("pages", "0"));
            toc = hex(fields.getOrDefault("toc", "0"));
        } catch (NumberFormatException e) {
            // a header this cannot read: not judged here
            return true;
        }
        long start = chunk.block() * BLOCK;
        long length = (long) chunk.blocks() * BLOCK;
        if (pages <= 0 || toc <= 0) {
            return true;
        }
        if (toc + pages * 8 > length - FOOTER) {
            return false;
        }
        ByteBuffer contents = ByteBuffer.allocate((int) (pages * 8));
        readFully(file, contents, start + toc);
        // the page's length, check value, number, map, key count and type: at most 4 + 2 + 5 + 5 + 5 + 1 bytes
        ByteBuffer page = ByteBuffer.allocate(22);
        for (int i = 0; i < pages; i++) {
            long element = contents.getLong(i * 8);
            int offset = DataUtils.getPageOffset(element);
            if (offset <= 0 || offset + 6L > toc) {
                return false;
            }
            page.clear().limit((int) Math.min(page.capacity(), toc - offset));
            readFully(file, page, start + offset);
            if (!pageStartsAsWritten(page, chunk.id(), offset, element, toc)) {
                return false;
            }
        }
        return true;
    }

    /** Page.read's checks of a page's start, against the table of contents' entry for it. */
    private static boolean pageStartsAsWritten(ByteBuffer page, int chunkId, int offset, long element, long toc) {
        try {
            int pageLength = page.getInt();
            short check = page.getShort();
            int expected = DataUtils.getCheckValue(chunkId) ^ DataUtils.getCheckValue(offset)
                    ^ DataUtils.getCheckValue(pageLength);
            if (pageLength < 4 || offset + (long) pageLength > toc || check != (short) expected) {
                return false;
            }
            // what follows lies within the page: a varint running past it is not as H2 wrote it
            page.limit(Math.min(page.limit(), pageLength));
            int pageNo = DataUtils.readVarInt(page);
            int mapId = DataUtils.readVarInt(page);
            int keyCount = DataUtils.readVarInt(page);
            int type = page.get();
            return pageNo >= 0 && keyCount >= 0 && mapId == DataUtils.getPageMapId(element)
                    && (type & 1) == DataUtils.getPageType(element);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** @return where the chunk's footer starts in the file */
    static long footerPosition(Chunk chunk) {
        return (chunk.block() + chunk.blocks()) * BLOCK - FOOTER;
    }

    /** @return how long a chunk's footer is */
    static int footerLength() {
        return FOOTER;
    }

    private static void readFully(java.nio.channels.FileChannel file, ByteBuffer into, long at)
            throws java.io.IOException {
        while (into.hasRemaining()) {
            if (file.read(into, at + into.position()) < 0) {
                throw new java.io.EOFException("the file ends inside a chunk");
            }
        }
        into.flip();
    }

    /** @return the fields of the chunk header at a block: its first line, {@code key:value} pairs, unchecked */
    private static Map<String, String> chunkHeaderFields(java.nio.channels.FileChannel file, long block)
            throws java.io.IOException {
        ByteBuffer start = ByteBuffer.allocate(1024);
        file.read(start, block * BLOCK);
        Map<String, String> fields = new HashMap<>();
        for (String field : firstLine(start.array()).strip().split(",")) {
            int colon = field.indexOf(':');
            if (colon > 0) {
                fields.put(field.substring(0, colon), field.substring(colon + 1));
            }
        }
        return fields;
    }

    /** @return whether this first block of a file is an H2 header that carries the clean-shutdown mark */
    static boolean closedCleanly(ByteBuffer firstBlock) {
        return parseHeader(firstBlock).map(h -> "1".equals(h.get("clean"))).orElse(false);
    }

    private static Optional<Map<String, String>> parseHeader(ByteBuffer block) {
        int n = Math.min(block.remaining(), BLOCK);
        byte[] bytes = new byte[n];
        block.duplicate().get(bytes);
        return checksummed(bytes).filter(m -> m.containsKey("block") && m.containsKey("chunk")
                && m.containsKey("version"));
    }

    /**
     * A {@code key:value,...,fletcher:x} list as H2 writes its headers and footers, with no quoted values, and only if
     * the checksum over the text before {@code ,fletcher} holds.
     */
    private static Optional<Map<String, String>> checksummed(byte[] bytes) {
        String text = firstLine(bytes).stripTrailing();
        int at = text.lastIndexOf(",fletcher:");
        if (at <= 0 || text.indexOf('"') >= 0) {
            return Optional.empty();
        }
        try {
            int check = (int) Long.parseLong(text.substring(at + ",fletcher:".length()), 16);
            if (check != DataUtils.getFletcher32(bytes, 0, at)) {
                return Optional.empty();
            }
            Map<String, String> fields = new HashMap<>();
            for (String field : text.substring(0, at).split(",")) {
                int colon = field.indexOf(':');
                if (colon <= 0) {
                    return Optional.empty();
                }
                fields.put(field.substring(0, colon), field.substring(colon + 1));
            }
            return Optional.of(fields);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** @return the text up to the first line end or zero byte: H2 pads its headers with spaces, then a line end */
    private static String firstLine(byte[] bytes) {
        int end = 0;
        while (end < bytes.length && bytes[end] != '\n' && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.ISO_8859_1);
    }

    private static long hex(String value) {
        return value == null ? 0 : Long.parseLong(value, 16);
    }
}
