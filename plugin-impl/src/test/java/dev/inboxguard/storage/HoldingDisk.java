package dev.inboxguard.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.h2.store.fs.FilePath;
import org.h2.store.fs.FilePathWrapper;

/**
 * A disk that can hold back the write of the next chunk a checkpoint pictured (one whose footer {@link OrderedWrites}
 * marked whole), so that a test can see what the store does while a checkpoint's write is under way.
 */
public final class HoldingDisk extends FilePathWrapper {
    static final String SCHEME = "holding";
    private static final byte[] MARK = (ChunkChain.WHOLE + ":1").getBytes(StandardCharsets.ISO_8859_1);
    private static volatile Hold armed;

    static {
        FilePath.register(new HoldingDisk());
    }

    /** @return H2's file system prefix for this disk, registered by now */
    static String prefix() {
        return SCHEME + ":";
    }

    /** For H2, which makes one per path. */
    public HoldingDisk() {
    }

    /** The next marked chunk's write waits in the disk until {@link Hold#release()}. */
    static Hold holdNextMarkedChunk() {
        Hold hold = new Hold();
        armed = hold;
        return hold;
    }

    /** A write held in the disk. */
    static final class Hold {
        private final CountDownLatch entered = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        /** @return whether a marked chunk's write reached the disk and is waiting there */
        boolean awaitHeld(long seconds) throws InterruptedException {
            return entered.await(seconds, TimeUnit.SECONDS);
        }

        void release() {
            released.countDown();
        }
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
                Hold hold = armed;
                if (hold != null && position >= OrderedWrites.HEADER_END && marked(src)) {
                    armed = null;
                    hold.entered.countDown();
                    try {
                        if (!hold.released.await(60, TimeUnit.SECONDS)) {
                            throw new IOException("the held write was never released");
                        }
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while held", e);
                    }
                }
                return base.write(src, position);
            }
        };
    }

    private static boolean marked(ByteBuffer src) {
        ByteBuffer b = src.duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        outer:
        for (int i = 0; i + MARK.length <= bytes.length; i++) {
            for (int j = 0; j < MARK.length; j++) {
                if (bytes[i + j] != MARK[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
