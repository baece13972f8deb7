package dev.inboxguard.scheduling;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.calendar.ObjectSpan;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.server.Account;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.storage.AuditEntry;
import dev.inboxguard.storage.CalendarStore;
import dev.inboxguard.storage.SchedulingStore;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.fortuna.ical4j.model.Parameter;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.component.CalendarComponent;

/**
 * The first wall around scheduling (RFC 6638 §3.2.4): what a user may PUT as a scheduling object resource, before
 * anything is stored or sent. The guard is the second wall, for what reaches an inbox.
 * <ul>
 * <li>One scheduling object per UID in a user's calendars ({@code unique-scheduling-object-resource}).</li>
 * <li>One ORGANIZER in every component ({@code same-organizer-in-all-components}); an organizer's object keeps its
 * organizer ({@code allowed-organizer-scheduling-object-change}).</li>
 * <li>An attendee changes only their own answer and personal data (§3.2.2.1, {@code
 * allowed-attendee-scheduling-object-change}): PARTSTAT and RSVP of their own ATTENDEE, delegating, alarms, TRANSP,
 * CATEGORIES, X- properties, a to-do's progress, EXDATEs that hide instances and overrides that only answer for one
 * instance. The reference is server-side truth: their stored copy, or, for a first copy of a local organizer's
 * event, the organizer's own.</li>
 * <li>Nobody makes themselves an attendee of a local organizer's event that does not invite them: that is a party
 * crash at the door, refused and written to the audit trail.</li>
 * </ul>
 */
public final class SchedulingObjectRules {
    /** What the rules say of a PUT. */
    public sealed interface Judgement permits Allowed, Refused {
    }

    /** Store it. */
    public record Allowed() implements Judgement {
    }

    /** Refuse it: the CALDAV precondition and why. */
    public record Refused(String precondition, String reason) implements Judgement {
    }

    private static final Allowed ALLOWED = new Allowed();
    /** What only the attendee's own client decides, in any component. */
    private static final Set<String> PERSONAL = Set.of(Property.DTSTAMP, Property.LAST_MODIFIED, Property.TRANSP,
            Property.CATEGORIES, Property.SEQUENCE, Property.CREATED, Property.CLASS, "COLOR");
    /** A to-do's assignee reports progress (RFC 5546 §3.4.3). */
    private static final Set<String> TODO_PROGRESS = Set.of(Property.PERCENT_COMPLETE, Property.COMPLETED,
            Property.STATUS);
    /**
     * The parameters of ORGANIZER and ATTENDEE that say who takes part and how; everything else (CN, EMAIL, RSVP,
     * PARTSTAT, SCHEDULE-*, X-) clients rewrite freely and is not compared. The attendee's own line keeps only
     * ROLE, CUTYPE and MEMBER here: their answer and delegation are theirs.
     */
    private static final Set<String> COMPARED_PARAMETERS = Set.of(Parameter.ROLE, Parameter.CUTYPE, Parameter.MEMBER,
            Parameter.DELEGATED_FROM, Parameter.DELEGATED_TO, Parameter.SENT_BY);
    private static final Set<String> OWN_COMPARED_PARAMETERS = Set.of(Parameter.ROLE, Parameter.CUTYPE,
            Parameter.MEMBER);
    private static final Set<String> DATES = Set.of(Property.DTSTART, Property.DTEND, Property.DUE,
            Property.RECURRENCE_ID);
    private static final Set<String> TIMING = Set.of(Property.DTSTART, Property.DTEND, Property.DUE,
            Property.DURATION, Property.RECURRENCE_ID, Property.RRULE, Property.RDATE, Property.EXDATE);

    private final CalendarReader reader;
    private final CalendarStore calendars;
    private final Accounts accounts;
    private final SchedulingStore store;
    private final Clock clock;

    SchedulingObjectRules(CalendarReader reader, CalendarStore calendars, Accounts accounts, SchedulingStore store,
                          Clock clock) {
        this.reader = reader;
        this.calendars = calendars;
        this.accounts = accounts;
        this.store = store;
        this.clock = clock;
    }

    /**
     * @param account  who writes
     * @param calendar the calendar written to
     * @param name     the resource name
     * @param before   the resource as stored, if it exists
     * @param after    what the client sent, as read (already valid as a calendar object resource); only looked at,
     *                 since implicit scheduling changes the same model afterwards
     * @return whether it may be stored
     */
    public Judgement judge(Account account, String calendar, String name, Optional<byte[]> before,
                           net.fortuna.ical4j.model.Calendar after) {
        Optional<ScheduledObject> now = Optional.of(ScheduledObject.of(after));
        if (now.isEmpty() || now.get().uid().isEmpty()) {
            return ALLOWED;
        }
        Set<String> organizers = new HashSet<>();
        for (CalendarComponent c : now.get().components()) {
            organizers.add(c.<Property>getProperty(Property.ORGANIZER).map(p -> p.getValue().toLowerCase(Locale.ROOT))
                    .orElse(""));
        }
        if (organizers.size() > 1) {
            return new Refused("same-organizer-in-all-components", "every component of a scheduling object names "
                    + "the same ORGANIZER");
        }
        Optional<CalendarUserAddress> organizer = now.get().organizer();
        if (organizer.isEmpty()) {
            return ALLOWED; // not a scheduling object
        }
        String uid = now.get().uid().get();
        Optional<CalendarStore.Located> elsewhere = calendars.objectsByUid(account.name(), uid).stream()
                .filter(l -> !(l.calendar().equals(calendar) && l.object().name().equals(name)))
                .filter(l -> ScheduledObject.read(reader, l.object().data()).flatMap(ScheduledObject::organizer)
                        .isPresent()).findFirst();
        if (elsewhere.isPresent()) {
            return new Refused("unique-scheduling-object-resource", "you already have this event (UID " + uid
                    + ") in " + elsewhere.get().calendar() + "/" + elsewhere.get().object().name());
        }
        Set<CalendarUserAddress> mine = Set.copyOf(account.addresses());
        Optional<ScheduledObject> old = before.flatMap(b -> ScheduledObject.read(reader, b));
        if (mine.contains(organizer.get())) {
            if (old.isPresent() && old.get().organizer().isPresent() && !old.get().organizer().equals(organizer)
                    && !mine.contains(old.get().organizer().get())) {
                return new Refused("allowed-organizer-scheduling-object-change", "this event is organized by "
                        + old.get().organizer().get().uri() + "; its copy cannot name a new organizer");
            }
            return ALLOWED;
        }
        if (now.get().partstats(mine).isEmpty()) {
            return ALLOWED; // someone else's event, kept as a plain copy: nothing is scheduled for it
        }
        Optional<ScheduledObject> reference = old.filter(o -> o.organizer().isPresent());
        Optional<Account> localOrganizer = accounts.byAddress(organizer.get());
        if (old.isPresent() && old.get().organizer().isPresent() && !old.get().organizer().equals(organizer)) {
            return new Refused("allowed-attendee-scheduling-object-change", "an attendee cannot change who "
                    + "organizes the event");
        }
        if (reference.isEmpty() && localOrganizer.isPresent()) {
            // a first copy of a local organizer's event: the organizer's own copy says what it is
            Optional<ScheduledObject> theirs = calendars.objectByUid(localOrganizer.get().name(), uid)
                    .flatMap(l -> ScheduledObject.read(reader, l.object().data()))
                    .filter(o -> o.organizer().equals(organizer));
            if (theirs.isEmpty() || theirs.get().partstats(mine).isEmpty()) {
                audit(account, organizer.get(), uid, "you are not invited to this event");
                return new Refused("allowed-attendee-scheduling-object-change", "you are not invited to this "
                        + "event; ask its organizer, " + organizer.get().uri() + ", for an invitation");
            }
            // invited: a first copy (re-imported, or one the guard held) is theirs to write; what it says to the
            // organizer still passes the guard
            return ALLOWED;
        }
        if (reference.isEmpty()) {
            return ALLOWED; // an invitation from elsewhere, imported: the remote organizer's server decides
        }
        Optional<String> change = attendeeChange(reference.get(), now.get(), mine);
        if (change.isPresent()) {
            return new Refused("allowed-attendee-scheduling-object-change", "as an attendee you may change your "
                    + "answer, alarms and personal data, not " + change.get());
        }
        return ALLOWED;
    }

    private void audit(Account account, CalendarUserAddress organizer, String uid, String why) {
        String me = account.addresses().get(0).uri();
        store.audit(new AuditEntry(0, clock.millis(), "put-refused", "caldav", me, account.name(), organizer.uri(),
                accounts.byAddress(organizer).map(Account::name).orElse(""), "", uid, "reject", "3.8;" + why,
                "[{\"code\":\"organizer.party-crash\"}]", "", me));
    }

    /** @return what the attendee changed that is not theirs to change, or empty if nothing */
    static Optional<String> attendeeChange(ScheduledObject before, ScheduledObject after,
                                           Set<CalendarUserAddress> mine) {
        Map<String, CalendarComponent> old = byInstance(before);
        Map<String, CalendarComponent> now = byInstance(after);
        CalendarComponent oldMaster = old.get("");
        for (Map.Entry<String, CalendarComponent> e : now.entrySet()) {
            CalendarComponent was = old.get(e.getKey());
            if (was != null) {
                if (!fingerprint(was, mine, Set.of(Property.EXDATE)).equals(fingerprint(e.getValue(), mine,
                        Set.of(Property.EXDATE)))) {
                    return Optional.of(describe(was, e.getValue(), mine));
                }
                if (!ScheduledObject.exdates(e.getValue()).containsAll(ScheduledObject.exdates(was))) {
                    return Optional.of("the excluded dates the organizer set");
                }
            } else if (oldMaster == null) {
                return Optional.of("the instances of the event");
            } else {
                // an override the attendee added to answer for one instance: the instance as it is, not moved
                CalendarComponent added = e.getValue();
                Optional<Instant> id = added.<Property>getProperty(Property.RECURRENCE_ID).flatMap(ObjectSpan::instant);
                Optional<Instant> start = ObjectSpan.instant(added, Property.DTSTART);
                if (id.isEmpty() || start.isPresent() && !start.equals(id)
                        || !fingerprint(oldMaster, mine, TIMING).equals(fingerprint(added, mine, TIMING))) {
                    return Optional.of("one instance's details");
                }
            }
        }
        for (String rid : old.keySet()) {
            if (!now.containsKey(rid) && !rid.isEmpty()) {
                CalendarComponent master = now.get("");
                Optional<Instant> at = old.get(rid).<Property>getProperty(Property.RECURRENCE_ID)
                        .flatMap(ObjectSpan::instant);
                if (master == null || at.isEmpty() || !ScheduledObject.exdates(master).contains(at.get())) {
                    return Optional.of("the instances the organizer changed");
                }
            }
        }
        if (!now.containsKey("") && old.containsKey("")) {
            return Optional.of("the event itself");
        }
        return Optional.empty();
    }

    private static Map<String, CalendarComponent> byInstance(ScheduledObject o) {
        Map<String, CalendarComponent> out = new LinkedHashMap<>();
        for (CalendarComponent c : o.components()) {
            String key = c.<Property>getProperty(Property.RECURRENCE_ID)
                    .map(p -> ObjectSpan.instant(p).map(Instant::toString).orElse(p.getValue())).orElse("");
            out.put(key, c);
        }
        return out;
    }

    /**
     * The component without what the attendee may change, in a form that survives how clients rewrite what they
     * did not change: properties sorted, times as instants (whatever zone or form they are written in), an end as
     * an instant whether written as DTEND or DURATION, addresses compared as addresses, and only the parameters
     * that say who takes part.
     */
    private static List<String> fingerprint(CalendarComponent c, Set<CalendarUserAddress> mine, Set<String> skip) {
        boolean todo = c.getName().equals("VTODO");
        List<String> out = new ArrayList<>();
        for (Property p : c.<Property>getProperties()) {
            String name = p.getName().toUpperCase(Locale.ROOT);
            if (PERSONAL.contains(name) || skip.contains(name) || name.startsWith("X-")
                    || todo && TODO_PROGRESS.contains(name) || name.equals(Property.DURATION)
                    || name.equals(Property.DTEND) || name.equals(Property.DUE)) {
                continue;
            }
            if (name.equals(Property.ATTENDEE) || name.equals(Property.ORGANIZER)) {
                Optional<CalendarUserAddress> who = CalendarUserAddress.parse(p.getValue());
                boolean own = name.equals(Property.ATTENDEE) && who.map(mine::contains).orElse(false);
                boolean delegate = p.<Parameter>getParameter(Parameter.DELEGATED_FROM)
                        .flatMap(d -> CalendarUserAddress.parse(d.getValue())).map(mine::contains).orElse(false);
                if (delegate) {
                    continue; // someone the attendee delegated to (RFC 5546 §3.2.2.3)
                }
                Set<String> compared = own ? OWN_COMPARED_PARAMETERS : COMPARED_PARAMETERS;
                List<String> parameters = new ArrayList<>();
                for (Parameter x : p.getParameters()) {
                    String pn = x.getName().toUpperCase(Locale.ROOT);
                    if (compared.contains(pn) && !(own && pn.equals(Parameter.DELEGATED_TO))) {
                        parameters.add(pn + "=" + x.getValue().toLowerCase(Locale.ROOT));
                    }
                }
                parameters.sort(null);
                out.add(name + parameters + ":" + who.map(CalendarUserAddress::uri).orElse(p.getValue())
                        .toLowerCase(Locale.ROOT));
                continue;
            }
            if (DATES.contains(name)) {
                out.add(name + ":" + moment(p));
                continue;
            }
            out.add(name + ":" + p.getValue());
        }
        // the end, however it is written: DTEND, DUE or DURATION
        Optional<Instant> start = ObjectSpan.instant(c, Property.DTSTART);
        if (start.isPresent() && !skip.contains(Property.DTEND)
                && (c.getProperty(Property.DTEND).isPresent() || c.getProperty(Property.DUE).isPresent()
                || c.getProperty(Property.DURATION).isPresent())) {
            out.add("END:" + start.get().plus(ObjectSpan.length(c)));
        }
        out.sort(null);
        return out;
    }

    /** A date or date-time as one spelling: an instant, or a date. */
    private static String moment(Property p) {
        String v = p.getValue().strip();
        if (v.length() == 8) {
            return v;
        }
        return ObjectSpan.instant(p).map(Instant::toString).orElse(v);
    }

    private static String describe(CalendarComponent was, CalendarComponent now, Set<CalendarUserAddress> mine) {
        List<String> before = fingerprint(was, mine, Set.of(Property.EXDATE));
        for (String line : fingerprint(now, mine, Set.of(Property.EXDATE))) {
            if (!before.contains(line)) {
                return line.substring(0, Math.max(1, Math.min(line.length(), line.indexOf('[') > 0
                        ? line.indexOf('[') : line.length())));
            }
        }
        List<String> after = fingerprint(now, mine, Set.of(Property.EXDATE));
        for (String line : before) {
            if (!after.contains(line)) {
                return line.substring(0, Math.max(1, line.indexOf('[') > 0 ? line.indexOf('[') : line.length()))
                        + " (removed)";
            }
        }
        return "the event";
    }
}
