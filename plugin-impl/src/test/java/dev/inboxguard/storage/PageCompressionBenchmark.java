package dev.inboxguard.storage;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.h2.compress.CompressLZF;
import org.h2.compress.Compressor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What compressing the pages of a commit costs with H2's LZF encoder and with the store's ({@link PageCompressor}),
 * on the pages the embedded store really wrote: the setup puts events into a store and keeps a copy of every page
 * H2 handed to the encoder (the objects' rows with their packed texts, the indexes, H2's own layout). Each
 * invocation compresses them all; the setup prints how small each encoder makes them.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
@Warmup(iterations = 3, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
public class PageCompressionBenchmark {
    private final List<byte[]> pages = new ArrayList<>();
    private final CompressLZF h2 = new CompressLZF();
    private final PageCompressor store = new PageCompressor();
    private byte[] out;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Path dir = Files.createTempDirectory("page-compression");
        try (Database db = Database.embedded(dir, true);
             java.sql.Connection c = db.dataSource().getConnection()) {
            java.lang.reflect.Field f = org.h2.mvstore.MVStore.class.getDeclaredField("compressorFast");
            f.setAccessible(true);
            f.set(GroupCommit.store(c), new Recorder(pages));
            db.calendars().createCalendar(new StoredCalendar("bob", "calendar", "Calendar", Set.of("VEVENT"), 0));
            for (int i = 0; i < 3000; i++) {
                String uid = UUID.randomUUID() + "@example.net";
                byte[] event = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//load//EN\r\nBEGIN:VEVENT\r\nUID:" + uid
                        + "\r\nDTSTAMP:20261121T090000Z\r\nDTSTART:20261201T100000Z\r\nDTEND:20261201T110000Z\r\n"
                        + "SUMMARY:Load " + i + "\r\nSEQUENCE:0\r\nORGANIZER:mailto:org@example.net\r\n"
                        + "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.com\r\nEND:VEVENT\r\n"
                        + "END:VCALENDAR\r\n").getBytes(StandardCharsets.US_ASCII);
                db.calendars().put("bob", "calendar", uid + ".ics", uid, event,
                        new TimeSpan("VEVENT", 1_796_119_200_000L + i, 1_796_122_800_000L + i), Expectation.NONE);
            }
        }
        long bytes = 0;
        int largest = 0;
        for (byte[] p : pages) {
            bytes += p.length;
            largest = Math.max(largest, p.length);
        }
        out = new byte[largest * 2];
        // what is timed must also be right: each page back through H2's reader before any timing
        for (byte[] p : pages) {
            int end = store.compress(p, 0, p.length, out, 0);
            byte[] back = new byte[p.length];
            h2.expand(out, 0, end, back, 0, back.length);
            if (!java.util.Arrays.equals(p, back)) {
                throw new IllegalStateException("a page of " + p.length + " bytes did not come back");
            }
        }
        System.out.printf("%n%d pages, %d bytes: H2's LZF %d bytes, the store's %d bytes%n", pages.size(), bytes,
                total(h2), total(store));
    }

    @Benchmark
    public long h2Lzf() {
        return total(h2);
    }

    @Benchmark
    public long pageCompressor() {
        return total(store);
    }

    private long total(Compressor encoder) {
        long sum = 0;
        for (byte[] p : pages) {
            sum += encoder.compress(p, 0, p.length, out, 0);
        }
        return sum;
    }

    /** Keeps a copy of each page H2 compresses, and compresses it as H2 would. */
    private static final class Recorder implements Compressor {
        private final List<byte[]> pages;
        private final CompressLZF lzf = new CompressLZF();

        Recorder(List<byte[]> pages) {
            this.pages = pages;
        }

        @Override
        public int getAlgorithm() {
            return LZF;
        }

        @Override
        public int compress(byte[] in, int inPos, int inLen, byte[] out, int outPos) {
            synchronized (pages) {
                pages.add(java.util.Arrays.copyOfRange(in, inPos, inPos + inLen));
            }
            return lzf.compress(in, inPos, inLen, out, outPos);
        }

        @Override
        public void expand(byte[] in, int inPos, int inLen, byte[] out, int outPos, int outLen) {
            lzf.expand(in, inPos, inLen, out, outPos, outLen);
        }

        @Override
        public void setOptions(String options) {
            // nothing to set
        }
    }
}
