package dev.inboxguard.scheduling;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.server.Account;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.storage.AuditEntry;
import dev.inboxguard.storage.CalendarStore;
import dev.inboxguard.storage.HeldItem;
import dev.inboxguard.storage.InboxItem;
import dev.inboxguard.storage.ItemId;
import dev.inboxguard.storage.PreferenceStore;
import dev.inboxguard.storage.SchedulingStore;
import dev.inboxguard.storage.Transactions;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * What a person does with an invitation they did not want, from the approval page: remove it without answering, or
 * report it as spam. Neither ever sends the organizer anything: a reply would confirm to a spammer that the address
 * is read. Reporting also blocks the sender and keeps the message for the operator (RFC 5965). Each is one
 * transaction: it happens whole or not at all.
 */
public final class InvitationRemoval {
    /** What became of a request. */
    public enum Outcome {
        /** Removed (and reported). */
        DONE,
        /** No such invitation or held item for this user, or it was removed or decided already. */
        NOT_FOUND
    }

    private final SchedulingStore store;
    private final CalendarStore calendars;
    private final PreferenceStore preferences;
    private final Accounts accounts;
    private final CalendarReader reader;
    private final Transactions transactions;
    private final Clock clock;

    /**
     * @param store        inboxes, quarantine, audit
     * @param calendars    the users' calendars
     * @param preferences  block lists and spam reports
     * @param accounts     the local users, to name a signed-in sender by address
     * @param reader       the bounded reader
     * @param transactions makes each removal one transaction
     * @param clock        the clock
     */
    public InvitationRemoval(SchedulingStore store, CalendarStore calendars, PreferenceStore preferences,
                             Accounts accounts, CalendarReader reader, Transactions transactions, Clock clock) {
        this.store = store;
        this.calendars = calendars;
        this.preferences = preferences;
        this.accounts = accounts;
        this.reader = reader;
        this.transactions = transactions;
        this.clock = clock;
    }

    /**
     * Removes an invitation the user was sent from their calendar, and the inbox items about it, telling nobody.
     *
     * @param uid  the invitation's UID; the user must hold it as an attendee, not as its organizer
     * @param spam also block its sender and keep a spam report
     */
    public Outcome removeInvitation(Account user, String uid, boolean spam) {
        return transactions.atomically(() -> {
            Optional<CalendarStore.Located> found = calendars.objectByUid(user.name(), uid);
            Optional<ScheduledObject> copy = found.flatMap(f -> ScheduledObject.read(reader, f.object().data()));
            Optional<CalendarUserAddress> organizer = copy.flatMap(ScheduledObject::organizer);
            if (found.isEmpty() || organizer.isEmpty() || user.addresses().contains(organizer.get())) {
                return Outcome.NOT_FOUND;
            }
            // what brought it: the latest inbox item about it, if the user's calendar program has not cleared it
            // read without texts, then the one needed: the inbox may hold many large messages
            Optional<InboxItem> latest = store.inboxWithoutText(user.name()).stream().filter(i -> i.uid().equals(uid))
                    .max(Comparator.comparingLong(InboxItem::received))
                    .flatMap(i -> store.inboxItem(user.name(), i.name()));
            String provenance = latest.map(InboxItem::provenance).orElse("");
            calendars.delete(user.name(), found.get().calendar(), found.get().object().name(), Optional.empty());
            removeInboxItems(user, uid);
            String sender = deliveredSender(organizer.get(), provenance);
            if (spam) {
                report(user, sender, uid, Provenance.parse(provenance).map(Provenance::transport).orElse(""),
                        latest.map(InboxItem::data).orElse(found.get().object().data()), provenance,
                        latest.map(InboxItem::received).orElse(found.get().object().modified()));
            }
            audit(user, spam ? "reported-spam" : "removed", sender, "REQUEST", uid, "");
            return Outcome.DONE;
        });
    }

    /**
     * Reports a held message as spam: it is denied without telling its sender, and its sender (as the guard
     * identified them) is blocked. If an earlier version of the same invitation from that same sender reached the
     * user's calendar, it goes too; nothing else with that UID is touched.
     */
    public Outcome reportHeld(Account user, String heldId) {
        return transactions.atomically(() -> {
            Optional<HeldItem> item = store.held(heldId).filter(h -> h.decider().equals(user.name())
                    && h.state().equals(HeldItem.HELD));
            if (item.isEmpty() || !store.decide(heldId, HeldItem.DENIED, user.name(), clock.millis())) {
                return Outcome.NOT_FOUND;
            }
            HeldItem h = item.get();
            Optional<CalendarUserAddress> sender = CalendarUserAddress.parse(h.sender());
            Optional<CalendarStore.Located> found = calendars.objectByUid(user.name(), h.uid());
            Optional<CalendarUserAddress> organizer = found.flatMap(f -> ScheduledObject.read(reader,
                    f.object().data())).flatMap(ScheduledObject::organizer);
            // only the reported sender's own invitation, never a meeting someone else organizes (a forwarded copy)
            // nor the user's own (a crasher's answer), nor anything unreadable
            if (found.isPresent() && organizer.isPresent() && organizer.equals(sender)
                    && !user.addresses().contains(organizer.get())) {
                calendars.delete(user.name(), found.get().calendar(), found.get().object().name(), Optional.empty());
                removeInboxItems(user, h.uid());
            }
            report(user, h.sender(), h.uid(), h.transport(), h.data(), h.provenance(), h.received());
            audit(user, "reported-spam", h.sender(), h.method(), h.uid(), h.id());
            return Outcome.DONE;
        });
    }

    private void removeInboxItems(Account user, String uid) {
        for (InboxItem other : store.inboxWithoutText(user.name())) {
            if (other.uid().equals(uid)) {
                store.removeFromInbox(user.name(), other.name());
            }
        }
    }

    /**
     * Who sent a delivered invitation: the e-mail's From (else envelope sender), or the signed-in local user, as its
     * provenance recorded; the organizer only when nothing was recorded (the guard checked it against the sender
     * when it let the invitation through).
     */
    private String deliveredSender(CalendarUserAddress organizer, String provenance) {
        Optional<Provenance> p = Provenance.parse(provenance);
        if (p.isEmpty()) {
            return organizer.uri();
        }
        if (p.get().transport().equals("caldav")) {
            return accounts.find(p.get().principal()).map(a -> a.addresses().contains(organizer) ? organizer
                    : a.addresses().get(0)).map(CalendarUserAddress::uri).orElse(organizer.uri());
        }
        String mail = !p.get().from().isEmpty() ? p.get().from() : p.get().envelopeSender();
        return mail.isEmpty() ? organizer.uri() : "mailto:" + mail;
    }

    private void report(Account user, String sender, String uid, String transport, byte[] data, String provenance,
                        long arrived) {
        CalendarUserAddress.parse(sender).flatMap(a -> SenderLists.entry(a.uri()))
                .filter(entry -> user.addresses().stream().noneMatch(own -> entry.equalsIgnoreCase(own.uri())))
                .ifPresent(entry -> preferences.list(user.name(), entry, PreferenceStore.SenderEntry.BLOCK,
                        clock.millis()));
        preferences.report(new PreferenceStore.SpamReport(ItemId.random(), user.name(), sender, uid, transport, data,
                provenance, arrived, clock.millis()));
    }

    private void audit(Account user, String event, String sender, String method, String uid, String heldId) {
        store.audit(new AuditEntry(0, clock.millis(), event, "", sender, "", "", user.name(), method, uid, event, "",
                "[]", heldId, user.name()));
    }

    /** @return the user's stored copy of an invitation they may remove: they hold it, and someone else organizes it */
    public Optional<dev.inboxguard.storage.StoredObject> invitation(Account user, String uid) {
        return calendars.objectByUid(user.name(), uid).map(CalendarStore.Located::object)
                .filter(o -> ScheduledObject.read(reader, o.data()).flatMap(ScheduledObject::organizer)
                        .filter(org -> !user.addresses().contains(org)).isPresent());
    }

    /** @return the UIDs of invitations the user may remove: delivered to them, newest first, at most {@code limit} */
    public List<AuditEntry> removable(Account user, int limit) {
        return store.invitationsTo(user.name(), limit);
    }
}
