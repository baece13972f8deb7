package dev.inboxguard.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import org.h2.compress.CompressLZF;

/**
 * The store's page encoder on arbitrary bytes: H2's own LZF reader, given an array of exactly the input's length,
 * brings back every byte, and the output is never longer than LZF's literal marks make it. One encoder serves every
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
        byte[] packed = new byte[page.length * 2 + 1];
        int end = ENCODER.compress(page, 0, page.length, packed, 0);
        assertTrue(end <= page.length + (page.length + 31) / 32, end + " bytes for " + page.length);
        byte[] back = new byte[page.length];
        H2.expand(packed, 0, end, back, 0, back.length);
        assertArrayEquals(page, back);
    }
}
