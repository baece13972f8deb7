package dev.inboxguard.storage;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.h2.compress.CompressLZF;
import org.h2.compress.Compressor;
import org.h2.mvstore.MVStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compresses the embedded store's pages in H2's LZF format, at less CPU than H2's own encoder.
 *
 * <p>With compressed pages (the default), H2's LZF encoder had 24 % of all CPU samples of the LMTP load run: every
 * commit compresses every page it touches, and much of what a page holds does not compress at all (calendar texts
 * already deflated by {@link PackedText}, the hex digests of mail receipts). H2's encoder hashes every byte of such
 * input. This one looks for matches the way LZ4 does: four bytes at a time, and in ever longer strides while none is
 * found, so that input that does not compress is crossed quickly.
 *
 * <p>What it writes is plain LZF, which H2's own reader expands: a file written with it opens in any H2, and it reads
 * pages H2's encoder wrote. Its output never ends with a back-reference, since H2's reader refuses one that reaches
 * the very end of the page.
 */
final class PageCompressor implements Compressor {
    private static final Logger LOG = LoggerFactory.getLogger(PageCompressor.class);
    // LZF's limits: a literal run of 32 bytes, an offset of 8 KiB, a back-reference of 264 bytes
    private static final int MAX_LITERAL = 32;
    private static final int MAX_OFF = 1 << 13;
    private static final int MAX_REF = (1 << 8) + (1 << 3);
    private static final int MIN_MATCH = 4;
    private static final int HASH_BITS = 13;
    // after 2^6 positions without a match the stride grows by one byte, and again after each 64 more
    private static final int STRIDE_SHIFT = 6;
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    // H2's expand keeps no state; its compress would not be used
    private final CompressLZF reader = new CompressLZF();
    // H2 compresses on its one serialization thread; a table per thread keeps any other caller safe
    private final ThreadLocal<int[]> tables = ThreadLocal.withInitial(() -> new int[1 << HASH_BITS]);

    /**
     * Has the embedded store behind the pool compress its pages with this encoder instead of H2's own, if it
     * compresses them at all ({@code storage.compress}). H2 keeps its encoder in a private field (H2 2.4.240) that
     * it fills on first use, without a lock: the field is filled first, so that H2 finds it taken from then on, then
     * set, then read back. Where the field is missing, or H2 has put its own back, H2's encoder stays, which writes
     * the same format, and the log says so.
     *
     * @param pool connections to the embedded store
     * @return whether this encoder is now the store's
     */
    static boolean install(DataSource pool) {
        try (Connection c = pool.getConnection()) {
            org.h2.engine.Database database = ((org.h2.engine.SessionLocal) c.unwrap(org.h2.jdbc.JdbcConnection.class)
                    .getSession()).getDatabase();
            if (!database.getSettings().compressData) {
                return false; // pages are written as they are; those written compressed before read either way
            }
            MVStore store = GroupCommit.store(c);
            java.lang.reflect.Method filled = MVStore.class.getDeclaredMethod("getCompressorFast");
            filled.setAccessible(true);
            filled.invoke(store);
            java.lang.reflect.Field f = MVStore.class.getDeclaredField("compressorFast");
            f.setAccessible(true);
            f.set(store, new PageCompressor());
            if (!(f.get(store) instanceof PageCompressor)) {
                throw new IllegalStateException("H2 put its own encoder back");
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException | SQLException e) {
            LOG.warn("the embedded store compresses its pages with H2's own LZF encoder, which costs more CPU: {}",
                    e.toString());
            return false;
        }
    }

    @Override
    public int getAlgorithm() {
        return Compressor.LZF;
    }

    @Override
    public void setOptions(String options) {
        // nothing to set
    }

    @Override
    public void expand(byte[] in, int inPos, int inLen, byte[] out, int outPos, int outLen) {
        reader.expand(in, inPos, inLen, out, outPos, outLen);
    }

    /**
     * Compresses {@code in[inPos, inPos + inLen)} into {@code out} from {@code outPos}, which needs room for
     * {@code inLen + inLen / 32 + 1} bytes (all literals, at worst).
     *
     * @return the position in {@code out} after the last byte written
     */
    @Override
    public int compress(byte[] in, int inPos, int inLen, byte[] out, int outPos) {
        int[] table = tables.get();
        int end = inPos + inLen;
        // the last byte always goes out as a literal, and four bytes are read at each position tried
        int lastTry = end - 1 - MIN_MATCH;
        int pending = inPos;
        int at = inPos;
        int misses = 1 << STRIDE_SHIFT;
        while (at <= lastTry) {
            int seq = (int) INT.get(in, at);
            int slot = hash(seq);
            // an entry may be left from an earlier page: the four bytes compared say whether it matches here
            int ref = table[slot];
            table[slot] = at;
            int distance = at - ref - 1;
            if (ref < inPos || distance < 0 || distance >= MAX_OFF || (int) INT.get(in, ref) != seq) {
                at += misses++ >>> STRIDE_SHIFT;
                continue;
            }
            int len = matchLength(in, ref, at, Math.min(end - 1 - at, MAX_REF));
            outPos = literals(in, pending, at, out, outPos);
            int code = len - 2;
            if (code < 7) {
                out[outPos++] = (byte) ((code << 5) | (distance >>> 8));
            } else {
                out[outPos++] = (byte) ((7 << 5) | (distance >>> 8));
                out[outPos++] = (byte) (code - 7);
            }
            out[outPos++] = (byte) distance;
            at += len;
            pending = at;
            misses = 1 << STRIDE_SHIFT;
            if (at - 2 <= lastTry) {
                // the bytes just matched often start the next match too
                table[hash((int) INT.get(in, at - 2))] = at - 2;
            }
        }
        return literals(in, pending, end, out, outPos);
    }

    private static int hash(int fourBytes) {
        return (fourBytes * 0x9E3779B1) >>> (32 - HASH_BITS);
    }

    /** @return how many bytes from {@code at} repeat those from {@code ref}, at least four, at most {@code max} */
    private static int matchLength(byte[] in, int ref, int at, int max) {
        int len = MIN_MATCH;
        while (len + Long.BYTES <= max) {
            long diff = (long) LONG.get(in, at + len) ^ (long) LONG.get(in, ref + len);
            if (diff != 0) {
                return len + (Long.numberOfTrailingZeros(diff) >>> 3);
            }
            len += Long.BYTES;
        }
        while (len < max && in[ref + len] == in[at + len]) {
            len++;
        }
        return len;
    }

    private static int literals(byte[] in, int from, int to, byte[] out, int outPos) {
        while (from < to) {
            int n = Math.min(MAX_LITERAL, to - from);
            out[outPos++] = (byte) (n - 1);
            System.arraycopy(in, from, out, outPos, n);
            outPos += n;
            from += n;
        }
        return outPos;
    }
}
