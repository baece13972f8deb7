package dev.inboxguard.scheduling;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.server.Account;
import dev.inboxguard.storage.AuditEntry;
import dev.inboxguard.storage.CalendarStore;
import dev.inboxguard.storage.HeldItem;
import dev.inboxguard.storage.InboxItem;
import dev.inboxguard.storage.ItemId;
import dev.inboxguard.storage.PreferenceStore;
import dev.inboxguard.storage.SchedulingStore;
import java.time.Clock;
import java.util.Optional;

/**
 * What a person does with an invitation they did not want, from the approval page: remove it without answering, or
 * report it as spam. Neither ever sends the organizer anything: a reply would confirm to a spammer that the address
 * is read. Reporting also blocks the sender and keeps the message for the operator (RFC 5965).
 */
public final class InvitationRemoval {
    /** What became of a request. */
    public enum Outcome {
        /** Removed (and reported). */
        DONE,
        /** No such item for this user, or it was already removed. */
        NOT_FOUND
    }

    private final SchedulingStore store;
    private final CalendarStore calendars;
    private final PreferenceStore preferences;
    private final CalendarReader reader;
    private final Clock clock;

    /**
     * @param store       inboxes, quarantine, audit
     * @param calendars   the users' calendars
     * @param preferences block lists and spam reports
     * @param reader      the bounded reader
     * @param clock       the clock
     */
    public InvitationRemoval(SchedulingStore store, CalendarStore calendars, PreferenceStore preferences,
                             CalendarReader reader, Clock clock) {
        this.store = store;
        this.calendars = calendars;
        this.preferences = preferences;
        this.reader = reader;
        this.clock = clock;
    }

    /**
     * Removes a delivered message's event from the user's calendar, and every inbox item about it, telling nobody.
     *
     * @param inboxName the inbox item's name
     * @param spam      also block its sender and keep a spam report
     */
    public Outcome removeDelivered(Account user, String inboxName, boolean spam) {
        Optional<InboxItem> item = store.inboxItem(user.name(), inboxName);
        if (item.isEmpty()) {
            return Outcome.NOT_FOUND;
        }
        InboxItem i = item.get();
        String sender = sender(i.data(), i.provenance(), user);
        store.removeFromInbox(user.name(), inboxName);
        removeEverywhere(user, i.uid());
        if (spam) {
            report(user, sender, i.uid(), Provenance.parse(i.provenance()).map(Provenance::transport).orElse(""),
                    i.data(), i.provenance());
        }
        audit(user, spam ? "reported-spam" : "removed", sender, i.method(), i.uid(), "");
        return Outcome.DONE;
    }

    /**
     * Reports a held message as spam: it is denied without telling its sender, its event leaves the user's calendar
     * if an earlier version got there, and its sender is blocked.
     */
    public Outcome reportHeld(Account user, String heldId) {
        Optional<HeldItem> item = store.held(heldId).filter(h -> h.decider().equals(user.name())
                && h.state().equals(HeldItem.HELD));
        if (item.isEmpty() || !store.decide(heldId, HeldItem.DENIED, user.name(), clock.millis())) {
            return Outcome.NOT_FOUND;
        }
        HeldItem h = item.get();
        String sender = sender(h.data(), h.provenance(), user);
        if (sender.isEmpty()) {
            sender = h.sender();
        }
        removeEverywhere(user, h.uid());
        report(user, sender, h.uid(), h.transport(), h.data(), h.provenance());
        audit(user, "reported-spam", sender, h.method(), h.uid(), h.id());
        return Outcome.DONE;
    }

    /**
     * Removes the invitation's event from the user's calendar and every inbox item about it, unless the user
     * organizes that event: a crasher's answer to the user's own meeting, reported as spam, must not take the
     * meeting away.
     */
    private void removeEverywhere(Account user, String uid) {
        // a UID names one object per calendar home (RFC 4791 §4.1), and its inbox items; all go
        Optional<dev.inboxguard.storage.CalendarStore.Located> found = calendars.objectByUid(user.name(), uid);
        boolean organizes = found.flatMap(f -> ScheduledObject.read(reader, f.object().data()))
                .flatMap(ScheduledObject::organizer).filter(user.addresses()::contains).isPresent();
        if (organizes) {
            return;
        }
        found.ifPresent(f -> calendars.delete(user.name(), f.calendar(), f.object().name(), Optional.empty()));
        for (InboxItem other : store.inbox(user.name())) {
            if (other.uid().equals(uid)) {
                store.removeFromInbox(user.name(), other.name());
            }
        }
    }

    private void report(Account user, String sender, String uid, String transport, byte[] data, String provenance) {
        CalendarUserAddress.parse(sender).flatMap(a -> SenderLists.entry(a.uri()))
                .filter(entry -> user.addresses().stream().noneMatch(own -> entry.equalsIgnoreCase(own.uri())))
                .ifPresent(entry -> preferences.list(user.name(), entry, PreferenceStore.SenderEntry.BLOCK,
                        clock.millis()));
        preferences.report(new PreferenceStore.SpamReport(ItemId.random(), user.name(), sender, uid, transport, data,
                provenance, clock.millis()));
    }

    /** @return the organizer, else the From or envelope sender the provenance names, as a mailto: URI */
    private String sender(byte[] data, String provenance, Account user) {
        Optional<CalendarUserAddress> organizer = ScheduledObject.read(reader, data)
                .flatMap(ScheduledObject::organizer).filter(o -> !user.addresses().contains(o));
        if (organizer.isPresent()) {
            return organizer.get().uri();
        }
        return Provenance.parse(provenance).map(p -> !p.from().isEmpty() ? p.from() : p.envelopeSender())
                .filter(s -> !s.isEmpty()).map(s -> "mailto:" + s).orElse("");
    }

    private void audit(Account user, String event, String sender, String method, String uid, String heldId) {
        store.audit(new AuditEntry(0, clock.millis(), event, "", sender, "", "", user.name(), method, uid, event, "",
                "[]", heldId, user.name()));
    }
}
