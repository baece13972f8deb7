package dev.inboxguard.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;

import com.google.inject.Guice;
import dev.inboxguard.Samples;
import dev.inboxguard.TestRecipient;
import dev.inboxguard.api.Verdict;
import dev.inboxguard.engine.Guard;
import dev.inboxguard.engine.GuardModule;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** The whole guard as the fuzz targets drive it: the defaults without rate limits, bob's inbox, a fixed now. */
final class FuzzedGuard {
    static final Guard GUARD = Guice.createInjector(new GuardModule(Samples.unlimited())).getInstance(Guard.class);
    static final TestRecipient BOB = TestRecipient.of("bob@example.com",
            Clock.fixed(Instant.parse("2026-11-21T00:00:00Z"), ZoneOffset.UTC));

    private FuzzedGuard() {
    }

    /** A fault of the guard (a check that threw, the safety net) on any input is a bug the fuzzer found. */
    static void assertNoFault(Verdict v) {
        assertFalse(v.findings().stream().anyMatch(f -> f.message().startsWith("the guard could not finish")),
                v.findings().toString());
    }
}
