package dev.inboxguard.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PackedTextTest {
    @Test
    void theDictionaryNeverChangesSinceRowsPackedWithItAreReadWithIt() throws Exception {
        // a new dictionary is a new packing number; this digest is of the one rows with packing 1 were written with
        assertEquals("674e619f65ce530426d45f6ce6abebb75ff7f9fa857239d5f9c13e0a2b314485", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(PackedText.DICTIONARY)));
    }

    @Test
    void textsOfEverySizeComeBackByteForByte() {
        Random random = new Random(17);
        byte[] event = StoreContract.event("Round trip");
        for (int size = 0; size < 70_000; size = size * 3 / 2 + 1) {
            // iCalendar words with some noise in them, and pure noise
            byte[] text = new byte[size];
            for (int i = 0; i < size; i++) {
                text[i] = random.nextInt(8) == 0 ? (byte) random.nextInt() : event[i % event.length];
            }
            byte[] noise = new byte[size];
            random.nextBytes(noise);
            for (byte[] t : new byte[][] {text, noise}) {
                PackedText.Packed packed = PackedText.pack(t);
                assertTrue(packed.bytes().length <= t.length);
                assertArrayEquals(t, PackedText.unpack(packed.packing(), packed.bytes(), t.length), "size " + size);
            }
        }
    }

    @Test
    void aClientsEventTakesLessThanHalfItsBytes() {
        byte[] event = StoreContract.event("Planning");
        PackedText.Packed packed = PackedText.pack(event);
        assertEquals(PackedText.DEFLATED_1, packed.packing());
        assertTrue(packed.bytes().length * 2 < event.length, packed.bytes().length + " of " + event.length);
    }

    @Test
    void aDamagedRowIsAStoreFailureNeverWrongText() {
        byte[] event = StoreContract.event("Damaged");
        PackedText.Packed packed = PackedText.pack(event);
        byte[] bytes = packed.bytes();
        // a recorded length that is wrong either way
        assertThrows(StoreFailure.class, () -> PackedText.unpack(PackedText.DEFLATED_1, bytes, event.length - 1));
        assertThrows(StoreFailure.class, () -> PackedText.unpack(PackedText.DEFLATED_1, bytes, event.length + 1));
        // cut short
        assertThrows(StoreFailure.class, () -> PackedText.unpack(PackedText.DEFLATED_1,
                java.util.Arrays.copyOf(bytes, bytes.length / 2), event.length));
        // a packing this build does not know
        assertThrows(StoreFailure.class, () -> PackedText.unpack(7, bytes, event.length));
        // every single flipped bit: the stream's checksum, or its form, gives it away; only the padding after the
        // stream's last code is read by nobody, and such a flip gives the same text
        int failed = 0;
        for (int i = 0; i < bytes.length * 8; i++) {
            byte[] flipped = bytes.clone();
            flipped[i / 8] ^= (byte) (1 << (i % 8));
            try {
                assertArrayEquals(event, PackedText.unpack(PackedText.DEFLATED_1, flipped, event.length),
                        "bit " + i + " gave other text");
            } catch (StoreFailure expected) {
                assertTrue(expected.getMessage().startsWith("a stored object's text"), expected.getMessage());
                failed++;
            }
        }
        assertTrue(failed > bytes.length * 8 - 8, failed + " of " + bytes.length * 8 + " flips failed");
        // bytes after the stream's end
        byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        assertThrows(StoreFailure.class, () -> PackedText.unpack(PackedText.DEFLATED_1, longer, event.length));
        // a recorded length no deflate stream of this size could give: refused before any room is made for it
        assertThrows(StoreFailure.class, () -> PackedText.unpack(PackedText.DEFLATED_1, bytes, Integer.MAX_VALUE));
        // a row kept as given whose recorded length is not its own (as a build before packing would leave it)
        assertThrows(StoreFailure.class, () -> PackedText.unpack(PackedText.AS_GIVEN, event, event.length - 1));
        // the pool's inflaters are not left broken by the failures
        assertArrayEquals(event, PackedText.unpack(PackedText.DEFLATED_1, bytes, event.length));
        assertEquals("x", new String(PackedText.unpack(PackedText.AS_GIVEN, "x".getBytes(StandardCharsets.UTF_8), 1),
                StandardCharsets.UTF_8));
    }
}
