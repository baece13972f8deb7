package dev.inboxguard.api;

import java.util.List;

/**
 * One link of the guard's chain: it inspects a message and reports what it finds. A check detects; it never
 * decides what happens to the message; the {@link Policy} does that from all findings together.
 *
 * <p>Implementations must be thread-safe (one instance serves all messages), must not modify the message, and
 * must bound their own work and memory for any input: the message is hostile until proven otherwise. Bound work
 * by counting it (instances, iterations, bytes), never by the clock, so that a verdict does not change with the
 * machine's load. A check that throws is a bug in the check, not a judgement of the message: the guard logs it
 * with the check's name and answers with {@code guard.overloaded}, a temporary failure the sender retries.
 */
public interface Check {

    /**
     * @param message   the inbound message
     * @param recipient what may be read about its recipient
     * @return the findings; empty if the check finds nothing
     */
    List<Finding> inspect(SchedulingMessage message, RecipientContext recipient);

    /** @return a short stable name for logs and explanations; the simple class name by default */
    default String name() {
        return getClass().getSimpleName();
    }

    /**
     * A gate guards the checks after it: when a gate reports any finding, the chain ends there, because later
     * checks cannot trust the message's structure, or because the message is refused whatever they find (a rate
     * limit). Structural checks are gates; most checks are not.
     *
     * @return true if this check is a gate
     */
    default boolean isGate() {
        return false;
    }
}
