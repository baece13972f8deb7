package dev.inboxguard.api;

import java.util.Objects;
import java.util.Optional;

/**
 * What the policy may consider besides the findings. Deliberately small: the policy decides from facts the checks
 * established, not by inspecting the message again.
 *
 * @param method    the METHOD, if the message has a valid one
 * @param uid       the UID, if known
 * @param transport how the message arrived
 * @param recipient the inbox owner
 */
public record DecisionContext(Optional<ItipMethod> method, Optional<String> uid, Transport transport,
                              CalendarUserAddress recipient) {

    /** Rejects nulls. */
    public DecisionContext {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(recipient, "recipient");
    }
}
