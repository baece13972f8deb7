package dev.inboxguard.checks.recurrence;

import java.time.Duration;

/**
 * The work one evaluation may do, counted in steps: each period of a rule examined and each candidate instance
 * built costs one. Never counted in time: the same message costs the same steps on an idle or a saturated machine,
 * in a cold or a warm JVM, so whoever loads the machine cannot change its verdict.
 *
 * <p>A wall-clock safety net stands behind the count, for bugs only (a step that turned out to cost far more than
 * it should). When it fires, {@link SafetyNetTripped} is thrown; nobody in this package catches it, so it leaves
 * the check, and the chain answers with a temporary failure ({@code guard.overloaded}) instead of a judgement.
 */
final class WorkBudget {
    private final long maxSteps;
    private final long deadline;
    private long spent;
    private int calls;

    /**
     * @param maxSteps  the steps allowed
     * @param safetyNet the wall-clock time after which the evaluation is abandoned as a fault
     */
    WorkBudget(long maxSteps, Duration safetyNet) {
        this.maxSteps = maxSteps;
        this.deadline = System.nanoTime() + safetyNet.toNanos();
    }

    /** A budget that never runs out, for callers that bound the work otherwise (tests). */
    static WorkBudget unlimited() {
        return new WorkBudget(Long.MAX_VALUE, Duration.ofDays(365));
    }

    /**
     * @param steps the work about to be done, or just done
     * @throws Exhausted        once more steps were spent than allowed: a judgement about the input
     * @throws SafetyNetTripped when the safety net's time ran out: a fault, not a judgement
     */
    void spend(long steps) {
        spent += steps;
        if (spent > maxSteps || spent < 0) {
            throw new Exhausted();
        }
        // reading the clock is cheap, but not free; a step is bounded work, so every 256th call is often enough
        if ((++calls & 255) == 0 && System.nanoTime() - deadline > 0) {
            throw new SafetyNetTripped();
        }
    }

    /** @return true once more steps were spent than allowed */
    boolean exhausted() {
        return spent > maxSteps || spent < 0;
    }

    /** @return the steps spent so far */
    long spent() {
        return spent;
    }

    /** The step budget ran out: the input costs more than the limit allows, on any machine. */
    static final class Exhausted extends RuntimeException {
        Exhausted() {
            super("the work budget ran out", null, false, false);
        }
    }

    /** The wall-clock safety net fired: a fault of the guard, to be answered with a temporary failure. */
    static final class SafetyNetTripped extends RuntimeException {
        SafetyNetTripped() {
            super("the evaluation's safety net fired: it ran longer than its work could explain", null, false,
                    false);
        }
    }
}
