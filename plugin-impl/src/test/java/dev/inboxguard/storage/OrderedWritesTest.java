package dev.inboxguard.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.store.fs.FilePath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the {@code ordered:} file system does with a file a crash left, before H2 has said where its walk starts. */
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
