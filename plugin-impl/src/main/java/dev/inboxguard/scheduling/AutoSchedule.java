package dev.inboxguard.scheduling;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.calendar.CalendarHomes;
import dev.inboxguard.calendar.CalendarObjectRules;
import dev.inboxguard.calendar.ListMembership;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.server.Account;
import dev.inboxguard.storage.CalendarStore;
import dev.inboxguard.storage.Expectation;
import dev.inboxguard.storage.ItemId;
import dev.inboxguard.storage.StoreConflict;
import dev.inboxguard.storage.StoredCalendar;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.fortuna.ical4j.model.Parameter;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.PropertyContainer;
import net.fortuna.ical4j.model.component.CalendarComponent;
import net.fortuna.ical4j.model.parameter.Member;
import net.fortuna.ical4j.model.property.Status;

/**
 * The server's side of delivery (RFC 6638 §3.2 and §4): once a message is in a user's inbox, their calendar
 * follows it. A REQUEST becomes or updates the attendee's copy (their own answer is kept while the organizer has
 * not changed the SEQUENCE), a CANCEL marks it cancelled, and a REPLY sets the attendee's PARTSTAT in the
 * organizer's copy. These writes do not schedule anything themselves.
 */
final class AutoSchedule {
    private static final int ATTEMPTS = 5;
    private static final Set<String> JOINING_KEEPS = Set.of(Parameter.CN, Parameter.PARTSTAT, Parameter.MEMBER,
            Parameter.CUTYPE, Parameter.RSVP);

    private final CalendarStore calendars;
    private final CalendarReader reader;
    private final CalendarObjectRules rules;
    private final CalendarHomes homes;
    private final Clock clock;

    AutoSchedule(CalendarStore calendars, CalendarReader reader, CalendarObjectRules rules, CalendarHomes homes,
                 Clock clock) {
        this.homes = homes;
        this.clock = clock;
        this.calendars = calendars;
        this.reader = reader;
        this.rules = rules;
    }

    /**
     * @param owner        the recipient
     * @param delivered    the message as delivered
     * @param model        the message as read, if at hand; it is changed, so only the first attempt uses it
     * @param admitted     who may join the organizer's copy by answering: an approved party crasher, or the members
     *                     of invited lists whom the verdict let through; nobody else
     * @return true if the recipient's calendar changed
     */
    boolean apply(Account owner, byte[] delivered, Optional<net.fortuna.ical4j.model.Calendar> model,
                  Admitted admitted) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try {
                Optional<ScheduledObject> read = attempt == 0 && model.isPresent()
                        ? model.map(ScheduledObject::of) : ScheduledObject.read(reader, delivered);
                return applyOnce(owner, read, admitted);
            } catch (StoreConflict e) {
                if (e.kind() != StoreConflict.Kind.PRECONDITION && e.kind() != StoreConflict.Kind.UID_TAKEN) {
                    return false;
                }
                // the client changed the object meanwhile, or another delivery of this UID made the copy first
                // (under a name of its own): read it again
            }
        }
        return false;
    }

    /**
     * Who may be added to the organizer's copy by a delivered REPLY. The decision is the guard's (a person's
     * approval, or a policy that let a list member's answer through); this only carries it out.
     *
     * @param anyone    true for an approved item: its answering attendee joins
     * @param addresses the answering attendees the verdict let through as members of an invited list
     */
    record Admitted(boolean anyone, Set<CalendarUserAddress> addresses) {
        static final Admitted NOBODY = new Admitted(false, Set.of());

        Admitted {
            addresses = Set.copyOf(addresses);
        }

        boolean admits(CalendarUserAddress a) {
            return anyone || addresses.contains(a);
        }
    }

    private boolean applyOnce(Account owner, Optional<ScheduledObject> read, Admitted admitted) {
        if (read.isEmpty() || read.get().uid().isEmpty() || read.get().method().isEmpty()) {
            return false;
        }
        ScheduledObject message = read.get();
        String uid = message.uid().get();
        Optional<CalendarStore.Located> stored = calendars.objectByUid(owner.name(), uid);
        return switch (message.method().get()) {
            case "REQUEST" -> request(owner, message, uid, stored);
            case "CANCEL" -> stored.isPresent() && cancel(owner, message, stored.get());
            case "REPLY" -> stored.isPresent() && reply(owner, message, stored.get(), admitted);
            default -> false; // COUNTER, REFRESH, ADD, PUBLISH, DECLINECOUNTER wait in the inbox for the user
        };
    }

    private boolean request(Account owner, ScheduledObject message, String uid,
                            Optional<CalendarStore.Located> stored) {
        message.calendar().removeAll(Property.METHOD);
        Set<CalendarUserAddress> me = Set.copyOf(owner.addresses());
        if (stored.isPresent()) {
            Optional<ScheduledObject> mine = ScheduledObject.read(reader, stored.get().object().data());
            mine.ifPresent(m -> keepPersonalData(m, message));
            if (mine.isPresent() && sameSequence(mine.get(), message)) {
                // an update that is not a reschedule keeps the answer the attendee gave
                Map<String, String> answers = mine.get().partstats(me);
                for (CalendarComponent c : message.components()) {
                    String answer = answers.get(ScheduledObject.recurrenceId(c));
                    if (answer != null) {
                        ScheduledObject.attendees(c, me).forEach(p -> ScheduledObject.setPartstat(p, answer));
                    }
                    if ("ACCEPTED".equals(answer)) {
                        // already accepted: a flagged update does not take the time out of free-busy again
                        ScheduledObject.restoreTransparency(c, Optional.empty());
                    }
                }
            }
            return write(owner, stored.get().calendar(), stored.get().object().name(), message,
                    Optional.of(stored.get().object().etag()));
        }
        String kind = message.components().get(0).getName();
        Optional<String> calendar = defaultCalendar(owner, kind);
        if (calendar.isEmpty()) {
            return false;
        }
        // a new name in arrival order, not one made from the UID: see ItemId.ordered
        return write(owner, calendar.get(), ItemId.ordered(clock.millis()) + ".ics", message, Optional.empty());
    }

    /**
     * RFC 6638 §3.2.2.1: what the attendee keeps for themselves survives the organizer's update: their alarms,
     * their categories, and whether the event shows as busy (unless the guard set it aside, see InboxCopy).
     */
    private static void keepPersonalData(ScheduledObject mine, ScheduledObject update) {
        Map<String, CalendarComponent> own = new java.util.HashMap<>();
        for (CalendarComponent c : mine.components()) {
            own.put(ScheduledObject.recurrenceId(c), c);
        }
        for (CalendarComponent c : update.components()) {
            CalendarComponent kept = own.getOrDefault(ScheduledObject.recurrenceId(c), own.get(""));
            if (kept == null) {
                continue;
            }
            if (c instanceof net.fortuna.ical4j.model.ComponentContainer<?> into
                    && kept instanceof net.fortuna.ical4j.model.ComponentContainer<?> from) {
                // the alarms in the stored copy are the attendee's own, or passed the guard when they came: they
                // replace whatever the update carries (a flagged update carries none, on purpose)
                @SuppressWarnings("unchecked")
                net.fortuna.ical4j.model.ComponentContainer<net.fortuna.ical4j.model.Component> target =
                        (net.fortuna.ical4j.model.ComponentContainer<net.fortuna.ical4j.model.Component>) into;
                ScheduledObject.removeAlarms(c);
                for (Object alarm : from.getComponentList().getAll()) {
                    if (((net.fortuna.ical4j.model.Component) alarm).getName().equals("VALARM")) {
                        target.add(((net.fortuna.ical4j.model.Component) alarm).copy());
                    }
                }
            }
            List<Property> categories = kept.getProperties(Property.CATEGORIES);
            if (!categories.isEmpty()) {
                ((PropertyContainer) c).removeAll(Property.CATEGORIES);
                categories.forEach(p -> ((PropertyContainer) c).add(p.copy()));
            }
            Optional<Property> transp = kept.getProperty(Property.TRANSP);
            if (transp.isPresent() && c.getProperty(dev.inboxguard.engine.InboxCopy.ORIGINAL_TRANSP).isEmpty()
                    && kept.getProperty(dev.inboxguard.engine.InboxCopy.ORIGINAL_TRANSP).isEmpty()) {
                ((PropertyContainer) c).replace(transp.get().copy());
            }
        }
    }

    /**
     * A CANCEL of the whole event marks every component cancelled; a CANCEL of some instances marks their
     * overrides cancelled and excludes the others from the series (an EXDATE), so that they leave the calendar.
     */
    private boolean cancel(Account owner, ScheduledObject message, CalendarStore.Located stored) {
        Optional<ScheduledObject> mine = ScheduledObject.read(reader, stored.object().data());
        if (mine.isEmpty()) {
            return false;
        }
        boolean whole = false;
        java.util.Set<java.time.Instant> instances = new java.util.TreeSet<>();
        for (CalendarComponent c : message.components()) {
            Optional<java.time.Instant> at = ScheduledObject.recurrenceInstant(c);
            if (at.isPresent()) {
                instances.add(at.get());
            } else {
                whole = true;
            }
        }
        boolean changed = false;
        for (CalendarComponent c : mine.get().components()) {
            Optional<java.time.Instant> at = ScheduledObject.recurrenceInstant(c);
            if (whole || at.isPresent() && instances.remove(at.get())) {
                ((PropertyContainer) c).replace(new Status(Status.VALUE_CANCELLED));
                changed = true;
            }
        }
        Optional<CalendarComponent> master = mine.get().master();
        if (!whole && master.isPresent()) {
            instances.removeAll(ScheduledObject.exdates(master.get()));
            boolean allDay = ScheduledObject.allDay(master.get());
            for (java.time.Instant at : instances) {
                ((PropertyContainer) master.get()).add(new net.fortuna.ical4j.model.property.ExDate<>(
                        ScheduledObject.instanceParameters(allDay), ScheduledObject.instanceValue(at, allDay)));
                changed = true;
            }
        }
        return changed && write(owner, stored.calendar(), stored.object().name(), mine.get(),
                Optional.of(stored.object().etag()));
    }

    private boolean reply(Account owner, ScheduledObject message, CalendarStore.Located stored,
                          Admitted admitted) {
        Optional<ScheduledObject> organizerCopy = ScheduledObject.read(reader, stored.object().data());
        if (organizerCopy.isEmpty()) {
            return false;
        }
        boolean changed = false;
        for (CalendarComponent answer : message.components()) {
            List<Property> attendees = answer.getProperties(Property.ATTENDEE);
            if (attendees.isEmpty()) {
                continue;
            }
            Property from = attendees.get(0);
            Optional<CalendarUserAddress> who = CalendarUserAddress.parse(from.getValue());
            if (who.isEmpty()) {
                continue;
            }
            String partstat = from.<Parameter>getParameter(Parameter.PARTSTAT).map(Parameter::getValue)
                    .orElse("NEEDS-ACTION");
            Optional<java.time.Instant> rid = ScheduledObject.recurrenceInstant(answer);
            boolean matched = organizerCopy.get().components().stream()
                    .anyMatch(c -> ScheduledObject.recurrenceInstant(c).equals(rid));
            if (!matched && rid.isPresent() && organizerCopy.get().master().isPresent()
                    && ScheduledObject.attendees(organizerCopy.get().master().get(), Set.of(who.get())).size() > 0) {
                // an answer for one instance the organizer has not changed: it gets an override of its own
                organizerCopy.get().calendar().add(instance(organizerCopy.get().master().get(), answer));
            }
            for (CalendarComponent c : organizerCopy.get().components()) {
                if (!ScheduledObject.recurrenceInstant(c).equals(rid)) {
                    continue;
                }
                List<Property> existing = ScheduledObject.attendees(c, Set.of(who.get()));
                if (existing.isEmpty() && admitted.admits(who.get())) {
                    ((PropertyContainer) c).add(joining(from, c));
                    changed = true;
                }
                for (Property p : existing) {
                    ScheduledObject.setPartstat(p, partstat);
                    from.<Parameter>getParameter(Parameter.DELEGATED_TO).ifPresent(d -> {
                        p.removeAll(Parameter.DELEGATED_TO);
                        p.add(d);
                    });
                    changed = true;
                }
            }
        }
        return changed && write(owner, stored.calendar(), stored.object().name(), organizerCopy.get(),
                Optional.of(stored.object().etag()), false);
    }

    /**
     * An override of one instance, as the master has it: no rule, the instance's own start and end, and the
     * RECURRENCE-ID the answer names (RFC 5545 §3.8.4.4).
     */
    private static CalendarComponent instance(CalendarComponent master, CalendarComponent answer) {
        CalendarComponent one = (CalendarComponent) master.copy();
        PropertyContainer props = one;
        Property id = answer.<Property>getProperty(Property.RECURRENCE_ID).orElseThrow();
        java.time.Instant at = ScheduledObject.recurrenceInstant(answer).orElseThrow();
        java.time.Duration length = dev.inboxguard.calendar.ObjectSpan.length(master);
        props.removeAll(Property.RRULE, Property.RDATE, Property.EXDATE, Property.DTSTART, Property.DTEND,
                Property.DURATION, Property.RECURRENCE_ID);
        props.add(new net.fortuna.ical4j.model.property.RecurrenceId<>(new net.fortuna.ical4j.model.ParameterList(
                id.getParameters()), id.getValue()));
        boolean allDay = id.getValue().strip().length() == 8;
        props.add(new net.fortuna.ical4j.model.property.DtStart<>(ScheduledObject.instanceParameters(allDay),
                ScheduledObject.instanceValue(at, allDay)));
        props.add(new net.fortuna.ical4j.model.property.DtEnd<>(ScheduledObject.instanceParameters(allDay),
                ScheduledObject.instanceValue(at.plus(length), allDay)));
        return one;
    }

    /**
     * The ATTENDEE line of someone joining by their answer: their address, name, answer and list, and nothing else
     * they wrote (no ROLE=CHAIR, SENT-BY, delegation or X- parameters of their choosing).
     */
    private static Property joining(Property answer, CalendarComponent organizerCopy) {
        Property added = answer.copy();
        List<String> dropped = new java.util.ArrayList<>();
        for (Parameter p : added.getParameters()) {
            if (!JOINING_KEEPS.contains(p.getName().toUpperCase(java.util.Locale.ROOT))) {
                dropped.add(p.getName());
            }
        }
        added.removeAll(dropped.toArray(String[]::new));
        if (added.getParameter(Parameter.MEMBER).isEmpty()) {
            // an answer from a list's own organization that did not say which list: name it, for the organizer
            ListMembership.of(added, ListMembership.groups(organizerCopy.getProperties(Property.ATTENDEE)),
                    (a, b) -> a.domain().map(d -> d.equalsIgnoreCase(b.domain().orElse(""))).orElse(false))
                    .ifPresent(list -> {
                        try {
                            added.add(new Member(list.list().uri()));
                        } catch (IllegalArgumentException e) {
                            // the list's address was read as a URI before; without MEMBER the answer still counts
                        }
                    });
        }
        return added;
    }

    private boolean write(Account owner, String calendar, String name, ScheduledObject object,
                          Optional<String> ifMatch) {
        return write(owner, calendar, name, object, ifMatch, true);
    }

    /** @param newScheduleTag false when only answers are merged into an organizer's copy (RFC 6638 §3.2.10) */
    private boolean write(Account owner, String calendar, String name, ScheduledObject object,
                          Optional<String> ifMatch, boolean newScheduleTag) {
        Optional<StoredCalendar> target = calendars.calendar(owner.name(), calendar);
        if (target.isEmpty()) {
            return false;
        }
        byte[] data = object.bytes();
        CalendarObjectRules.Judgement judgement = rules.judge(object.calendar(), data, target.get().components());
        if (!(judgement instanceof CalendarObjectRules.Accepted accepted)) {
            return false;
        }
        calendars.put(owner.name(), calendar, name, accepted.uid(), data, accepted.span(),
                new Expectation(ifMatch.isEmpty(), ifMatch), newScheduleTag);
        return true;
    }

    /** Makes the owner's home and first collections, if they lack them, so that delivery finds them. */
    void prepare(Account owner) {
        homes.ensure(owner.name());
    }

    /** Where an incoming object of this kind is filed (RFC 6638 §9.2). */
    Optional<String> defaultCalendar(Account owner, String kind) {
        return homes.calendarFor(owner.name(), kind);
    }

    private static boolean sameSequence(ScheduledObject a, ScheduledObject b) {
        return sequence(a) == sequence(b);
    }

    private static int sequence(ScheduledObject o) {
        return o.master().map(ScheduledObject::sequence).orElse(0);
    }
}
