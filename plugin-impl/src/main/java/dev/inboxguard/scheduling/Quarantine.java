package dev.inboxguard.scheduling;

import dev.inboxguard.api.Approver;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.server.Account;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.storage.AuditEntry;
import dev.inboxguard.storage.CalendarStore;
import dev.inboxguard.storage.Expectation;
import dev.inboxguard.storage.HeldItem;
import dev.inboxguard.storage.SchedulingStore;
import dev.inboxguard.calendar.CalendarObjectRules;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.component.CalendarComponent;

/**
 * Held messages and the decisions on them. Only an item's decider sees or decides it; to anyone else it does not
 * exist. A decision is taken once: of two concurrent clicks, one wins and the other is told it was already
 * decided.
 */
public final class Quarantine {
    private final SchedulingStore store;
    private final SchedulingInbox inbox;
    private final SchedulingOutbox outbox;
    private final CalendarStore calendars;
    private final CalendarReader reader;
    private final CalendarObjectRules rules;
    private final Accounts accounts;
    private final GuardConfig.Scheduling settings;
    private final Clock clock;

    Quarantine(SchedulingStore store, SchedulingInbox inbox, SchedulingOutbox outbox, CalendarStore calendars,
               CalendarReader reader, CalendarObjectRules rules, Accounts accounts, GuardConfig.Scheduling settings,
               Clock clock) {
        this.store = store;
        this.inbox = inbox;
        this.outbox = outbox;
        this.calendars = calendars;
        this.reader = reader;
        this.rules = rules;
        this.accounts = accounts;
        this.settings = settings;
        this.clock = clock;
    }

    /** The outcome of a decision. */
    public enum Outcome {
        /** Carried out. */
        DONE,
        /** No such item for this user. */
        NOT_FOUND,
        /** Someone decided it already. */
        ALREADY_DECIDED
    }

    /** @return the item, if this user decides it (whatever its state) */
    public Optional<HeldItem> find(Account user, String id) {
        return store.held(id).filter(h -> h.decider().equals(user.name()));
    }

    /**
     * Approves: the message is delivered as if the guard had let it through, and a party crasher becomes an
     * attendee of the organizer's copy.
     */
    public Outcome approve(Account user, String id) {
        Optional<HeldItem> item = find(user, id);
        if (item.isEmpty()) {
            return Outcome.NOT_FOUND;
        }
        if (!store.decide(id, HeldItem.APPROVED, user.name(), clock.millis())) {
            return Outcome.ALREADY_DECIDED;
        }
        Optional<Account> recipient = accounts.find(item.get().recipient());
        try {
            if (recipient.isEmpty()) {
                throw new IllegalStateException("the recipient " + item.get().recipient() + " no longer exists");
            }
            inbox.release(item.get(), recipient.get());
        } catch (RuntimeException e) {
            store.reopen(id);
            throw e;
        }
        audit(item.get(), "approved", user);
        informSender(item.get(), "1.2");
        return Outcome.DONE;
    }

    /** Denies: the message is discarded; a denied party crasher learns it as {@code scheduling.deniedCrasher} says. */
    public Outcome deny(Account user, String id) {
        Optional<HeldItem> item = find(user, id);
        if (item.isEmpty()) {
            return Outcome.NOT_FOUND;
        }
        if (!store.decide(id, HeldItem.DENIED, user.name(), clock.millis())) {
            return Outcome.ALREADY_DECIDED;
        }
        audit(item.get(), "denied", user);
        if (item.get().approver().equals(Approver.ORGANIZER.id()) && item.get().method().equals("REPLY")) {
            tellCrasher(item.get(), user);
        } else {
            informSender(item.get(), "3.8");
        }
        return Outcome.DONE;
    }

    private void tellCrasher(HeldItem item, Account organizer) {
        Optional<CalendarUserAddress> crasher = CalendarUserAddress.parse(item.sender());
        if (crasher.isEmpty()) {
            return;
        }
        switch (settings.deniedCrasher()) {
            case "cancel" -> calendars.objectByUid(organizer.name(), item.uid())
                    .flatMap(found -> ScheduledObject.read(reader, found.object().data()))
                    .ifPresent(copy -> {
                        CalendarUserAddress from = copy.organizer().orElse(organizer.addresses().get(0));
                        outbox.send(organizer, from, ItipComposer.cancel(copy, Set.of(crasher.get()),
                                clock.instant()), "CANCEL", item.uid(), List.of(crasher.get()));
                    });
            case "status" -> informSender(item, "3.8");
            default -> {
                // silent: the crasher is told nothing
            }
        }
    }

    /**
     * RFC 6638 §3.2.9: a local sender's copy shows what became of a held message once it is decided, where it said
     * 1.0 (pending) until now: 1.2 when approved and delivered, 3.8 when denied. An organizer's copy carries it on
     * the recipient's ATTENDEE; an attendee's copy (a held REPLY) on its ORGANIZER. Not with the directory hidden.
     */
    private void informSender(HeldItem item, String code) {
        // with the directory hidden the sender's copy said 1.1, as for a remote recipient, and stays so
        if (item.transport().equals("caldav") && outbox.directoryVisible()) {
            tellSender(item.sender(), item.recipientAddress(), item.uid(), item.method(), code);
        }
    }

    /**
     * A message a local user sent by mail was given up by the relay: their copy says so (RFC 6638 §3.2.9, 5.1 could
     * not be delivered) where it said 1.1 (sent).
     *
     * @param sender    the envelope sender, the local user's address
     * @param recipient the envelope recipient
     * @param uid       the event
     * @param method    REQUEST, CANCEL or REPLY
     * @param code      the SCHEDULE-STATUS
     */
    public void mailGivenUp(String sender, String recipient, String uid, String method, String code) {
        tellSender(sender.startsWith("mailto:") ? sender : "mailto:" + sender,
                recipient.startsWith("mailto:") ? recipient : "mailto:" + recipient, uid, method, code);
    }

    private void tellSender(String senderAddress, String recipientAddress, String uid, String method, String code) {
        Optional<Account> sender = CalendarUserAddress.parse(senderAddress).flatMap(accounts::byAddress);
        Optional<CalendarUserAddress> recipient = CalendarUserAddress.parse(recipientAddress);
        if (sender.isEmpty() || recipient.isEmpty()) {
            return;
        }
        calendars.objectByUid(sender.get().name(), uid).ifPresent(found -> {
            Optional<ScheduledObject> copy = ScheduledObject.read(reader, found.object().data());
            if (copy.isEmpty()) {
                return;
            }
            boolean changed = false;
            for (CalendarComponent c : copy.get().components()) {
                if (method.equals("REPLY")) {
                    for (Property p : c.<Property>getProperties(Property.ORGANIZER)) {
                        ScheduledObject.setScheduleStatus(p, code);
                        changed = true;
                    }
                } else {
                    for (Property p : ScheduledObject.attendees(c, Set.of(recipient.get()))) {
                        ScheduledObject.setScheduleStatus(p, code);
                        changed = true;
                    }
                }
            }
            if (!changed) {
                return;
            }
            byte[] data = copy.get().bytes();
            calendars.calendar(sender.get().name(), found.calendar()).ifPresent(cal -> {
                if (rules.judge(data, cal.components()) instanceof CalendarObjectRules.Accepted a) {
                    try {
                        // a status is the server's note, not a change the owner made: the Schedule-Tag stays
                        calendars.put(sender.get().name(), found.calendar(), found.object().name(), a.uid(), data,
                                a.span(), new Expectation(false, Optional.of(found.object().etag())), false);
                    } catch (dev.inboxguard.storage.StoreConflict e) {
                        // the sender wrote meanwhile; their version stands, and the audit trail keeps the outcome
                    }
                }
            });
        });
    }

    /**
     * Expires what nobody decided on in time: each item is treated as denied, and nobody is told, neither the sender
     * (a late "denied" would only invite a resend) nor the decider. Each is audited as {@code expired}.
     *
     * @param receivedBefore items held since before this are expired
     * @return how many this call expired
     */
    public int expire(long receivedBefore) {
        int total = 0;
        // a sweep takes the oldest thousand at a time; a round that expires nothing means other nodes took the rest
        for (int round = 0; round < 100; round++) {
            List<HeldItem> expired = store.expireHeld(receivedBefore, clock.millis());
            for (HeldItem item : expired) {
                audit(item, "expired", "retention");
            }
            total += expired.size();
            if (expired.isEmpty()) {
                break;
            }
        }
        return total;
    }

    private void audit(HeldItem item, String event, Account user) {
        audit(item, event, user.name());
    }

    private void audit(HeldItem item, String event, String actor) {
        store.audit(new AuditEntry(0, clock.millis(), event, item.transport(), item.sender(),
                CalendarUserAddress.parse(item.sender()).flatMap(accounts::byAddress).map(Account::name).orElse(""),
                item.recipientAddress(), item.recipient(), item.method(), item.uid(), event, "", item.findings(),
                item.id(), actor));
    }
}
