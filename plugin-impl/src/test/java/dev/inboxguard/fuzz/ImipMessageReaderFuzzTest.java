package dev.inboxguard.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.inboxguard.Samples;
import dev.inboxguard.api.ImipDelivery;
import dev.inboxguard.api.Verdict;
import dev.inboxguard.mime.DeliveryStatusReport;
import dev.inboxguard.mime.HeaderTrust;
import dev.inboxguard.mime.ImipMessageReader;
import dev.inboxguard.mime.ImipRead;
import java.util.Set;

/**
 * The bounded e-mail reader on arbitrary bytes: every input is extracted or refused with a finding, within the
 * limits, only a trusted authserv-id's results are ever believed, and the guard judges what was extracted, the
 * comparison of its calendar parts included, without a fault. The same bytes read as a delivery status notification
 * give a bounded report or none. Seeds: {@code ImipMessageReaderFuzzTestInputs}.
 */
class ImipMessageReaderFuzzTest {
    private static final ImipMessageReader READER = new ImipMessageReader(Samples.limits(),
            new HeaderTrust(Set.of("mx.example.org"), 0));

    @FuzzTest(maxDuration = "20s")
    void everyEmailIsExtractedOrRefused(byte[] input) {
        // the same bytes as a delivery status notification (mail from the null sender is read as one first)
        DeliveryStatusReport.read(input, Samples.limits()).ifPresent(report -> {
            assertTrue(report.messageId().startsWith("<") && report.messageId().length() <= 252, report.messageId());
            assertTrue(!report.recipients().isEmpty() && report.recipients().size() <= 100);
        });
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
        // and the whole guard on it, the comparison of calendar parts included: no fault of the guard
        ImipDelivery facts = new ImipDelivery(e.message().returnPath(), e.message().from(), e.message().sender(),
                e.message().replyTo(), e.message().messageId(), Set.of(), e.message().authenticationResults());
        Verdict v = FuzzedGuard.GUARD.inspectEmail(e.message(), facts, FuzzedGuard.BOB);
        FuzzedGuard.assertNoFault(v);
    }
}
