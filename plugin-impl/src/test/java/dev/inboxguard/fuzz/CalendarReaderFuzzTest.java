package dev.inboxguard.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.inject.Guice;
import dev.inboxguard.Samples;
import dev.inboxguard.TestRecipient;
import dev.inboxguard.api.CaldavSubmission;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.Verdict;
import dev.inboxguard.engine.Guard;
import dev.inboxguard.engine.GuardModule;
import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;

/**
 * The bounded iCalendar reader, and the whole guard behind it, on arbitrary bytes: every input is read or refused,
 * and every message read gets a verdict, never an exception. Seeds are in the resources beside this class
 * ({@code CalendarReaderFuzzTestInputs}); {@code mvn verify} fuzzes for 30 seconds (docs/benchmarks.md).
 */
class CalendarReaderFuzzTest {
    private static final CalendarReader READER = new CalendarReader(Samples.limits());
    private static final Guard GUARD = Guice.createInjector(new GuardModule(Samples.unlimited()))
            .getInstance(Guard.class);
    private static final CaldavSubmission ALICE = new CaldavSubmission("alice",
            Set.of(CalendarUserAddress.of("alice@example.com")));
    private static final TestRecipient BOB = TestRecipient.of("bob@example.com",
            Clock.fixed(Instant.parse("2026-11-21T00:00:00Z"), ZoneOffset.UTC));

    @FuzzTest(maxDuration = "30s")
    void everyInputIsReadOrRefusedAndJudged(byte[] input) {
        CalendarRead read = READER.read(input);
        assertNotNull(read);
        if (read instanceof CalendarRead.Refused refused) {
            assertFalse(refused.findings().isEmpty(), "a refusal says why");
            return;
        }
        Verdict v = GUARD.inspect(input, ALICE, BOB);
        assertNotNull(v.action());
        // a fault of the guard would show as guard.overloaded: a fuzzer that finds one has found a bug
        assertFalse(v.findings().stream().anyMatch(f -> f.code().value().equals("guard.overloaded")),
                v.findings().toString());
    }
}
