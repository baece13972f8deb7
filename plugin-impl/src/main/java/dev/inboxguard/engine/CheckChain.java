package dev.inboxguard.engine;

import dev.inboxguard.api.Check;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.api.RequestStatus;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.api.Severity;
import dev.inboxguard.metrics.ServerMeters;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the checks in position order and gathers their findings. A gate that reports anything ends the run. A check
 * that fails (throws, overflows the stack, or trips its safety net) does not take the guard down, and does not
 * judge the message either: a failure is the check's bug, so it becomes {@code guard.overloaded}, a temporary
 * failure the sender retries (as an MTA answers a failing milter with tempfail), and is logged and counted with
 * the check's name. The message still fails closed: it is not delivered.
 */
@Singleton
public final class CheckChain {
    private static final Logger LOG = LoggerFactory.getLogger(CheckChain.class);
    /** How {@link #overloaded} begins, and only it. */
    private static final String FAULT = "the guard could not finish checking this message (";
    private final List<ChainLink> links;
    private final List<Timer> timers;
    private final ServerMeters meters;

    /**
     * @param links  the registered checks, in any order
     * @param meters where each check's time and failures are recorded
     */
    @Inject
    public CheckChain(Set<ChainLink> links, ServerMeters meters) {
        this.links = links.stream().sorted(Comparator.comparingInt(ChainLink::position)).toList();
        this.meters = meters;
        this.timers = this.links.stream().map(l -> meters.checkTimer(l.check().name())).toList();
        // every check's failure count is on the page from the start, at zero, so alerts can watch it rise
        this.links.forEach(l -> meters.checkFailures(l.check().name()));
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
        for (int i = 0; i < links.size(); i++) {
            Check check = links.get(i).check();
            List<Finding> found;
            long start = System.nanoTime();
            try {
                found = check.inspect(message, recipient);
                timers.get(i).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
                // only the JVM's own errors (out of memory) pass
                meters.checkFailed(check.name());
                LOG.error("internal fault: check {} failed on message {}; answered guard.overloaded (temporary)",
                        check.name(), message.uid().orElse("?"), e);
                findings.add(overloaded(check.name()));
                return findings; // the verdict is a temporary failure whatever the others find
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

    /**
     * @param checkName the check that failed
     * @return the finding that stands for a fault of the guard, not a judgement of the message
     */
    static Finding overloaded(String checkName) {
        return Finding.of(FindingCode.GUARD_OVERLOADED, Severity.HIGH, FAULT + checkName + "); please try again later")
                .withRequestStatus(RequestStatus.SERVICE_UNAVAILABLE);
    }

    /**
     * @param finding a finding
     * @return whether it stands for a check's fault ({@link #overloaded}) rather than a judgement or a temporary
     *     condition a check reported
     */
    static boolean isFault(Finding finding) {
        return finding.code().equals(FindingCode.GUARD_OVERLOADED) && finding.message().startsWith(FAULT);
    }
}
