package dev.inboxguard.bench;

import dev.inboxguard.TestRecipient;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.ImipDelivery;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.checks.rate.RateLimitCheck;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.ratelimit.TokenBuckets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/** What the rate limit costs a message: the whole check (four buckets), one sender or many, one thread or two. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
public class RateLimitBenchmark {
    private RateLimitCheck check;
    private SchedulingMessage oneSender;
    private TestRecipient bob;
    private TokenBuckets buckets;
    private final AtomicLong counter = new AtomicLong();

    @Setup
    public void setUp() {
        buckets = new TokenBuckets(100_000);
        check = new RateLimitCheck(buckets, ConfigFile.defaults().rates());
        CalendarUserAddress mallory = CalendarUserAddress.of("mallory@flood.example");
        byte[] ics = dev.inboxguard.Samples.request();
        CalendarRead.Parsed parsed = (CalendarRead.Parsed) new CalendarReader(ConfigFile.defaults().limits()).read(ics);
        oneSender = new SchedulingMessage(parsed.calendar(), ics, CalendarUserAddress.of("bob@example.com"),
                new ImipDelivery(Optional.of(mallory), Optional.of(mallory), Optional.empty(), List.of(),
                        Optional.empty(), Set.of(), List.of()));
        bob = TestRecipient.of("bob@example.com", Clock.systemUTC());
    }

    /** A flood from one sender: the same four buckets every time, almost always empty. */
    @Benchmark
    public List<Finding> checkOneSender() {
        return check.inspect(oneSender, bob);
    }

    /** The same from two threads at once, contending for the same buckets. */
    @Benchmark
    @Threads(2)
    public List<Finding> checkOneSenderTwoThreads() {
        return check.inspect(oneSender, bob);
    }

    /** A spread flood: a new key every time, so buckets are made and swept. */
    @Benchmark
    public boolean bucketPerNewSender() {
        return buckets.tryTakeAll(List.of(new dev.inboxguard.ratelimit.RateLimiter.Limit(
                "sender:bot" + counter.incrementAndGet(), 30, 120)), java.time.Instant.now()).isEmpty();
    }
}
