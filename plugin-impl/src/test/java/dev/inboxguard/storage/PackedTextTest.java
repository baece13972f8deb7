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
    // the UID in the text of StoreContract.event("Planning")
    private static final String UID = "Planning-4f1c8e0a@example.org";

    @Test
    void theDictionaryNeverChangesSinceRowsPackedWithItAreReadWithIt() throws Exception {
        // a new dictionary is a new packing number; this digest is of the one that rows with packings 1 and 2 were
        // written with
        assertEquals("674e619f65ce530426d45f6ce6abebb75ff7f9fa857239d5f9c13e0a2b314485",
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(PackedText.DICTIONARY)));
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
                String uid = "uid-" + size;
                PackedText.Packed packed = PackedText.pack(t, uid);
                assertTrue(packed.bytes().length <= t.length);
                assertArrayEquals(t, PackedText.unpack(packed.packing(), packed.bytes(), t.length, uid),
                        "size " + size);
            }
        }
    }

    @Test
    void aClientsEventTakesLessThanHalfItsBytes() {
        byte[] event = StoreContract.event("Planning");
        PackedText.Packed packed = PackedText.pack(event, UID);
        assertEquals(PackedText.DEFLATED_WITH_UID, packed.packing());
        assertTrue(packed.bytes().length * 2 < event.length, packed.bytes().length + " of " + event.length);
    }

    @Test
    void theRowsUidSharesItsBytesWithTheTextAndAnotherUidIsCaught() {
        String uid = "0f4b8c5e-6c2a-4d1e-9a37-5b1f2e8d7c60";
        byte[] event = new String(StoreContract.event("Planning"), StandardCharsets.UTF_8)
                .replace("UID:" + UID, "UID:" + uid).getBytes(StandardCharsets.UTF_8);
        PackedText.Packed packed = PackedText.pack(event, uid);
        byte[] withoutUid = deflatedAgainstTheDictionaryAlone(event);
        // the 36 random characters of the UID cost about as many bytes against the shared dictionary alone
        assertTrue(packed.bytes().length + 25 < withoutUid.length, packed.bytes().length + " against "
                + withoutUid.length);
        assertArrayEquals(event, PackedText.unpack(packed.packing(), packed.bytes(), event.length, uid));
        // read with another UID (a row changed by hand, or damaged): the stream's dictionary check refuses it
        assertThrows(StoreFailure.class, () -> PackedText.unpack(packed.packing(), packed.bytes(), event.length,
                uid.replace('0', '1')));
        assertThrows(StoreFailure.class, () -> PackedText.unpack(packed.packing(), packed.bytes(), event.length, ""));
        // an empty UID, and the widest the column holds, still share their line; a UID with other characters, or
        // longer, is packed against the dictionary alone, since a database may give it back changed
        java.util.Map<String, Integer> packings = java.util.Map.of("", PackedText.DEFLATED_WITH_UID,
                "x".repeat(1024), PackedText.DEFLATED_WITH_UID, "x".repeat(1025), PackedText.DEFLATED_1,
                "caf\u00e9", PackedText.DEFLATED_1, "a\0b", PackedText.DEFLATED_1, "\ud83d\udcc5",
                PackedText.DEFLATED_1, "a\ud800", PackedText.DEFLATED_1, "tab\there", PackedText.DEFLATED_1);
        for (var e : packings.entrySet()) {
            PackedText.Packed p = PackedText.pack(event, e.getKey());
            assertEquals(e.getValue(), p.packing(), e.getKey());
            assertArrayEquals(event, PackedText.unpack(p.packing(), p.bytes(), event.length, e.getKey()));
        }
    }

    @Test
    void rowsPackedByTheBuildBeforeAgainstTheDictionaryAloneStillRead() {
        byte[] event = StoreContract.event("Before");
        byte[] before = deflatedAgainstTheDictionaryAlone(event);
        // packing 1 ignores the row's UID
        assertArrayEquals(event, PackedText.unpack(PackedText.DEFLATED_1, before, event.length, "any"));
        // and a stream made against the dictionary alone is not read as packing 2
        assertThrows(StoreFailure.class, () -> PackedText.unpack(PackedText.DEFLATED_WITH_UID, before, event.length,
                UID));
    }

    /** How the build before this one packed: zlib against the dictionary alone (packing 1). */
    static byte[] deflatedAgainstTheDictionaryAlone(byte[] text) {
        java.util.zip.Deflater d = new java.util.zip.Deflater();
        try {
            d.setDictionary(PackedText.DICTIONARY);
            d.setInput(text);
            d.finish();
            byte[] out = new byte[text.length + 64];
            int n = 0;
            while (!d.finished()) {
                n += d.deflate(out, n, out.length - n);
            }
            return java.util.Arrays.copyOf(out, n);
        } finally {
            d.end();
        }
    }

    @Test
    void aDamagedRowIsAStoreFailureNeverWrongText() {
        byte[] event = StoreContract.event("Damaged");
        PackedText.Packed packed = PackedText.pack(event, UID);
        int packing = packed.packing();
        byte[] bytes = packed.bytes();
        // a recorded length that is wrong either way
        assertThrows(StoreFailure.class, () -> PackedText.unpack(packing, bytes, event.length - 1, UID));
        assertThrows(StoreFailure.class, () -> PackedText.unpack(packing, bytes, event.length + 1, UID));
        // cut short
        assertThrows(StoreFailure.class, () -> PackedText.unpack(packing,
                java.util.Arrays.copyOf(bytes, bytes.length / 2), event.length, UID));
        // a packing this build does not know
        assertThrows(StoreFailure.class, () -> PackedText.unpack(7, bytes, event.length, UID));
        // every single flipped bit: the stream's checksum, or its form, gives it away; only the padding after the
        // stream's last code is read by nobody, and such a flip gives the same text
        int failed = 0;
        for (int i = 0; i < bytes.length * 8; i++) {
            byte[] flipped = bytes.clone();
            flipped[i / 8] ^= (byte) (1 << (i % 8));
            try {
                assertArrayEquals(event, PackedText.unpack(packing, flipped, event.length, UID),
                        "bit " + i + " gave other text");
            } catch (StoreFailure expected) {
                assertTrue(expected.getMessage().startsWith("a stored object's text"), expected.getMessage());
                failed++;
            }
        }
        assertTrue(failed > bytes.length * 8 - 8, failed + " of " + bytes.length * 8 + " flips failed");
        // bytes after the stream's end
        byte[] longer = java.util.Arrays.copyOf(bytes, bytes.length + 1);
        assertThrows(StoreFailure.class, () -> PackedText.unpack(packing, longer, event.length, UID));
        // a recorded length no deflate stream of this size could give: refused before any room is made for it
        assertThrows(StoreFailure.class, () -> PackedText.unpack(packing, bytes, Integer.MAX_VALUE, UID));
        // a row kept as given whose recorded length is not its own (as a build before packing would leave it)
        assertThrows(StoreFailure.class, () -> PackedText.unpack(PackedText.AS_GIVEN, event, event.length - 1, UID));
        // the pool's inflaters are not left broken by the failures
        assertArrayEquals(event, PackedText.unpack(packing, bytes, event.length, UID));
        assertEquals("x", new String(PackedText.unpack(PackedText.AS_GIVEN, "x".getBytes(StandardCharsets.UTF_8), 1,
                UID), StandardCharsets.UTF_8));
    }
}
