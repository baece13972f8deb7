package dev.inboxguard.api;

import java.util.List;

/**
 * Turns findings into a verdict. There is one policy; operators shape it by configuration. A message with
 * several findings gets the most severe action the policy assigns to any of them.
 *
 * <p>A {@code guard.overloaded} finding must always end in a temporary reject (REQUEST-STATUS 5.1), whatever else
 * is found: it reports a fault of the guard, not a judgement of the message, and the sender is to try again.
 */
public interface Policy {

    /**
     * @param context  the facts the decision may depend on
     * @param findings every finding about the message, in chain order
     * @return the verdict
     */
    Verdict decide(DecisionContext context, List<Finding> findings);
}
