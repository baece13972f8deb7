package dev.inboxguard.bench;

import dev.inboxguard.TestRecipient;
import dev.inboxguard.api.CaldavSubmission;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.checks.recurrence.RecurrenceCheck;
import dev.inboxguard.checks.recurrence.RecurrenceCorpus;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import java.io.ByteArrayInputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import net.fortuna.ical4j.data.CalendarBuilder;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Period;
import net.fortuna.ical4j.model.component.CalendarComponent;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The recurrence check against a naive ical4j expansion ({@code calculateRecurrenceSet} over the same two-year
 * horizon), message by message over the corpus. The naive side is run only where it finishes: for the
 * high-frequency abusers it runs for seconds or out of memory (shared/HAZARDS.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
@Warmup(iterations = 2, time = 500, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 3, time = 500, timeUnit = TimeUnit.MILLISECONDS)
public class RecurrenceBenchmark {

    /** Corpus case numbers; see {@link RecurrenceCorpus#all()}. */
    @Param({"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16", "17", "18",
            "19", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32", "33", "34", "35", "36",
            "37", "38", "39", "40", "41", "42", "43", "44", "45", "46", "47", "48", "49", "50", "51", "52", "53", "54",
            "55", "56", "57", "58", "59", "60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "70", "71",
            "72", "73"})
    public int index;

    private RecurrenceCheck check;
    private SchedulingMessage message;
    private RecipientContext recipient;
    private byte[] bytes;
    private Period<ZonedDateTime> horizon;

    @Setup(Level.Trial)
    public void setUp() {
        List<RecurrenceCorpus.Case> corpus = RecurrenceCorpus.all();
        RecurrenceCorpus.Case c = corpus.get(Math.min(index, corpus.size() - 1));
        bytes = c.ics();
        check = new RecurrenceCheck(ConfigFile.defaults().recurrence());
        CalendarRead.Parsed parsed = (CalendarRead.Parsed) new CalendarReader(ConfigFile.defaults().limits())
                .read(bytes);
        message = new SchedulingMessage(parsed.calendar(), bytes, CalendarUserAddress.of("bob@example.com"),
                new CaldavSubmission("alice", Set.of(CalendarUserAddress.of("alice@example.com"))));
        Clock clock = Clock.fixed(Instant.parse(RecurrenceCorpus.NOW), ZoneOffset.UTC);
        recipient = TestRecipient.of("bob@example.com", clock);
        ZonedDateTime now = ZonedDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        horizon = new Period<>(now.minusDays(365), now.plusDays(730));
    }

    /** The guard's check on an already parsed message. */
    @Benchmark
    public List<Finding> guardCheck() {
        return check.inspect(message, recipient);
    }

    /** ical4j as a naive server uses it: build with a timezone registry, then expand over the horizon. */
    @Benchmark
    public int naiveIcal4jExpansion() throws Exception {
        Calendar calendar = new CalendarBuilder().build(new ByteArrayInputStream(bytes));
        int n = 0;
        for (CalendarComponent c : calendar.<CalendarComponent>getComponents()) {
            if (c.getName().equals("VEVENT") || c.getName().equals("VTODO")) {
                n += c.calculateRecurrenceSet(horizon).size();
            }
        }
        return n;
    }

    /** Only the parse the naive side needs, to separate parsing from expanding. */
    @Benchmark
    public Calendar naiveIcal4jParseOnly() throws Exception {
        return new CalendarBuilder().build(new ByteArrayInputStream(bytes));
    }
}
