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
 * @param monitored     what rules in monitor mode would have done instead, when that differs from the action
 */
public record Verdict(Action action, Optional<Approver> approver, RequestStatus requestStatus,
                      Optional<ItipMethod> method, Optional<String> uid, List<Finding> findings,
                      Optional<Outcome> monitored) {

    /** Enforces that an approver goes with a hold and only with a hold. */
    public Verdict {
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(approver, "approver");
        Objects.requireNonNull(requestStatus, "requestStatus");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uid, "uid");
        Objects.requireNonNull(monitored, "monitored");
        findings = List.copyOf(findings);
        if ((action == Action.HOLD) != approver.isPresent()) {
            throw new IllegalArgumentException("an approver goes with hold, and only with hold");
        }
    }

    /**
     * A verdict with nothing in monitor mode.
     *
     * @param action        what happens to the message
     * @param approver      who decides, present exactly when the action is {@link Action#HOLD}
     * @param requestStatus the iTIP status for the sender
     * @param method        the METHOD, if valid
     * @param uid           the UID, if any
     * @param findings      every finding
     */
    public Verdict(Action action, Optional<Approver> approver, RequestStatus requestStatus,
                   Optional<ItipMethod> method, Optional<String> uid, List<Finding> findings) {
        this(action, approver, requestStatus, method, uid, findings, Optional.empty());
    }

    /**
     * An action with what goes with it: the approver of a hold, the status of a reject. A policy reports the outcome
     * its monitor-mode rules would have produced this way (like DMARC's {@code p=none}: computed, counted and
     * audited, never carried out).
     *
     * @param action        the action
     * @param approver      present exactly for hold
     * @param requestStatus success unless rejected
     */
    public record Outcome(Action action, Optional<Approver> approver, RequestStatus requestStatus) {
        /** Enforces that an approver goes with a hold and only with a hold. */
        public Outcome {
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(approver, "approver");
            Objects.requireNonNull(requestStatus, "requestStatus");
            if ((action == Action.HOLD) != approver.isPresent()) {
                throw new IllegalArgumentException("an approver goes with hold, and only with hold");
            }
        }
    }
}
