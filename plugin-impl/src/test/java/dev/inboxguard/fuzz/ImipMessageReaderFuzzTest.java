package dev.inboxguard.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.inboxguard.Samples;
import dev.inboxguard.mime.HeaderTrust;
import dev.inboxguard.mime.ImipMessageReader;
import dev.inboxguard.mime.ImipRead;
import java.util.Set;

/**
 * The bounded e-mail reader on arbitrary bytes: every input is extracted or refused with a finding, within the
 * limits, and only a trusted authserv-id's results are ever believed. Seeds: {@code ImipMessageReaderFuzzTestInputs}.
 */
class ImipMessageReaderFuzzTest {
    private static final ImipMessageReader READER = new ImipMessageReader(Samples.limits(),
            new HeaderTrust(Set.of("mx.example.org"), 0));

    @FuzzTest(maxDuration = "30s")
    void everyEmailIsExtractedOrRefused(byte[] input) {
        ImipRead read = READER.read(input);
        assertNotNull(read);
        if (read instanceof ImipRead.Refused refused) {
            assertFalse(refused.findings().isEmpty(), "a refusal says why");
            return;
        }
        ImipRead.Extracted e = (ImipRead.Extracted) read;
        assertTrue(e.message().calendar().length <= Samples.limits().maxBytes());
        assertTrue(e.message().otherCalendarParts().size() < 10);
        e.message().authenticationResults().forEach(r -> assertTrue(r.authservId().equals("mx.example.org"),
                r.toString()));
    }
}
