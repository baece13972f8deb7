package dev.inboxguard.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The guard's decision about one message for one recipient.
 *
 * @param action        what happens to the message
 * @param approver      who decides, present exactly when the action is {@link Action#HOLD}
 * @param requestStatus the iTIP status for the sender: success unless rejected
 * @param method        the message's METHOD, if it has a valid one
 * @param uid           the UID of its first scheduling component, if any
 * @param findings      every finding, in chain order
 */
public record Verdict(Action action, Optional<Approver> approver, RequestStatus requestStatus,
                      Optional<ItipMethod> method, Optional<String> uid, List<Finding> findings) {

    /** Enforces that an approver goes with a hold and only with a hold. */
    public Verdict {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(approver, "approver");
        Objects.requireNonNull(requestStatus, "requestStatus");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uid, "uid");
        findings = List.copyOf(findings);
        if ((action == Action.HOLD) != approver.isPresent()) {
            throw new IllegalArgumentException("an approver goes with hold, and only with hold");
        }
    }
}
