package dev.inboxguard.storage;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.h2.mvstore.DataUtils;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the check value in a chunk's footer ({@link ChunkChain#withBodySum}) costs each chunk H2 writes: a commit's
 * chunk is a few blocks, H2's background writer's up to hundreds.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
public class ChunkSumBenchmark {
    /** The chunk's length in 4 KiB blocks. */
    @Param({"2", "16", "128"})
    public int blocks;

    private ByteBuffer chunk;
    private byte[] footer;

    @Setup
    public void setUp() {
        chunk = ByteBuffer.allocate(blocks * ChunkChain.BLOCK);
        new java.util.Random(1).nextBytes(chunk.array());
        StringBuilder text = new StringBuilder();
        DataUtils.appendMap(text, "chunk", 0x2a);
        DataUtils.appendMap(text, "len", blocks);
        DataUtils.appendMap(text, "version", 0x2a);
        byte[] checked = text.toString().getBytes(StandardCharsets.ISO_8859_1);
        DataUtils.appendMap(text, "fletcher", DataUtils.getFletcher32(checked, 0, checked.length));
        footer = (text + " ".repeat(127 - text.length()) + "\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The footer as H2 wrote it, then the check value added, as for each chunk written. */
    @Benchmark
    public ByteBuffer addTheSum() {
        chunk.put(chunk.capacity() - footer.length, footer);
        return ChunkChain.withBodySum(chunk.clear());
    }

    /** What reading the footer costs alone, which each chunk write did before. */
    @Benchmark
    public Object readTheFooterOnly() {
        chunk.put(chunk.capacity() - footer.length, footer);
        return ChunkChain.footer(chunk.clear(), 4 * ChunkChain.BLOCK);
    }
}
