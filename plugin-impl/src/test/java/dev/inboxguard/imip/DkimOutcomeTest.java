package dev.inboxguard.imip;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.inboxguard.api.AuthenticationResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The DKIM outcome counted per message: a pass wins, and DNS trouble is told apart from forgery. */
class DkimOutcomeTest {
    private static AuthenticationResult dkim(String result) {
        return new AuthenticationResult("dkim", result, "example.net", "inboxguard");
    }

    @Test
    void eachMessageGetsOneOfFiveOutcomes() {
        assertEquals("none", ImipGateway.outcome(List.of()));
        assertEquals("pass", ImipGateway.outcome(List.of(dkim("fail"), dkim("pass"))));
        assertEquals("temperror", ImipGateway.outcome(List.of(dkim("fail"), dkim("temperror"))));
        assertEquals("permerror", ImipGateway.outcome(List.of(dkim("permerror"), dkim("neutral"))));
        assertEquals("fail", ImipGateway.outcome(List.of(dkim("fail"))));
        assertEquals("fail", ImipGateway.outcome(List.of(dkim("policy"), dkim("neutral"))));
    }
}
