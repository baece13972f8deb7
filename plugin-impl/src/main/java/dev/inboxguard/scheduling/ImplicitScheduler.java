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
     * Schedules after a PUT whose object the caller has read already.
     *
     * @param account the user who wrote
     * @param before  the object as it was, if it existed
     * @param after   the object as written
     * @param read    {@code after} as read; it becomes the copy returned, so it is the caller's no more
     * @param reply   false for {@code Schedule-Reply: F} (RFC 6638 §8.1)
     * @return the object with SCHEDULE-STATUS set, to store in place of what was written, if anything was sent
     */
    public Optional<byte[]> afterPut(Account account, Optional<byte[]> before, byte[] after,
                                     net.fortuna.ical4j.model.Calendar read, boolean reply) {
        return afterPut(account, before, after, Optional.of(ScheduledObject.of(read)), reply);
    }

    private Optional<byte[]> afterPut(Account account, Optional<byte[]> before, byte[] after,
                                      Optional<ScheduledObject> now, boolean reply) {
        if (now.isEmpty() || now.get().uid().isEmpty() || now.get().organizer().isEmpty()) {
            return Optional.empty();
        }
        Optional<ScheduledObject> old = before.flatMap(b -> ScheduledObject.read(reader, b));
        Set<CalendarUserAddress> mine = Set.copyOf(account.addresses());
        CalendarUserAddress organizer = now.get().organizer().get();
        if (mine.contains(organizer)) {
            return asOrganizer(account, organizer, old, now.get(), after);
        }
        return reply ? asAttendee(account, mine, old, now.get(), after) : Optional.empty();
    }

    /**
     * A PUT made with If-Schedule-Tag-Match on the organizer's copy (RFC 6638 §3.2.10): the answers the server
     * merged into the stored copy since the client read it are kept over the client's older ones, unless the
     * client raised the SEQUENCE (a reschedule, whose answers start over). Overrides the server added for
     * one-instance answers are not carried over yet.
     *
     * @param account the organizer
     * @param stored  the organizer's copy as stored
     * @param sent    what the client sent
     * @return what to store
     */
    public byte[] keepAnswers(Account account, byte[] stored, byte[] sent) {
        Optional<ScheduledObject> was = ScheduledObject.read(reader, stored);
        Optional<ScheduledObject> now = ScheduledObject.read(reader, sent);
        Set<CalendarUserAddress> mine = Set.copyOf(account.addresses());
        if (was.isEmpty() || now.isEmpty() || now.get().organizer().map(o -> !mine.contains(o)).orElse(true)) {
            return sent;
        }
        // a raised SEQUENCE is a reschedule: the organizer's client reset the answers on purpose (RFC 5546 §2.1.4)
        int storedSequence = was.get().master().map(ScheduledObject::sequence).orElse(0);
        if (now.get().master().map(ScheduledObject::sequence).orElse(0) > storedSequence) {
            return sent;
        }
        Map<String, CalendarComponent> before = new java.util.HashMap<>();
        for (CalendarComponent c : was.get().components()) {
            before.put(ScheduledObject.recurrenceId(c), c);
        }
        boolean changed = false;
        for (CalendarComponent c : now.get().components()) {
            CalendarComponent old = before.get(ScheduledObject.recurrenceId(c));
            if (old == null) {
                continue;
            }
            for (Property p : c.<Property>getProperties(Property.ATTENDEE)) {
                Optional<CalendarUserAddress> who = CalendarUserAddress.parse(p.getValue()).filter(a -> !mine.contains(a));
                if (who.isEmpty()) {
                    continue;
                }
                for (Property q : ScheduledObject.attendees(old, Set.of(who.get()))) {
                    Optional<Parameter> answer = q.getParameter(Parameter.PARTSTAT);
                    if (answer.isPresent() && !answer.equals(p.getParameter(Parameter.PARTSTAT))) {
                        ScheduledObject.setPartstat(p, answer.get().getValue());
                        changed = true;
                    }
                }
            }
        }
        return changed ? now.get().bytes() : sent;
    }

    /**
     * Schedules after a DELETE.
     *
     * @param account the user who deleted
     * @param before  the object as it was
     */
    public void afterDelete(Account account, byte[] before) {
        afterDelete(account, before, true);
    }

    /**
     * Schedules after a DELETE.
     *
     * @param account the user who deleted
     * @param before  the object as it was
     * @param reply   false for {@code Schedule-Reply: F} (RFC 6638 §8.1): an attendee removes it silently
     */
    public void afterDelete(Account account, byte[] before, boolean reply) {
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
                // an answer already DECLINED was sent when it was given: deleting says nothing new
                boolean declined = p.<Parameter>getParameter(Parameter.PARTSTAT).map(Parameter::getValue)
                        .filter("DECLINED"::equalsIgnoreCase).isPresent();
                boolean cancelled = c.<Property>getProperty(Property.STATUS).map(Property::getValue)
                        .filter("CANCELLED"::equalsIgnoreCase).isPresent();
                ScheduledObject.setPartstat(p, "DECLINED");
                attending |= !declined && !cancelled;
            }
        }
        if (reply && attending && organizerSchedules(copy)) {
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
        // RFC 6638 §7.2: SCHEDULE-FORCE-SEND=REQUEST sends to that attendee even when nothing changed
        Set<CalendarUserAddress> forced = now.forced(Property.ATTENDEE, "REQUEST");
        Set<CalendarUserAddress> to = changed ? attendees : others(forced, mine);
        to.retainAll(attendees);
        if (to.isEmpty()) {
            return Optional.empty();
        }
        store.remember(account.name(), to.stream().map(CalendarUserAddress::uri).toList());
        // RFC 6638 §3.2: each attendee is sent the instances they are in; attendees who are in the same ones share
        // one message
        Map<Set<String>, Set<CalendarUserAddress>> groups = new java.util.LinkedHashMap<>();
        for (CalendarUserAddress a : to) {
            Set<String> without = new java.util.TreeSet<>();
            for (CalendarComponent c : now.components()) {
                if (!attendeesOf(c).contains(a)) {
                    without.add(ScheduledObject.recurrenceId(c));
                }
            }
            groups.computeIfAbsent(without, k -> new LinkedHashSet<>()).add(a);
        }
        Map<CalendarUserAddress, SchedulingOutbox.Sent> sent = new java.util.LinkedHashMap<>();
        groups.forEach((without, who) -> sent.putAll(outbox.send(account, organizer, ItipComposer.request(
                ScheduledObject.read(reader, after).orElseThrow(), without, time), "REQUEST", uid, who)));
        old.ifPresent(o -> cancelInstances(account, organizer, o, now, attendees, mine, after, time));
        // everything is sent: what was read of the PUT becomes the copy to store, statuses added
        ScheduledObject stored = now;
        for (CalendarComponent c : stored.components()) {
            for (Property p : c.<Property>getProperties(Property.ATTENDEE)) {
                p.removeAll(ScheduledObject.SCHEDULE_FORCE_SEND); // an instruction for this PUT, not data to keep
                CalendarUserAddress.parse(p.getValue()).map(sent::get)
                        .ifPresent(s -> ScheduledObject.setScheduleStatus(p, s.scheduleStatus()));
            }
        }
        return Optional.of(stored.bytes());
    }

    /**
     * RFC 6638 §3.2.1.2 with RFC 5546 §3.2.5: instances the organizer removed (a new EXDATE) are cancelled for every
     * attendee of the series, and an instance an attendee was dropped from is cancelled for that attendee alone.
     */
    private void cancelInstances(Account account, CalendarUserAddress organizer, ScheduledObject old,
                                 ScheduledObject now, Set<CalendarUserAddress> attendees,
                                 Set<CalendarUserAddress> mine, byte[] after, Instant time) {
        Optional<CalendarComponent> oldMaster = old.master();
        Optional<CalendarComponent> newMaster = now.master();
        if (oldMaster.isEmpty() || newMaster.isEmpty()) {
            return;
        }
        Map<CalendarUserAddress, Set<Instant>> cancelled = new java.util.LinkedHashMap<>();
        Set<Instant> excluded = new java.util.HashSet<>(ScheduledObject.exdates(newMaster.get()));
        excluded.removeAll(ScheduledObject.exdates(oldMaster.get()));
        if (!excluded.isEmpty()) {
            for (CalendarUserAddress a : attendees) {
                cancelled.computeIfAbsent(a, k -> new java.util.TreeSet<>()).addAll(excluded);
            }
        }
        Map<Instant, CalendarComponent> oldOverrides = new java.util.HashMap<>();
        for (CalendarComponent c : old.components()) {
            ScheduledObject.recurrenceInstant(c).ifPresent(at -> oldOverrides.put(at, c));
        }
        for (CalendarComponent c : now.components()) {
            Optional<Instant> at = ScheduledObject.recurrenceInstant(c);
            if (at.isEmpty() || excluded.contains(at.get())) {
                continue;
            }
            Set<CalendarUserAddress> before = attendeesOf(oldOverrides.getOrDefault(at.get(), oldMaster.get()));
            before.removeAll(attendeesOf(c));
            before.removeAll(mine);
            before.retainAll(attendees); // those dropped from the whole series had their CANCEL already
            for (CalendarUserAddress a : before) {
                cancelled.computeIfAbsent(a, k -> new java.util.TreeSet<>()).add(at.get());
            }
        }
        // one message per distinct set of instances
        Map<Set<Instant>, Set<CalendarUserAddress>> groups = new java.util.LinkedHashMap<>();
        cancelled.forEach((a, at) -> groups.computeIfAbsent(at, k -> new LinkedHashSet<>()).add(a));
        String uid = now.uid().orElseThrow();
        groups.forEach((instances, who) -> outbox.send(account, organizer, ItipComposer.cancelInstances(
                ScheduledObject.read(reader, after).orElseThrow(), who, instances, time), "CANCEL", uid, who));
    }

    private static Set<CalendarUserAddress> attendeesOf(CalendarComponent c) {
        Set<CalendarUserAddress> out = new LinkedHashSet<>();
        for (Property p : c.<Property>getProperties(Property.ATTENDEE)) {
            if (ScheduledObject.serverSchedules(p)) {
                CalendarUserAddress.parse(p.getValue()).ifPresent(out::add);
            }
        }
        return out;
    }

    private Optional<byte[]> asAttendee(Account account, Set<CalendarUserAddress> mine, Optional<ScheduledObject> old,
                                        ScheduledObject now, byte[] after) {
        Map<String, String> answers = now.partstats(mine);
        if (answers.isEmpty() || !organizerSchedules(now)) {
            return Optional.empty();
        }
        Map<String, String> previous = old.map(o -> o.partstats(mine)).orElse(Map.of());
        // instances the attendee removed from their copy (a new EXDATE) are declined (RFC 6638 §3.2.2.2)
        Set<Instant> hidden = new java.util.TreeSet<>();
        if (old.isPresent() && old.get().master().isPresent() && now.master().isPresent()) {
            hidden.addAll(ScheduledObject.exdates(now.master().get()));
            hidden.removeAll(ScheduledObject.exdates(old.get().master().get()));
        }
        boolean changed = old.isPresent() ? !answers.equals(previous) || !hidden.isEmpty()
                : answers.values().stream().anyMatch(p -> !p.equals("NEEDS-ACTION"));
        // RFC 6638 §7.2: SCHEDULE-FORCE-SEND=REPLY on the ORGANIZER sends the answer again
        boolean forced = !now.forced(Property.ORGANIZER, "REPLY").isEmpty();
        if (!changed && !forced) {
            return Optional.empty();
        }
        // only the instances whose answer changed, unless everything is to be said again
        Set<String> changedInstances = new java.util.HashSet<>();
        answers.forEach((rid, answer) -> {
            if (!answer.equals(previous.get(rid))) {
                changedInstances.add(rid);
            }
        });
        ScheduledObject outgoing = ScheduledObject.read(reader, after).orElseThrow();
        if (old.isPresent() && !forced) {
            for (CalendarComponent c : outgoing.components()) {
                if (!changedInstances.contains(ScheduledObject.recurrenceId(c))) {
                    outgoing.calendar().remove(c);
                }
            }
        }
        declineInstances(outgoing, now, hidden, mine);
        CalendarUserAddress organizer = now.organizer().get();
        // nothing to say (an answer unchanged where it was sent already): the status stays as it was
        Optional<String> status = outgoing.components().isEmpty() ? Optional.empty()
                : Optional.of(reply(account, mine, outgoing, organizer, now.uid().get()));
        // the answer is sent: what was read of the PUT becomes the copy to store, its status added
        ScheduledObject stored = now;
        for (CalendarComponent c : stored.components()) {
            c.<Property>getProperty(Property.ORGANIZER).ifPresent(p -> {
                p.removeAll(ScheduledObject.SCHEDULE_FORCE_SEND);
                status.ifPresent(code -> ScheduledObject.setScheduleStatus(p, code));
            });
            String rid = ScheduledObject.recurrenceId(c);
            if ("ACCEPTED".equals(answers.get(rid))) {
                ScheduledObject.restoreTransparency(c, old.flatMap(o -> ScheduledObject.originalTransparency(o, rid)));
            }
        }
        return Optional.of(stored.bytes());
    }

    /** Adds a declining component for each instance the attendee removed from their copy. */
    private static void declineInstances(ScheduledObject outgoing, ScheduledObject now, Set<Instant> hidden,
                                         Set<CalendarUserAddress> mine) {
        Optional<CalendarComponent> master = now.master();
        if (hidden.isEmpty() || master.isEmpty()) {
            return;
        }
        boolean allDay = ScheduledObject.allDay(master.get());
        for (Instant at : hidden) {
            CalendarComponent one = (CalendarComponent) master.get().copy();
            net.fortuna.ical4j.model.PropertyContainer props = one;
            props.removeAll(Property.RRULE, Property.RDATE, Property.EXDATE, Property.DTSTART, Property.DTEND,
                    Property.DURATION);
            props.add(new net.fortuna.ical4j.model.property.RecurrenceId<>(ScheduledObject.instanceParameters(allDay),
                    ScheduledObject.instanceValue(at, allDay)));
            for (Property p : ScheduledObject.attendees(one, mine)) {
                ScheduledObject.setPartstat(p, "DECLINED");
            }
            outgoing.calendar().add(one);
        }
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
