package dev.inboxguard.bench;

import com.google.inject.Guice;
import dev.inboxguard.TestRecipient;
import dev.inboxguard.api.CaldavSubmission;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.Verdict;
import dev.inboxguard.checks.recurrence.RecurrenceCorpus;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.engine.Guard;
import dev.inboxguard.engine.GuardModule;
import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import net.fortuna.ical4j.data.CalendarBuilder;
import net.fortuna.ical4j.model.Calendar;
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
 * What the whole guard costs on top of parsing, for typical messages: plain ical4j parsing (what any server does),
 * the guard's bounded reading alone, and the guard's full verdict (reading, structure and recurrence checks,
 * policy).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
@Warmup(iterations = 5, time = 2, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
public class GuardOverheadBenchmark {

    /** The typical messages: an Outlook weekly series and a short one-off REQUEST. */
    @Param({"outlook-weekly", "one-off"})
    public String message;

    private byte[] bytes;
    private Guard guard;
    private CalendarReader reader;
    private TestRecipient recipient;
    private CaldavSubmission sender;

    @Setup
    public void setUp() throws IOException {
        if (message.equals("outlook-weekly")) {
            try (InputStream in = GuardOverheadBenchmark.class.getResourceAsStream("/samples/request.ics")) {
                bytes = in.readAllBytes();
            }
        } else {
            bytes = dev.inboxguard.Samples.request();
        }
        // the same sender at one instant, over and over: rate limits would stop the chain after a few messages
        guard = Guice.createInjector(new GuardModule(dev.inboxguard.Samples.unlimited())).getInstance(Guard.class);
        reader = new CalendarReader(ConfigFile.defaults().limits());
        recipient = TestRecipient.of("bob@example.com", Clock.fixed(Instant.parse(RecurrenceCorpus.NOW),
                ZoneOffset.UTC));
        sender = new CaldavSubmission("alice", Set.of(CalendarUserAddress.of("alice@example.com")));
    }

    /** What any server pays: ical4j's parser with its defaults. */
    @Benchmark
    public Calendar parseWithIcal4j() throws Exception {
        return new CalendarBuilder().build(new ByteArrayInputStream(bytes));
    }

    /** The guard's bounded reading: the limit scan plus ical4j without a timezone registry. */
    @Benchmark
    public CalendarRead readWithinLimits() {
        return reader.read(bytes);
    }

    /** The whole verdict: reading, every check in the chain, and the policy. */
    @Benchmark
    public Verdict fullGuardVerdict() {
        return guard.inspect(bytes, sender, recipient);
    }
}
