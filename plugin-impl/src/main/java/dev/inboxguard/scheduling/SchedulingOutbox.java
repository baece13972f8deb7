package dev.inboxguard.scheduling;

import dev.inboxguard.api.CaldavSubmission;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.server.Account;
import dev.inboxguard.server.Accounts;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Sends a local user's iTIP message to its recipients: a local recipient through their {@link SchedulingInbox}
 * (so the guard screens it like any other), a remote one through the {@link OutboundImip} port. With the directory
 * hidden, every recipient's message is queued first ({@link DeliveryQueue}), alike.
 */
public final class SchedulingOutbox {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SchedulingOutbox.class);
    private final SchedulingInbox inbox;
    private final OutboundImip outbound;
    private final Accounts accounts;
    private final boolean directoryVisible;
    private final dev.inboxguard.storage.SchedulingStore store;
    private final java.time.Clock clock;
    private final DeliveryQueue deliveries;
    private final OutgoingAllowance allowance;

    /** The audit event of a message handed on to a recipient, written only with the directory hidden. */
    public static final String HANDED_ON = "handed-on";

    /**
     * @param directoryVisible false when {@code caldav.directory} is hidden: then a local recipient's outcome is
     *                         reported as a remote one's is, so that SCHEDULE-STATUS does not tell who is a user here
     * @param store            where a handed-on row is written for each recipient while the directory is hidden
     * @param clock            the clock
     * @param deliveries       where every message waits while the directory is hidden
     * @param allowance        bounds what a user sends past the guard's judgement at the time: remote mail, and
     *                         every message while the directory is hidden
     */
    SchedulingOutbox(SchedulingInbox inbox, OutboundImip outbound, Accounts accounts, boolean directoryVisible,
                     dev.inboxguard.storage.SchedulingStore store, java.time.Clock clock, DeliveryQueue deliveries,
                     OutgoingAllowance allowance) {
        this.inbox = inbox;
        this.outbound = outbound;
        this.accounts = accounts;
        this.directoryVisible = directoryVisible;
        this.store = store;
        this.clock = clock;
        this.deliveries = deliveries;
        this.allowance = allowance;
    }

    /** @return false if senders must not learn from SCHEDULE-STATUS which recipients are local users */
    boolean directoryVisible() {
        return directoryVisible;
    }

    /**
     * What one recipient's delivery came to.
     *
     * @param scheduleStatus the SCHEDULE-STATUS code (RFC 6638 §3.2.9)
     * @param requestStatus  the full REQUEST-STATUS for a schedule-response (RFC 6638 §5.1)
     */
    public record Sent(String scheduleStatus, String requestStatus) {
    }

    /**
     * @param from   the local user sending
     * @param author the address the message is from (their ORGANIZER or ATTENDEE address)
     * @param itip   the message
     * @param method its METHOD
     * @param uid    its UID
     * @param to     the recipients
     * @return each recipient's outcome, in order
     */
    public Map<CalendarUserAddress, Sent> send(Account from, CalendarUserAddress author, byte[] itip, String method,
                                               String uid, Collection<CalendarUserAddress> to) {
        Map<CalendarUserAddress, Sent> out = new LinkedHashMap<>();
        CaldavSubmission facts = new CaldavSubmission(from.name(), Set.copyOf(from.addresses()));
        int refused = 0;
        for (CalendarUserAddress recipient : to) {
            if (out.containsKey(recipient) || from.addresses().contains(recipient)) {
                continue;
            }
            Optional<Account> local = accounts.byAddress(recipient);
            if (!directoryVisible && !from.addresses().contains(author)) {
                // hidden, a local recipient must get the same answer as a remote one, and a remote one gets this
                out.put(recipient, new Sent("3.8", "3.8;No authority"));
            } else if (!directoryVisible) {
                // every recipient, local or not, is queued alike, and delivered or mailed after the answer: the
                // answer, and the time it takes, do not depend on whether the address is a user here
                if (!allowed(from, method)) {
                    out.put(recipient, OVER_ALLOWANCE);
                    refused++;
                    continue;
                }
                try {
                    deliveries.queue(from, author, recipient, method, uid, itip);
                } catch (dev.inboxguard.storage.StoreFailure e) {
                    LOG.warn("could not queue a message to {}: {}", recipient.uri(), e.toString());
                    // "sent" would acknowledge a message that was lost; and a message that went nowhere does not
                    // use up the sender's allowance
                    out.put(recipient, new Sent("5.1", "5.1;Could not complete delivery"));
                    giveBack(from, method);
                    continue;
                }
                out.put(recipient, new Sent("1.1", "2.0;Success"));
            } else if (local.isPresent()) {
                SchedulingInbox.Delivery d;
                try {
                    d = inbox.deliver(new SchedulingInbox.Incoming(itip, Optional.empty(), facts, author,
                            local.get(), recipient));
                } catch (dev.inboxguard.storage.StoreFailure e) {
                    // this recipient's delivery went back whole (one transaction); the others', and the sender's
                    // own copy, stand, and the sender's copy says what became of this one (RFC 6638 §3.2.9)
                    LOG.warn("delivery to {} failed and was rolled back: {}", local.get().name(), e.toString());
                    out.put(recipient, new Sent("5.1", "5.1;Could not complete delivery"));
                    continue;
                }
                out.put(recipient, new Sent(d.scheduleStatus(), d.scheduleStatus().startsWith("1.")
                        ? "2.0;Success" : d.verdict().requestStatus().toString()));
            } else if (!from.addresses().contains(author)) {
                // another system cannot check who we let write as this address; we can, and do not
                out.put(recipient, new Sent("3.8", "3.8;No authority"));
            } else if (!allowed(from, method)) {
                out.put(recipient, OVER_ALLOWANCE);
                refused++;
            } else {
                String status = outbound.send(new OutgoingItip(author, recipient, method, uid, itip));
                out.put(recipient, new Sent(status, status.startsWith("1.") ? "2.0;Success"
                        : status + ";Delivery failed"));
            }
            if (!directoryVisible && out.get(recipient).scheduleStatus().equals("1.1")) {
                handedOn(from, author, recipient, method, uid);
            }
        }
        if (refused > 0) {
            // one line per message, not per recipient: a flood must not flood the log as well
            LOG.warn("{} is over their allowance for outgoing {} messages: {} of {} recipients not sent to",
                    from.name(), method, refused, to.size());
        }
        return out;
    }

    /** @return whether the allowance has room; a store that cannot count answers no, as for the guard's limits */
    private boolean allowed(Account from, String method) {
        try {
            return allowance.take(from, method);
        } catch (dev.inboxguard.storage.StoreFailure e) {
            LOG.warn("could not count an outgoing message of {}: {}", from.name(), e.toString());
            return false;
        }
    }

    private void giveBack(Account from, String method) {
        try {
            allowance.giveBack(from, method);
        } catch (dev.inboxguard.storage.StoreFailure e) {
            // the count stays taken: the sender has one message fewer until the bucket refills
            LOG.warn("could not give back an outgoing message's count to {}: {}", from.name(), e.toString());
        }
    }

    /** Neither queued nor mailed: a temporary failure, as the guard's own rate limit answers (RFC 5546 5.1). */
    private static final Sent OVER_ALLOWANCE = new Sent("5.1",
            dev.inboxguard.api.RequestStatus.SERVICE_UNAVAILABLE.toString());

    /**
     * With the directory hidden, the sender's own record of what they sent is this row, alike for local and remote
     * recipients: the local recipient's verdict, and the relay's taking of a remote one's mail, are left out of it,
     * since which of the two rows exists, and when, would tell which addresses are users here.
     */
    private void handedOn(Account from, CalendarUserAddress author, CalendarUserAddress recipient, String method,
                          String uid) {
        try {
            store.audit(new dev.inboxguard.storage.AuditEntry(0, clock.millis(), HANDED_ON, "caldav", author.uri(),
                    from.name(), recipient.uri(), "", method, uid, "sent", "", "[]", "", author.uri(), 1));
        } catch (RuntimeException e) {
            // the message went; only the sender's record of it is missing
            LOG.warn("could not record that {} handed on {} to {}: {}", from.name(), uid, recipient.uri(),
                    e.toString());
        }
    }
}
