package dev.inboxguard.scheduling;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.ReplyRoute;
import dev.inboxguard.api.ReplyRouter;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.server.Account;
import dev.inboxguard.storage.SchedulingStore;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.fortuna.ical4j.model.Parameter;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.component.CalendarComponent;

/**
 * Implicit scheduling (RFC 6638 §3): when a user writes or deletes a calendar object, the server sends what the
 * change means. An organizer's new or changed event sends a REQUEST to each attendee the server schedules for,
 * and a CANCEL to each attendee removed; an attendee's changed answer sends a REPLY to the organizer (routed by
 * the sent-by policy); deleting sends a CANCEL (organizer) or a DECLINED reply (attendee). The outcome for each
 * recipient is written back as SCHEDULE-STATUS.
 */
public final class ImplicitScheduler {
    private final CalendarReader reader;
    private final SchedulingOutbox outbox;
    private final ReplyRouter router;
    private final SchedulingStore store;
    private final Clock clock;

    ImplicitScheduler(CalendarReader reader, SchedulingOutbox outbox, ReplyRouter router, SchedulingStore store,
                      Clock clock) {
        this.reader = reader;
        this.outbox = outbox;
        this.router = router;
        this.store = store;
        this.clock = clock;
    }

    /**
     * Schedules after a PUT.
     *
     * @param account the user who wrote
     * @param before  the object as it was, if it existed
     * @param after   the object as written
     * @return the object with SCHEDULE-STATUS set, to store in place of what was written, if anything was sent
     */
    public Optional<byte[]> afterPut(Account account, Optional<byte[]> before, byte[] after) {
        Optional<ScheduledObject> now = ScheduledObject.read(reader, after);
        if (now.isEmpty() || now.get().uid().isEmpty() || now.get().organizer().isEmpty()) {
            return Optional.empty();
        }
        Optional<ScheduledObject> old = before.flatMap(b -> ScheduledObject.read(reader, b));
        Set<CalendarUserAddress> mine = Set.copyOf(account.addresses());
        CalendarUserAddress organizer = now.get().organizer().get();
        if (mine.contains(organizer)) {
            return asOrganizer(account, organizer, old, now.get(), after);
        }
        return asAttendee(account, mine, old, now.get(), after);
    }

    /**
     * Schedules after a DELETE.
     *
     * @param account the user who deleted
     * @param before  the object as it was
     */
    public void afterDelete(Account account, byte[] before) {
        Optional<ScheduledObject> old = ScheduledObject.read(reader, before);
        if (old.isEmpty() || old.get().uid().isEmpty() || old.get().organizer().isEmpty()) {
            return;
        }
        Set<CalendarUserAddress> mine = Set.copyOf(account.addresses());
        CalendarUserAddress organizer = old.get().organizer().get();
        String uid = old.get().uid().get();
        Instant now = clock.instant();
        if (mine.contains(organizer)) {
            if (!organizerSchedules(old.get())) {
                return;
            }
            Set<CalendarUserAddress> attendees = others(old.get().scheduledAttendees(), mine);
            if (!attendees.isEmpty()) {
                byte[] cancel = ItipComposer.cancel(ScheduledObject.read(reader, before).orElseThrow(), attendees,
                        now);
                outbox.send(account, organizer, cancel, "CANCEL", uid, attendees);
            }
            return;
        }
        // RFC 6638 §3.2.2.2 (attendee removes the event): the organizer learns that they declined
        ScheduledObject copy = old.get();
        boolean attending = false;
        for (CalendarComponent c : copy.components()) {
            for (Property p : ScheduledObject.attendees(c, mine)) {
                ScheduledObject.setPartstat(p, "DECLINED");
                attending = true;
            }
        }
        if (attending && organizerSchedules(copy)) {
            reply(account, mine, copy, organizer, uid);
        }
    }

    private Optional<byte[]> asOrganizer(Account account, CalendarUserAddress organizer, Optional<ScheduledObject> old,
                                         ScheduledObject now, byte[] after) {
        Set<CalendarUserAddress> mine = Set.copyOf(account.addresses());
        Set<CalendarUserAddress> attendees = others(now.scheduledAttendees(), mine);
        Set<CalendarUserAddress> removed = old.map(o -> others(o.scheduledAttendees(), mine))
                .orElse(Set.of()).stream().filter(a -> !attendees.contains(a))
                .collect(java.util.stream.Collectors.toCollection(LinkedHashSet::new));
        String uid = now.uid().get();
        Instant time = clock.instant();
        if (!removed.isEmpty()) {
            ScheduledObject previous = old.get();
            outbox.send(account, organizer, ItipComposer.cancel(previous, removed, time), "CANCEL", uid, removed);
        }
        boolean changed = old.isEmpty() || !old.get().fingerprint().equals(now.fingerprint());
        if (attendees.isEmpty() || !changed) {
            return Optional.empty();
        }
        attendees.forEach(a -> store.remember(account.name(), a.uri()));
        byte[] request = ItipComposer.request(ScheduledObject.read(reader, after).orElseThrow(), time);
        Map<CalendarUserAddress, SchedulingOutbox.Sent> sent = outbox.send(account, organizer, request, "REQUEST",
                uid, attendees);
        ScheduledObject stored = ScheduledObject.read(reader, after).orElseThrow();
        for (CalendarComponent c : stored.components()) {
            for (Property p : c.<Property>getProperties(Property.ATTENDEE)) {
                CalendarUserAddress.parse(p.getValue()).map(sent::get)
                        .ifPresent(s -> ScheduledObject.setScheduleStatus(p, s.scheduleStatus()));
            }
        }
        return Optional.of(stored.bytes());
    }

    private Optional<byte[]> asAttendee(Account account, Set<CalendarUserAddress> mine, Optional<ScheduledObject> old,
                                        ScheduledObject now, byte[] after) {
        Map<String, String> answers = now.partstats(mine);
        if (answers.isEmpty() || !organizerSchedules(now)) {
            return Optional.empty();
        }
        Map<String, String> previous = old.map(o -> o.partstats(mine)).orElse(Map.of());
        boolean changed = old.isPresent() ? !answers.equals(previous)
                : answers.values().stream().anyMatch(p -> !p.equals("NEEDS-ACTION"));
        if (!changed) {
            return Optional.empty();
        }
        CalendarUserAddress organizer = now.organizer().get();
        String status = reply(account, mine, ScheduledObject.read(reader, after).orElseThrow(), organizer,
                now.uid().get());
        ScheduledObject stored = ScheduledObject.read(reader, after).orElseThrow();
        for (CalendarComponent c : stored.components()) {
            c.<Property>getProperty(Property.ORGANIZER).ifPresent(p -> ScheduledObject.setScheduleStatus(p, status));
            String rid = ScheduledObject.recurrenceId(c);
            if ("ACCEPTED".equals(answers.get(rid))) {
                ScheduledObject.restoreTransparency(c, old.flatMap(o -> ScheduledObject.originalTransparency(o, rid)));
            }
        }
        return Optional.of(stored.bytes());
    }

    /** @return the SCHEDULE-STATUS for the organizer: the worst of the deliveries */
    private String reply(Account account, Set<CalendarUserAddress> mine, ScheduledObject copy,
                         CalendarUserAddress organizer, String uid) {
        Optional<CalendarUserAddress> me = Optional.empty();
        for (CalendarComponent c : copy.components()) {
            List<Property> found = ScheduledObject.attendees(c, mine);
            if (!found.isEmpty()) {
                me = CalendarUserAddress.parse(found.get(0).getValue());
                break;
            }
        }
        if (me.isEmpty()) {
            return "5.3";
        }
        Optional<CalendarUserAddress> sentBy = copy.organizerProperty()
                .flatMap(p -> p.<Parameter>getParameter(Parameter.SENT_BY))
                .flatMap(s -> CalendarUserAddress.parse(s.getValue()));
        ReplyRoute route = router.route(organizer, sentBy);
        store.remember(account.name(), organizer.uri());
        byte[] reply = ItipComposer.reply(copy, Set.of(me.get()), clock.instant());
        Map<CalendarUserAddress, SchedulingOutbox.Sent> sent = outbox.send(account, me.get(), reply, "REPLY", uid,
                route.deliverTo());
        return sent.values().stream().map(SchedulingOutbox.Sent::scheduleStatus)
                .max(java.util.Comparator.naturalOrder()).orElse("1.2");
    }

    private static boolean organizerSchedules(ScheduledObject o) {
        return o.organizerProperty().map(ScheduledObject::serverSchedules).orElse(false);
    }

    private static Set<CalendarUserAddress> others(Set<CalendarUserAddress> all, Set<CalendarUserAddress> mine) {
        Set<CalendarUserAddress> out = new LinkedHashSet<>(all);
        out.removeAll(mine);
        return out;
    }
}
