package dev.inboxguard.engine;

import dev.inboxguard.api.Check;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.api.RequestStatus;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.api.Severity;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the checks in position order and gathers their findings. A gate that reports anything ends the run. A check
 * that fails (throws, or overflows the stack on hostile nesting) does not take the guard down: its failure becomes
 * a {@code malformed} finding, so the message fails closed.
 */
public final class CheckChain {
    private static final Logger LOG = LoggerFactory.getLogger(CheckChain.class);
    private static final RequestStatus CHECK_FAILED = new RequestStatus("3.1", "Invalid property value");

    private final List<ChainLink> links;

    /** @param links the registered checks, in any order */
    @Inject
    public CheckChain(Set<ChainLink> links) {
        this.links = links.stream().sorted(Comparator.comparingInt(ChainLink::position)).toList();
    }

    /** @return the checks in the order they run */
    public List<Check> checks() {
        return links.stream().map(ChainLink::check).toList();
    }

    /**
     * @param message   the message
     * @param recipient what the checks may read about its recipient
     * @return every finding, in chain order
     */
    public List<Finding> run(SchedulingMessage message, RecipientContext recipient) {
        List<Finding> findings = new ArrayList<>();
        for (ChainLink link : links) {
            Check check = link.check();
            List<Finding> found;
            try {
                found = check.inspect(message, recipient);
            } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
                // a plugin's or a library's failure is the message's problem, never the guard's; only the JVM's
                // own errors (out of memory) pass
                LOG.warn("check {} failed on message {}: {}", check.name(), message.uid().orElse("?"), e.toString());
                found = List.of(Finding.of(FindingCode.MALFORMED, Severity.HIGH,
                        "the " + check.name() + " check could not read this message")
                        .withRequestStatus(CHECK_FAILED));
            }
            if (found != null) {
                findings.addAll(found);
            }
            if (check.isGate() && found != null && !found.isEmpty()) {
                break;
            }
        }
        return findings;
    }
}
