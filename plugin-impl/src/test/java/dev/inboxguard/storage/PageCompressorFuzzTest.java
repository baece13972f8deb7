package dev.inboxguard.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.h2.compress.CompressLZF;

/**
 * The store's page encoder on arbitrary bytes: H2's own LZF reader, given an array of exactly the input's length,
 * brings back every byte, and the output is never longer than LZF's literal marks make it. Each input is placed
 * after up to 63 bytes of its own start, as a page follows a similar one in H2's buffer. One encoder serves every
 * input, as one serves every page of a store, so what its table keeps from one input is tried on the next. Seeds:
 * {@code PageCompressorFuzzTestInputs}.
 */
class PageCompressorFuzzTest {
    private static final PageCompressor ENCODER = new PageCompressor();
    private static final CompressLZF H2 = new CompressLZF();

    @FuzzTest(maxDuration = "10s")
    void anyPageComesBackWholeThroughH2sOwnReader(byte[] page) {
        if (page.length == 0) {
            return; // H2 compresses only pages of more than 16 bytes
        }
        // H2 compresses a commit's pages one after another from one buffer: the page starts after bytes much like
        // its own, which a match must never reach back into
        int offset = page[0] & 63;
        byte[] buffer = new byte[offset + page.length];
        for (int i = 0; i < offset; i++) {
            buffer[i] = page[i % page.length];
        }
        System.arraycopy(page, 0, buffer, offset, page.length);
        byte[] packed = new byte[page.length * 2 + 1];
        int end = ENCODER.compress(buffer, offset, page.length, packed, 0);
        assertTrue(end <= page.length + (page.length + 31) / 32, end + " bytes for " + page.length);
        byte[] back = new byte[page.length];
        H2.expand(packed, 0, end, back, 0, back.length);
        assertArrayEquals(page, back);
    }
}
