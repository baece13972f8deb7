package dev.inboxguard.api;

import java.util.List;

/**
 * Turns findings into a verdict. There is one policy; operators shape it by configuration. A message with
 * several findings gets the most severe action the policy assigns to any of them.
 */
public interface Policy {

    /**
     * @param context  the facts the decision may depend on
     * @param findings every finding about the message, in chain order
     * @return the verdict
     */
    Verdict decide(DecisionContext context, List<Finding> findings);
}
