package dev.inboxguard.engine;

import dev.inboxguard.api.Action;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.DecisionContext;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.ItipMethod;
import dev.inboxguard.api.Policy;
import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.api.Transport;
import dev.inboxguard.api.TransportFacts;
import dev.inboxguard.api.Verdict;
import dev.inboxguard.checks.content.SuspiciousLinkCheck;
import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.ical.InputFindings;
import dev.inboxguard.metrics.ServerMeters;
import dev.inboxguard.mime.ImipMessage;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.fortuna.ical4j.model.Calendar;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The guard: reads an inbound iTIP message within the limits, runs the check chain over it and lets the policy
 * decide. Every path into a scheduling inbox ends here, and every outcome is a {@link Verdict}, never an
 * exception.
 */
public final class Guard {
    private static final Logger LOG = LoggerFactory.getLogger(Guard.class);
    private final CalendarReader reader;
    private final CheckChain chain;
    private final Policy policy;
    private final InboxCopy.Rewrite rewrite;
    private final CalendarPartsAgreement parts;
    private final SuspiciousLinkCheck links;
    private final ServerMeters meters;

    /**
     * @param reader the bounded iCalendar reader
     * @param chain  the checks
     * @param policy the policy
     * @param rewrite how delivered copies are rewritten (alarms, flagged invitations)
     * @param links   the link check, which also judges an e-mail's own bodies
     * @param meters  where the time of each verdict is recorded
     */
    @Inject
    public Guard(CalendarReader reader, CheckChain chain, Policy policy, InboxCopy.Rewrite rewrite,
                 SuspiciousLinkCheck links, ServerMeters meters) {
        this.reader = reader;
        this.meters = meters;
        this.links = links;
        this.chain = chain;
        this.policy = policy;
        this.rewrite = rewrite;
        this.parts = new CalendarPartsAgreement(reader);
    }

    /**
     * A verdict and what to put in the inbox: the sanitised copy ({@link InboxCopy}) for a message that is
     * delivered, flagged or held, nothing for one that is rejected.
     *
     * @param verdict   the verdict
     * @param inboxCopy the iCalendar text to deliver, or store until approval
     * @param copyModel the object that text was written from, so that the delivery need not read it again; it
     *                  belongs to the one delivery that takes it, which may change it
     */
    public record Screening(Verdict verdict, Optional<byte[]> inboxCopy, Optional<Calendar> copyModel) {
        /**
         * @return whether the guard could not judge the message just now for a reason outside it (an authentication
         *     lookup that timed out: RFC 8601 temperror), so that the sender is asked to come back. A check's fault
         *     is not such a reason: it would recur with the same message.
         */
        public boolean refusedForNow() {
            List<Finding> findings = verdict.findings();
            return verdict.action() == Action.REJECT
                    && findings.stream().anyMatch(f -> f.code().equals(FindingCode.GUARD_OVERLOADED))
                    && findings.stream().noneMatch(CheckChain::isFault);
        }
    }

    /**
     * Like {@link #inspect(byte[], TransportFacts, RecipientContext)}, and also writes the copy to deliver.
     *
     * @param icalendar the iTIP object as received
     * @param facts     how it arrived
     * @param recipient the inbox owner
     * @return the verdict and the copy to deliver
     */
    public Screening screen(byte[] icalendar, TransportFacts facts, RecipientContext recipient) {
        return screen(icalendar, facts, recipient, Optional.empty(), true);
    }

    /**
     * @param mail      the e-mail's calendar part and facts
     * @param facts     the iMIP transport facts
     * @param recipient the inbox owner
     * @return the verdict and the copy to deliver
     */
    public Screening screenEmail(ImipMessage mail, TransportFacts facts, RecipientContext recipient) {
        return screen(mail.calendar(), facts, recipient, Optional.of(mail), true);
    }

    /**
     * @param icalendar the iTIP object as received
     * @param facts     how it arrived
     * @param recipient the inbox owner and what checks may read about them
     * @return the verdict
     */
    public Verdict inspect(byte[] icalendar, TransportFacts facts, RecipientContext recipient) {
        return screen(icalendar, facts, recipient, Optional.empty(), false).verdict();
    }

    /**
     * Inspects the calendar part of an e-mail. Besides the chain, the Content-Type {@code method} parameter must
     * agree with the object's METHOD (RFC 6047 §2.4), or the message is malformed; and the e-mail's other
     * calendar parts must schedule the same thing, or the message has conflicting parts.
     *
     * @param mail      the e-mail's calendar part and facts
     * @param facts     the iMIP transport facts (envelope sender from the MTA, header addresses, trusted results)
     * @param recipient the inbox owner
     * @return the verdict
     */
    public Verdict inspectEmail(ImipMessage mail, TransportFacts facts, RecipientContext recipient) {
        return screen(mail.calendar(), facts, recipient, Optional.of(mail), false).verdict();
    }

    /**
     * @param findings  why the message could not be read
     * @param transport how it arrived
     * @param recipient the inbox owner
     * @return the policy's verdict on those findings alone
     */
    public Verdict refuse(List<Finding> findings, Transport transport, CalendarUserAddress recipient) {
        return policy.decide(new DecisionContext(Optional.empty(), Optional.empty(), transport, recipient), findings);
    }

    private Screening screen(byte[] icalendar, TransportFacts facts, RecipientContext recipient,
                             Optional<ImipMessage> mail, boolean writeCopy) {
        long start = System.nanoTime();
        try {
            return screenUntimed(icalendar, facts, recipient, mail, writeCopy);
        } finally {
            meters.verdictTimer(facts.transport()).record(System.nanoTime() - start,
                    java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }

    private Screening screenUntimed(byte[] icalendar, TransportFacts facts, RecipientContext recipient,
                                    Optional<ImipMessage> mail, boolean writeCopy) {
        CalendarRead read = reader.read(icalendar);
        if (read instanceof CalendarRead.Refused refused) {
            return new Screening(refuse(refused.findings(), facts.transport(), recipient.address()),
                    Optional.empty(), Optional.empty());
        }
        CalendarRead.Parsed parsed = (CalendarRead.Parsed) read;
        SchedulingMessage message = new SchedulingMessage(parsed.calendar(), parsed.bytes(), recipient.address(),
                facts);
        List<Finding> findings = new ArrayList<>();
        mail.flatMap(m -> new MimeMethodAgreement(m.mimeMethod()).inspect(message)).ifPresent(findings::add);
        if (findings.isEmpty()) {
            findings.addAll(chain.run(message, recipient));
            if (mail.isPresent() && !mail.get().otherCalendarParts().isEmpty()) {
                try {
                    parts.inspect(parsed.calendar(), mail.get().otherCalendarParts()).ifPresent(findings::add);
                } catch (RuntimeException | StackOverflowError e) {
                    LOG.error("internal fault: comparing the calendar parts of message {} failed; answered "
                            + "guard.overloaded (temporary)", message.uid().orElse("?"), e);
                    findings.add(CheckChain.overloaded("CalendarPartsAgreement"));
                }
            }
            if (mail.isPresent() && !mail.get().texts().isEmpty()) {
                try {
                    findings.addAll(links.inspectMailBodies(mail.get().texts().stream()
                            .map(t -> Map.entry(t.html(), t.text())).toList(), message));
                } catch (RuntimeException | StackOverflowError e) {
                    LOG.error("internal fault: scanning the e-mail body of message {} failed; answered "
                            + "guard.overloaded (temporary)", message.uid().orElse("?"), e);
                    findings.add(CheckChain.overloaded("SuspiciousLinkCheck (e-mail body)"));
                }
            }
        }
        DecisionContext context = new DecisionContext(message.method(), message.uid(), facts.transport(),
                recipient.address());
        Verdict verdict = policy.decide(context, findings);
        if (verdict.action() == Action.REJECT || !writeCopy) {
            return new Screening(verdict, Optional.empty(), Optional.empty());
        }
        // the checks are done with the parsed object, which belongs to this message alone
        byte[] copy = InboxCopy.of(parsed.calendar(), verdict, rewrite);
        return new Screening(verdict, Optional.of(copy), Optional.of(parsed.calendar()));
    }

    /** RFC 6047 §2.4: the MIME method parameter and the METHOD property must say the same thing. */
    private record MimeMethodAgreement(Optional<String> mimeMethod) {
        Optional<Finding> inspect(SchedulingMessage message) {
            if (mimeMethod.isEmpty()) {
                return Optional.empty();
            }
            Optional<ItipMethod> declared = ItipMethod.parse(mimeMethod.get());
            if (declared.isPresent() && declared.equals(message.method())) {
                return Optional.empty();
            }
            return Optional.of(InputFindings.malformed("the e-mail says method=" + abbreviate(mimeMethod.get())
                    + " but the calendar says METHOD:" + message.method().map(Enum::name).orElse("(none)")
                    + " (RFC 6047 §2.4)", "Content-Type"));
        }

        private static String abbreviate(String s) {
            return s.length() <= 40 ? s : s.substring(0, 37) + "...";
        }
    }
}
