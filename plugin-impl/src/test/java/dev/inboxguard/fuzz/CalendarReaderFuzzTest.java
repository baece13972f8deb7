package dev.inboxguard.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.inboxguard.Samples;
import dev.inboxguard.api.CaldavSubmission;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.Verdict;
import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import java.util.Set;

/**
 * The bounded iCalendar reader, and the whole guard behind it, on arbitrary bytes: every input is read or refused,
 * and every message read gets a verdict, never an exception. Seeds are in the resources beside this class
 * ({@code CalendarReaderFuzzTestInputs}); {@code mvn verify} fuzzes for 20 seconds (docs/benchmarks.md).
 */
class CalendarReaderFuzzTest {
    private static final CalendarReader READER = new CalendarReader(Samples.limits());
    private static final CaldavSubmission ALICE = new CaldavSubmission("alice",
            Set.of(CalendarUserAddress.of("alice@example.com")));

    @FuzzTest(maxDuration = "20s")
    void everyInputIsReadOrRefusedAndJudged(byte[] input) {
        CalendarRead read = READER.read(input);
        assertNotNull(read);
        if (read instanceof CalendarRead.Refused refused) {
            assertFalse(refused.findings().isEmpty(), "a refusal says why");
            return;
        }
        Verdict v = FuzzedGuard.GUARD.inspect(input, ALICE, FuzzedGuard.BOB);
        assertNotNull(v.action());
        FuzzedGuard.assertNoFault(v);
    }
}
