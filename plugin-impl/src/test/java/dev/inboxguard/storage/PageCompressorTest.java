package dev.inboxguard.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.h2.compress.CompressLZF;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's page encoder: plain LZF that H2's own reader expands, and the store using it. */
class PageCompressorTest {
    @TempDir
    Path dir;

    private final PageCompressor encoder = new PageCompressor();
    private final CompressLZF h2 = new CompressLZF();

    @Test
    void everyKindOfPageComesBackWholeThroughH2sOwnReader() {
        Random random = new Random(7);
        int pages = 0;
        // one encoder for all: entries its table keeps from one page must not make a wrong match on the next
        for (int len = 17; len < 3000; len += 1 + random.nextInt(40)) {
            for (byte[] page : List.of(randomBytes(random, len), repeated((byte) 0, len), text(random, len),
                    halfRandomHalfText(random, len), fewSymbols(random, len))) {
                roundTrip(page, random.nextInt(5), random.nextInt(5));
                pages++;
            }
        }
        // longer than a back-reference reaches (8 KiB) and than the longest one (264 bytes)
        roundTrip(repeated((byte) 'x', 70_000), 0, 0);
        roundTrip(text(random, 70_000), 3, 1);
        roundTrip(randomBytes(random, 70_000), 1, 2);
        assertTrue(pages > 300, "pages tried: " + pages);
    }

    @Test
    void theLastBytesAreLiteralsSoThatH2sReaderAcceptsTheExactLength() {
        // H2 expands into an array of exactly the page's length and refuses a back-reference that ends at its end:
        // input that repeats to the very last byte is the case where an encoder would write one
        for (int len = 17; len < 600; len++) {
            roundTrip(repeated((byte) 'a', len), 0, 0);
            byte[] twice = new byte[len];
            for (int i = 0; i < len; i++) {
                twice[i] = (byte) ("abcdefgh".charAt(i % 8));
            }
            roundTrip(twice, 0, 0);
        }
    }

    @Test
    void pagesCompressedOneAfterAnotherFromOneBufferNeverReachBackIntoTheOneBefore() {
        // as H2 writes a commit: each page's bytes follow the last one's in one buffer, and the keys repeat across
        // pages, so the encoder's table points into the page before; a back-reference there would expand to
        // bytes this page does not hold
        Random random = new Random(5);
        byte[] buffer = new byte[64 * 1024];
        int at = 0;
        byte[] previous = text(random, 900);
        while (at + 2 * previous.length < buffer.length) {
            System.arraycopy(previous, 0, buffer, at, previous.length);
            int start = at + previous.length;
            byte[] page = previous.clone();
            page[random.nextInt(page.length)] ^= 1; // nearly the page before, as a B-tree page's next copy is
            System.arraycopy(page, 0, buffer, start, page.length);
            byte[] packed = new byte[page.length * 2];
            int end = encoder.compress(buffer, start, page.length, packed, 0);
            byte[] back = new byte[page.length];
            h2.expand(packed, 0, end, back, 0, back.length);
            assertArrayEquals(page, back);
            assertTrue(end < page.length, "a page of keys compresses: " + end);
            at = start;
            previous = page;
        }
    }

    @Test
    void whatRepeatsShrinksAndWhatDoesNotGrowsByLzfsLiteralMarksAlone() {
        Random random = new Random(11);
        byte[] keys = text(random, 4096);
        int packed = encoder.compress(keys, 0, keys.length, new byte[keys.length * 2], 0);
        int h2Packed = h2.compress(keys, 0, keys.length, new byte[keys.length * 2], 0);
        // within a tenth of H2's own encoder on keys that repeat their prefixes around random digits
        assertTrue(packed < keys.length * 0.7 && packed <= h2Packed * 1.1, packed + " against H2's " + h2Packed);
        byte[] noise = randomBytes(random, 4096);
        int out = encoder.compress(noise, 0, noise.length, new byte[noise.length * 2], 0);
        assertEquals(noise.length + noise.length / 32, out, "one mark for each 32 literals");
    }

    @Test
    void theStoreCompressesWithItAndAPlainH2ReadsWhatItWrote() throws Exception {
        Random random = new Random(3);
        List<byte[]> events = new ArrayList<>();
        try (Database db = Database.embedded(dir, true);
             Connection c = db.dataSource().getConnection()) {
            java.lang.reflect.Field f = org.h2.mvstore.MVStore.class.getDeclaredField("compressorFast");
            f.setAccessible(true);
            assertInstanceOf(PageCompressor.class, f.get(GroupCommit.store(c)));
            db.calendars().createCalendar(new StoredCalendar("alice", "work", "Work", Set.of("VEVENT"), 0));
            for (int i = 0; i < 400; i++) {
                byte[] event = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:e-" + i
                        + "\r\nDTSTAMP:20261120T090000Z\r\nDTSTART:20261201T100000Z\r\nSUMMARY:"
                        + new String(text(random, 20 + random.nextInt(400)), StandardCharsets.US_ASCII)
                        + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").getBytes(StandardCharsets.US_ASCII);
                events.add(event);
                db.calendars().put("alice", "work", "e-" + i + ".ics", "e-" + i, event,
                        new TimeSpan("VEVENT", 0, 1), Expectation.NONE);
            }
        }
        // H2 alone, with its own LZF reader, reads every row of every table the store wrote
        Path file = dir.toAbsolutePath().resolve("inboxguard");
        int rows = 0;
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + file + ";ACCESS_MODE_DATA=r",
                "inboxguard", "");
             Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet r = s.executeQuery("SELECT table_name FROM information_schema.tables "
                    + "WHERE table_schema = 'PUBLIC'")) {
                while (r.next()) {
                    tables.add(r.getString(1));
                }
            }
            for (String table : tables) {
                try (ResultSet r = s.executeQuery("SELECT * FROM \"" + table + "\"")) {
                    while (r.next()) {
                        for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
                            r.getObject(i);
                        }
                        rows++;
                    }
                }
            }
        }
        assertTrue(rows >= events.size(), "rows read: " + rows);
        try (Database db = Database.embedded(dir, true)) {
            for (int i = 0; i < events.size(); i++) {
                assertArrayEquals(events.get(i), db.calendars().object("alice", "work", "e-" + i + ".ics")
                        .orElseThrow().data());
            }
        }
    }

    private void roundTrip(byte[] page, int inOffset, int outOffset) {
        // random bytes around the page: a match that read beyond it would not expand to the page
        byte[] in = new byte[inOffset + page.length + 3];
        new Random(page.length).nextBytes(in);
        System.arraycopy(page, 0, in, inOffset, page.length);
        byte[] packed = new byte[outOffset + page.length * 2];
        int end = encoder.compress(in, inOffset, page.length, packed, outOffset);
        assertTrue(end - outOffset <= page.length + page.length / 32 + 1, "at most LZF's literal marks added");
        byte[] back = new byte[page.length];
        h2.expand(packed, outOffset, end - outOffset, back, 0, back.length);
        assertArrayEquals(page, back, "a page of " + page.length + " bytes");
    }

    private static byte[] randomBytes(Random random, int len) {
        byte[] b = new byte[len];
        random.nextBytes(b);
        return b;
    }

    private static byte[] repeated(byte value, int len) {
        byte[] b = new byte[len];
        java.util.Arrays.fill(b, value);
        return b;
    }

    /** Keys of the kind a B-tree page holds: names that share long prefixes, with counters and digests. */
    private static byte[] text(Random random, int len) {
        StringBuilder s = new StringBuilder();
        while (s.length() < len) {
            s.append("load-").append(random.nextInt(100_000)).append("-").append(Long.toHexString(random.nextLong()))
                    .append("@example.net.ics");
        }
        return s.substring(0, len).getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] halfRandomHalfText(Random random, int len) {
        byte[] b = randomBytes(random, len);
        byte[] t = text(random, len / 2);
        System.arraycopy(t, 0, b, len - t.length, t.length);
        return b;
    }

    private static byte[] fewSymbols(Random random, int len) {
        byte[] b = new byte[len];
        for (int i = 0; i < len; i++) {
            b[i] = (byte) random.nextInt(3);
        }
        return b;
    }
}
