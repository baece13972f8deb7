package dev.inboxguard.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntPredicate;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

/**
 * An H2 file system ({@code powercut:}) between the store and the disk that can cut the power. It writes through to
 * the real file, as an operating system's cache would hold the writes, and keeps what each write since the file's
 * last fsync overwrote. {@link #cut()} stops every later write and fsync (the process goes on, but nothing more
 * reaches the disk); {@link Image#write} then makes a copy of the file as a disk could hold it after the cut: every
 * fsynced write, and any chosen subset of the writes made since, in their order. A disk that reorders writes keeps
 * any subset of them.
 */
public final class PowerCut extends FilePathWrapper {
    static final String SCHEME = "powercut";
    private static final ReentrantReadWriteLock GATE = new ReentrantReadWriteLock();
    private static final Map<String, List<Write>> UNSYNCED = new ConcurrentHashMap<>();
    private static volatile boolean cut;
    private static volatile boolean cutAtNextWrite;
    private static volatile boolean cutAtNextTruncation;
    private static final AtomicLong SEQ = new AtomicLong();
    private static final AtomicLong PAST_HEADER = new AtomicLong();
    private static final AtomicLong TRUNCATIONS_OF_THE_CHAIN = new AtomicLong();
    private static volatile boolean cutOnChain;
    private static volatile boolean cutAfterAMove;
    /** The writes that were chunks a compaction moved (an older version than one written before), by sequence. */
    private static final java.util.Set<Long> MOVES = ConcurrentHashMap.newKeySet();
    private static final AtomicLong NEW_CHUNKS_AFTER_A_MOVE = new AtomicLong();
    private static final Map<String, Chain> CHAINS = new ConcurrentHashMap<>();

    static {
        FilePath.register(new PowerCut());
    }

    /** For H2, which makes one per path. */
    public PowerCut() {
    }

    /** Registers the file system (once) and forgets an earlier cut. */
    static synchronized void reset() {
        GATE.writeLock().lock();
        try {
            cut = false;
            cutAtNextWrite = false;
            cutAtNextTruncation = false;
            cutOnChain = false;
            cutAfterAMove = false;
            MOVES.clear();
            UNSYNCED.clear();
            CHAINS.clear();
            PAST_HEADER.set(0);
        } finally {
            GATE.writeLock().unlock();
        }
    }

    /**
     * @param file a real file
     * @return how many of its writes since its last fsync the disk may or may not hold
     */
    static int unsynced(Path file) {
        List<Write> pending = UNSYNCED.getOrDefault(key(file), List.of());
        synchronized (pending) {
            return pending.size();
        }
    }

    /**
     * @return how many writes past the store header came while a header H2 had written was not yet fsynced, since
     *     the last {@link #reset()}: each one a chunk written while the header on the disk may be an older one
     */
    static long writesPastAnUnsyncedHeader() {
        return PAST_HEADER.get();
    }

    /**
     * @return how many times the file's end was cut with part of the chain in it, since the class was loaded: with
     *     the power armed by {@link #cutWhenTheChainIsWrittenOver()}, each would have cut it
     */
    static long truncationsOfTheChain() {
        return TRUNCATIONS_OF_THE_CHAIN.get();
    }

    /** The power goes right after the next write to any file, before an fsync can follow it. */
    static void cutAtNextWrite() {
        cutAtNextWrite = true;
    }

    /** The power goes right before the next cut of a file's end: the cut does not reach the disk. */
    static void cutAtNextTruncation() {
        cutAtNextTruncation = true;
    }

    /**
     * The power goes right after the first write over a chunk that recovery from the header on the disk would walk
     * through (the header's own chunk, or one written after that header), or right after a cut of the file's end
     * that takes part of one off. H2 writes a new header only after such a chunk has been written over, and cuts the
     * end before it writes its clean-shutdown header, so the disk can hold the write or the cut and the old header
     * both.
     */
    static void cutWhenTheChainIsWrittenOver() {
        cutOnChain = true;
    }

    /**
     * The power goes right after a new chunk written while a chunk a compaction moved was not yet fsynced. The new
     * chunk's map of where chunks are names the moved copy, and a disk may keep the new chunk whole and the copy torn.
     */
    static void cutAtANewChunkAfterAnUnsyncedMove() {
        cutAfterAMove = true;
    }

    /** @return whether this unsynced write was a chunk a compaction moved */
    static boolean isMove(Write w) {
        return MOVES.contains(w.seq());
    }

    /** @return how many chunks were written while a moved one was not yet fsynced, since the class was loaded */
    static long newChunksAfterAnUnsyncedMove() {
        return NEW_CHUNKS_AFTER_A_MOVE.get();
    }

    /** @return how many chunk moves were written since the last {@link #reset()} */
    static int moves() {
        return MOVES.size();
    }

    /** @return whether the power is off */
    static boolean isCut() {
        return cut;
    }

    /**
     * Cuts the power: no write or fsync after this reaches the disk.
     *
     * @param file the real file whose image is wanted
     * @return what the disk may hold: the file as it stands, and the writes not yet fsynced
     */
    static Image cut(Path file) {
        GATE.writeLock().lock();
        try {
            cut = true;
            List<Write> pending = UNSYNCED.getOrDefault(key(file), List.of());
            synchronized (pending) {
                return new Image(file, List.copyOf(pending));
            }
        } finally {
            GATE.writeLock().unlock();
        }
    }

    /** The journal's key: the real path, as H2's base file system names the file it opens. */
    private static String key(Path file) {
        try {
            return file.toRealPath().toString();
        } catch (IOException e) {
            return file.toAbsolutePath().toString();
        }
    }

    @Override
    public String getScheme() {
        return SCHEME;
    }

    @Override
    public FileChannel open(String mode) throws IOException {
        FilePath base = getBase();
        FileChannel channel = base.open(mode);
        String real = key(Path.of(base.toRealPath().name.replaceFirst("^file:", "")));
        Chain chain = CHAINS.computeIfAbsent(real, k -> new Chain());
        if (mode.contains("w")) {
            chain.opened(channel);
        }
        return new Channel(channel, UNSYNCED.computeIfAbsent(real, k -> new ArrayList<>()), chain);
    }

    /**
     * One write (or truncation) since the last fsync: where, what it wrote, what it overwrote, and the file's size
     * before it.
     */
    record Write(long seq, long position, byte[] written, byte[] overwritten, long sizeBefore, boolean truncation) {
        void undo(FileChannel f) throws IOException {
            if (truncation) {
                f.write(ByteBuffer.wrap(overwritten), position);
                return;
            }
            f.write(ByteBuffer.wrap(overwritten), position);
            if (f.size() > sizeBefore) {
                f.truncate(sizeBefore);
            }
        }

        void redo(FileChannel f) throws IOException {
            if (truncation) {
                f.truncate(position);
                return;
            }
            f.write(ByteBuffer.wrap(written), position);
        }
    }

    /** The file as the cut left it in the operating system's cache, and its writes not yet fsynced. */
    record Image(Path file, List<Write> unsynced) {
        /**
         * @param to   where the copy goes
         * @param kept which of the unsynced writes (by their order) reached the disk
         */
        void write(Path to, IntPredicate kept) throws IOException {
            rebuild(to, i -> kept.test(i) ? b -> false : null);
        }

        /**
         * A copy where every unsynced write reached the disk but one, which tore: some of its blocks did not, as a
         * disk that writes the blocks of one write in any order may leave it.
         *
         * @param to   where the copy goes
         * @param torn which of the unsynced writes (by their order) tore
         * @param lost which of its 4 KiB blocks (by their order in the write) did not reach the disk
         */
        void writeTorn(Path to, int torn, IntPredicate lost) throws IOException {
            rebuild(to, i -> i == torn ? lost : b -> false);
        }

        /** @param lostBlocks for each unsynced write, which of its blocks did not reach the disk; null for none */
        private void rebuild(Path to, java.util.function.IntFunction<IntPredicate> lostBlocks) throws IOException {
            Files.copy(file, to, StandardCopyOption.REPLACE_EXISTING);
            try (FileChannel f = FileChannel.open(to, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                // back to what was fsynced, then forward through what of each write made it
                for (int i = unsynced.size() - 1; i >= 0; i--) {
                    unsynced.get(i).undo(f);
                }
                for (int i = 0; i < unsynced.size(); i++) {
                    Write w = unsynced.get(i);
                    IntPredicate lost = lostBlocks.apply(i);
                    if (lost == null) {
                        continue;
                    }
                    if (w.truncation()) {
                        w.redo(f);
                        continue;
                    }
                    for (int at = 0, b = 0; at < w.written().length; at += 4096, b++) {
                        if (!lost.test(b)) {
                            f.write(ByteBuffer.wrap(w.written(), at, Math.min(4096, w.written().length - at)),
                                    w.position() + at);
                        }
                    }
                }
                f.force(true);
            }
        }
    }

    /**
     * The chunks recovery would follow from the last header written: the chunk it names, and every chunk written
     * since, as byte ranges.
     */
    private static final class Chain {
        private final List<long[]> chunks = new ArrayList<>();
        /** The newest chunk version written to the file or named by its header, as far as seen. */
        private long newestVersion;

        /** @return whether a chunk of this version is newer than any seen, and so not a moved one; now the newest */
        synchronized boolean newer(long version) {
            if (version <= newestVersion) {
                return false;
            }
            newestVersion = version;
            return true;
        }

        /**
         * The chain as a file opened for writing has it: after a clean close only the chunk the header names, which
         * H2 then takes for the last; after a crash, not known here, so every chunk in the file, until a header
         * is written.
         */
        synchronized void opened(FileChannel file) throws IOException {
            chunks.clear();
            newestVersion = Math.max(newestVersion,
                    ChunkChain.namedChunk(file).map(ChunkChain.Chunk::version).orElse(0L));
            if (file.size() < OrderedWrites.HEADER_END) {
                return;
            }
            ByteBuffer block = ByteBuffer.allocate(4096);
            file.read(block, 0);
            String header = new String(block.array(), java.nio.charset.StandardCharsets.ISO_8859_1);
            if (!header.substring(0, Math.max(0, header.indexOf('\n'))).contains(",clean:1,")) {
                chunks.add(new long[] {OrderedWrites.HEADER_END, file.size()});
                return;
            }
            named(header, file);
        }

        /**
         * The chain starts at the chunk a header names, as recovery from it would; with the whole file if the header
         * names none.
         */
        private void named(String header, FileChannel file) throws IOException {
            header = header.substring(0, Math.max(0, header.indexOf('\n')));
            java.util.regex.Matcher named = java.util.regex.Pattern.compile("(?:^|,)block:([0-9a-f]+)").matcher(header);
            if (!named.find()) {
                chunks.add(new long[] {OrderedWrites.HEADER_END, Math.max(OrderedWrites.HEADER_END, file.size())});
                return;
            }
            long start = Long.parseLong(named.group(1), 16) * 4096;
            ByteBuffer chunk = ByteBuffer.allocate(1024);
            file.read(chunk, start);
            java.util.regex.Matcher len = java.util.regex.Pattern.compile("(?:^|,)len:([0-9a-f]+)")
                    .matcher(new String(chunk.array(), java.nio.charset.StandardCharsets.ISO_8859_1));
            long end = len.find() ? start + Long.parseLong(len.group(1), 16) * 4096 : file.size();
            chunks.add(new long[] {start, end});
        }

        /** A header was written: recovery would now start at the chunk it names. */
        synchronized void header(byte[] written, FileChannel file) throws IOException {
            chunks.clear();
            named(new String(written, java.nio.charset.StandardCharsets.ISO_8859_1), file);
        }

        /**
         * The file's end is cut: what of the chain lay there is gone from it.
         *
         * @return whether the cut took off part of a chunk of the chain
         */
        synchronized boolean cutOff(long size) {
            boolean over = chunks.stream().anyMatch(c -> c[1] > size);
            chunks.removeIf(c -> c[0] >= size);
            chunks.forEach(c -> c[1] = Math.min(c[1], size));
            return over;
        }

        /** @return whether this write lands on a chunk of the chain */
        synchronized boolean written(long position, int length) {
            boolean over = chunks.stream().anyMatch(c -> position < c[1] && c[0] < position + length);
            chunks.add(new long[] {position, position + length});
            return over;
        }
    }

    private static final class Channel extends ForwardingChannel {
        private final List<Write> unsynced;
        private final Chain chain;

        Channel(FileChannel base, List<Write> unsynced, Chain chain) {
            super(base);
            this.unsynced = unsynced;
            this.chain = chain;
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            GATE.readLock().lock();
            try {
                int length = src.remaining();
                if (cut) {
                    src.position(src.limit());
                    return length;
                }
                long size = base.size();
                byte[] before = new byte[(int) Math.max(0, Math.min(length, size - position))];
                base.read(ByteBuffer.wrap(before), position);
                byte[] written = new byte[length];
                src.duplicate().get(written);
                int n = base.write(src, position);
                synchronized (unsynced) {
                    if (position >= OrderedWrites.HEADER_END && unsynced.stream()
                            .anyMatch(w -> !w.truncation() && w.position() < OrderedWrites.HEADER_END)) {
                        PAST_HEADER.incrementAndGet();
                    }
                    long seq = SEQ.incrementAndGet();
                    unsynced.add(new Write(seq, position, written, before, size, false));
                    boolean afterAMove = false;
                    if (position >= OrderedWrites.HEADER_END) {
                        Optional<ChunkChain.Chunk> chunk = ChunkChain.footer(ByteBuffer.wrap(written), position);
                        if (chunk.isPresent() && !chain.newer(chunk.get().version())) {
                            MOVES.add(seq);
                        } else if (chunk.isPresent() && unsynced.stream().anyMatch(w -> MOVES.contains(w.seq()))) {
                            NEW_CHUNKS_AFTER_A_MOVE.incrementAndGet();
                            afterAMove = true;
                        }
                    }
                    boolean overChain;
                    if (position < OrderedWrites.HEADER_END) {
                        chain.header(written, base);
                        overChain = false;
                    } else {
                        overChain = chain.written(position, length);
                    }
                    if (cutAtNextWrite || cutOnChain && overChain || cutAfterAMove && afterAMove) {
                        cut = true;
                    }
                }
                return n;
            } finally {
                GATE.readLock().unlock();
            }
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            GATE.readLock().lock();
            try {
                if (cut) {
                    return this;
                }
                long old = base.size();
                if (size < old && cutAtNextTruncation) {
                    cut = true;
                    return this;
                }
                if (size < old) {
                    byte[] tail = new byte[(int) (old - size)];
                    base.read(ByteBuffer.wrap(tail), size);
                    base.truncate(size);
                    synchronized (unsynced) {
                        unsynced.add(new Write(SEQ.incrementAndGet(), size, new byte[0], tail, old, true));
                        if (chain.cutOff(size)) {
                            TRUNCATIONS_OF_THE_CHAIN.incrementAndGet();
                            if (cutOnChain) {
                                cut = true;
                            }
                        }
                    }
                }
                return this;
            } finally {
                GATE.readLock().unlock();
            }
        }

        @Override
        public void force(boolean metaData) throws IOException {
            GATE.readLock().lock();
            try {
                if (cut) {
                    return;
                }
                // what was written before this began is on the disk once it returns; two fsyncs may overlap
                long covered = SEQ.get();
                base.force(metaData);
                synchronized (unsynced) {
                    unsynced.removeIf(w -> w.seq() <= covered);
                }
            } finally {
                GATE.readLock().unlock();
            }
        }
    }
}
