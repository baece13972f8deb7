package dev.inboxguard.checks;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.Check;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.ItipMethod;
import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.api.RequestStatus;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.api.Severity;
import dev.inboxguard.checks.ItipRestrictions.Presence;
import dev.inboxguard.checks.ItipRestrictions.Row;
import dev.inboxguard.ical.KnownZones;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.ComponentContainer;
import net.fortuna.ical4j.model.Parameter;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.property.DateListProperty;
import net.fortuna.ical4j.model.property.DateProperty;
import net.fortuna.ical4j.model.property.RDate;

/**
 * Holds a message to the iTIP structure rules: the restriction tables of RFC 5546 §3 for its method and component
 * kind, one kind of scheduling component per message, one UID per message (except PUBLISH), VERSION 2.0, and
 * values that must parse (calendar user addresses, dates, TZIDs). A gate: later checks see only well-formed
 * messages.
 *
 * <p>Some table rows are tolerated by configuration because widely used clients break them (see
 * {@code docs/policy.md}): an entry {@code COMPONENT.PROPERTY} makes a required property optional, an entry
 * {@code COMPONENT} allows a sub-component the table forbids. A REPLY without ORGANIZER (Outlook's habit) is
 * tolerated when the recipient holds the event it answers, which names the organizer.
 */
public final class ItipStructureCheck implements Check {
    static final RequestStatus MISSING = new RequestStatus("3.11", "Required component or property missing");
    static final RequestStatus UNSUPPORTED = new RequestStatus("3.13", "Unsupported component or property found");
    static final RequestStatus BAD_VALUE = RequestStatus.INVALID_PROPERTY_VALUE;
    static final RequestStatus BAD_DATE = new RequestStatus("3.5", "Invalid date or time");
    static final RequestStatus BAD_USER = new RequestStatus("3.7", "Invalid calendar user");
    static final RequestStatus BAD_VERSION = new RequestStatus("3.9", "Unsupported version");
    static final RequestStatus NOT_SUPPORTED = new RequestStatus("3.14", "Unsupported capability");

    private static final List<String> KINDS = List.of(Component.VEVENT, Component.VTODO, Component.VJOURNAL,
            Component.VFREEBUSY);
    private static final String VCALENDAR = "VCALENDAR";
    private static final Set<String> ADDRESS_PROPERTIES = Set.of(Property.ORGANIZER, Property.ATTENDEE);

    private final Set<String> tolerated;
    /** The rows that apply to each kind and method, by component; built once, read by every message. */
    private final Map<String, Map<String, List<Row>>> rowsByTable = new HashMap<>();

    /**
     * @param restrictions the RFC 5546 tables
     * @param tolerated    rows not enforced: {@code COMPONENT.PROPERTY} (a missing required property) or
     *                     {@code COMPONENT} (a forbidden sub-component)
     */
    public ItipStructureCheck(ItipRestrictions restrictions, Set<String> tolerated) {
        this.tolerated = tolerated.stream().map(s -> s.strip().toUpperCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
        for (String kind : KINDS) {
            for (ItipMethod method : ItipMethod.values()) {
                restrictions.table(kind, method).ifPresent(rows -> rowsByTable.put(kind + " " + method,
                        byComponent(rows, restrictions.shared())));
            }
        }
    }

    @Override
    public boolean isGate() {
        return true;
    }

    @Override
    public List<Finding> inspect(SchedulingMessage message, RecipientContext recipient) {
        Calendar calendar = message.calendar();
        List<Finding> out = new ArrayList<>();

        List<Property> methods = calendar.getProperties(Property.METHOD);
        if (methods.isEmpty()) {
            return List.of(finding("there is no METHOD, so this is not an iTIP scheduling message", MISSING)
                    .about(Property.METHOD, null));
        }
        Optional<ItipMethod> parsed = ItipMethod.parse(methods.get(0).getValue());
        if (parsed.isEmpty()) {
            return List.of(finding("METHOD " + quote(methods.get(0).getValue()) + " is not an iTIP method",
                    NOT_SUPPORTED).about(Property.METHOD, methods.get(0).getValue()));
        }
        ItipMethod method = parsed.get();

        Set<String> kinds = new LinkedHashSet<>();
        for (Component c : topLevel(calendar)) {
            if (KINDS.contains(c.getName())) {
                kinds.add(c.getName());
            }
        }
        if (kinds.isEmpty()) {
            return List.of(finding("the message holds no VEVENT, VTODO, VJOURNAL or VFREEBUSY", MISSING));
        }
        if (kinds.size() > 1) {
            return List.of(finding("the message mixes " + String.join(" and ", kinds)
                    + "; an iTIP message carries one kind of component (RFC 5546 §1.4)", UNSUPPORTED));
        }
        String kind = kinds.iterator().next();
        Map<String, List<Row>> rows = rowsByTable.get(kind + " " + method);
        if (rows == null) {
            return List.of(finding("RFC 5546 defines no " + method + " for " + kind, NOT_SUPPORTED)
                    .about(Property.METHOD, method.name()));
        }
        Where where = new Where(method + " " + kind, kind, "RFC 5546 §" + ItipRestrictions.section(kind, method));

        checkProperties(VCALENDAR, calendar.getProperties(), rows, where, out);
        calendar.getProperty(Property.VERSION).map(Property::getValue).filter(v -> !v.strip().equals("2.0"))
                .ifPresent(v -> out.add(finding("VERSION is " + quote(v) + "; iTIP needs 2.0", BAD_VERSION)
                        .about(Property.VERSION, v)));

        checkChildren(VCALENDAR, topLevel(calendar), rows, where, out);
        Set<String> uids = new LinkedHashSet<>();
        Set<String> messageZones = new HashSet<>();
        for (Component c : topLevel(calendar)) {
            if (c.getName().equals(Component.VTIMEZONE)) {
                c.getProperty(Property.TZID).map(Property::getValue).ifPresent(messageZones::add);
            }
        }
        Boolean organizerInStore = null; // looked up once, and only for a REPLY that needs it
        for (Component c : topLevel(calendar)) {
            if (c.getName().equals(kind)) {
                List<Finding> found = new ArrayList<>();
                checkProperties(kind, c.getProperties(), rows, where, found);
                if (method == ItipMethod.REPLY && c.getProperty(Property.ORGANIZER).isEmpty()) {
                    if (organizerInStore == null) {
                        organizerInStore = organizerKnownFromStore(c, recipient);
                    }
                    if (organizerInStore) {
                        // Outlook and Exchange send REPLYs without ORGANIZER; the recipient is the organizer and
                        // holds the copy the reply is judged against, so nothing is lost by tolerating it
                        found.removeIf(f -> f.property().filter(Property.ORGANIZER::equals).isPresent()
                                && f.requestStatus().filter(MISSING::equals).isPresent());
                    }
                }
                out.addAll(found);
                checkExclusive(c, kind, out);
                checkChildren(kind, children(c), rows, where, out);
                c.getProperty(Property.UID).map(Property::getValue).ifPresent(uids::add);
                checkValues(c, messageZones, out);
                for (Component child : children(c)) {
                    if (child.getName().equals(Component.VALARM)) {
                        checkProperties(Component.VALARM, child.getProperties(), rows, where, out);
                    }
                    checkValues(child, messageZones, out);
                }
            } else if (c.getName().equals(Component.VTIMEZONE)) {
                checkTimezone(c, rows, where, out);
            }
        }
        Set<String> instances = new HashSet<>();
        for (Component c : topLevel(calendar)) {
            if (c.getName().equals(kind)) {
                String id = c.getProperty(Property.UID).map(Property::getValue).orElse("") + "|"
                        + c.getProperty(Property.RECURRENCE_ID).map(Property::getValue).orElse("master");
                if (!instances.add(id)) {
                    // clients disagree on which of two copies wins; the guard would judge one and deliver both
                    out.add(finding("two " + kind + "s describe the same " + (id.endsWith("|master")
                            ? "series" : "instance") + " (same UID and RECURRENCE-ID)", UNSUPPORTED)
                            .about(Property.UID, id.substring(0, id.indexOf('|'))));
                    break;
                }
            }
        }
        if (method != ItipMethod.PUBLISH && uids.size() > 1) {
            out.add(finding("the components of one " + method + " must share one UID; this message has "
                    + uids.size(), BAD_VALUE).about(Property.UID, String.join(", ", uids)));
        }
        return List.copyOf(dedupe(out));
    }

    /** True if the recipient holds a copy of this UID that names them as its organizer. */
    private static boolean organizerKnownFromStore(Component c, RecipientContext recipient) {
        return c.<Property>getProperty(Property.UID).map(Property::getValue).flatMap(recipient::storedCopy)
                .map(stored -> stored.getComponents().stream().anyMatch(s -> ((Component) s)
                        .<Property>getProperty(Property.ORGANIZER).flatMap(o -> CalendarUserAddress.parse(o.getValue()))
                        .filter(recipient.addresses()::contains).isPresent())).orElse(false);
    }

    private void checkTimezone(Component vtimezone, Map<String, List<Row>> rows, Where where, List<Finding> out) {
        checkProperties(Component.VTIMEZONE, vtimezone.getProperties(), rows, where, out);
        List<Component> observances = children(vtimezone);
        checkChildren(Component.VTIMEZONE, observances, rows, where, out);
        boolean any = false;
        for (Component o : observances) {
            if (o.getName().equals("STANDARD") || o.getName().equals("DAYLIGHT")) {
                any = true;
                checkProperties(o.getName(), o.getProperties(), rows, where, out);
            }
        }
        if (!any) {
            out.add(finding("a VTIMEZONE needs at least one STANDARD or DAYLIGHT (RFC 5545 §3.6.5)", MISSING)
                    .about(Component.VTIMEZONE, vtimezone.getProperty(Property.TZID).map(Property::getValue)
                            .orElse(null)));
        }
    }

    private void checkProperties(String component, List<Property> properties, Map<String, List<Row>> rows,
                                 Where where, List<Finding> out) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Property p : properties) {
            counts.merge(p.getName().toUpperCase(Locale.ROOT), 1, Integer::sum);
        }
        for (Row row : rows.getOrDefault(component, List.of())) {
            if (row.isComponent()) {
                continue;
            }
            Presence presence = row.presence();
            int count = counts.getOrDefault(row.item(), 0);
            if (!presence.allows(count)) {
                out.add(presenceFinding(component, row.item(), presence, count, where));
            }
        }
    }

    private void checkChildren(String parent, List<Component> children, Map<String, List<Row>> rows, Where where,
                               List<Finding> out) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Component c : children) {
            counts.merge(c.getName().toUpperCase(Locale.ROOT), 1, Integer::sum);
        }
        for (Map.Entry<String, List<Row>> e : rows.entrySet()) {
            String child = e.getKey();
            if (!isChildOf(child, parent)) {
                continue;
            }
            for (Row row : e.getValue()) {
                if (!row.isComponent()) {
                    continue;
                }
                Presence presence = row.presence();
                // RFC 5545 needs one VTIMEZONE per TZID used; a few tables say "0 or 1", which would forbid an
                // event that starts and ends in different zones. Read those as "0+".
                if (child.equals(Component.VTIMEZONE) && presence == Presence.AT_MOST_ONE) {
                    presence = Presence.ANY;
                }
                int count = counts.getOrDefault(child, 0);
                if (!presence.allows(count)) {
                    out.add(presenceFinding(parent, child, presence, count, where));
                }
            }
        }
    }

    /** Which table components can appear directly inside which: VALARM in the scheduling component, and so on. */
    private static boolean isChildOf(String child, String parent) {
        return switch (child) {
            case "VALARM" -> !parent.equals(VCALENDAR) && !parent.equals(Component.VTIMEZONE)
                    && KINDS.contains(parent);
            case "STANDARD", "DAYLIGHT" -> parent.equals(Component.VTIMEZONE);
            case "VCALENDAR" -> false;
            default -> parent.equals(VCALENDAR);
        };
    }

    private static void checkExclusive(Component c, String kind, List<Finding> out) {
        String end = kind.equals(Component.VTODO) ? Property.DUE : Property.DTEND;
        if (c.getProperty(end).isPresent() && c.getProperty(Property.DURATION).isPresent()) {
            out.add(finding("a " + kind + " has " + end + " and DURATION; it may have only one of them",
                    UNSUPPORTED).about(Property.DURATION, null));
        }
        if (kind.equals(Component.VFREEBUSY)) {
            for (String name : List.of(Property.DTSTART, Property.DTEND)) {
                c.getProperty(name).map(Property::getValue).filter(v -> !v.endsWith("Z"))
                        .ifPresent(v -> out.add(finding("VFREEBUSY " + name + " must be in UTC", BAD_DATE)
                                .about(name, v)));
            }
        }
    }

    /** Values that later checks rely on must parse: calendar user addresses, dates and their TZIDs. */
    private static void checkValues(Component c, Set<String> messageZones, List<Finding> out) {
        for (Property p : c.getProperties()) {
            String name = p.getName().toUpperCase(Locale.ROOT);
            if (ADDRESS_PROPERTIES.contains(name)) {
                if (CalendarUserAddress.parse(p.getValue()).isEmpty()) {
                    out.add(finding(name + " " + quote(p.getValue()) + " is not a calendar user address", BAD_USER)
                            .about(name, p.getValue()));
                }
                p.getParameter(Parameter.SENT_BY).map(Parameter::getValue)
                        .filter(v -> CalendarUserAddress.parse(v).isEmpty())
                        .ifPresent(v -> out.add(finding("SENT-BY " + quote(v) + " is not a calendar user address",
                                BAD_USER).about(name, v)));
                continue;
            }
            if (!(p instanceof DateProperty<?>) && !(p instanceof DateListProperty<?>)) {
                continue;
            }
            Optional<String> tzid = p.getParameter(Parameter.TZID).map(Parameter::getValue);
            if (tzid.isPresent() && messageZones.contains(tzid.get())) {
                // the message defines this zone itself; the recurrence check reads it with its own bounds
                continue;
            }
            if (tzid.isPresent() && !knownZone(tzid.get())) {
                out.add(finding(name + " names the time zone " + quote(tzid.get())
                        + ", which the message does not define and which is not a known zone", BAD_DATE)
                        .about(name, p.getValue()));
                continue;
            }
            try {
                if (p instanceof DateProperty<?> dp) {
                    dp.getDate();
                } else if (p instanceof RDate<?> rdate && rdate.getPeriods().isPresent()) {
                    rdate.getPeriods().get().forEach(period -> period.getStart());
                } else {
                    ((DateListProperty<?>) p).getDates();
                }
            } catch (DateTimeException | IllegalArgumentException e) {
                out.add(finding(name + " " + quote(p.getValue()) + " is not a valid date or date-time", BAD_DATE)
                        .about(name, p.getValue()));
            }
        }
    }

    private static boolean knownZone(String tzid) {
        return KnownZones.isKnown(tzid);
    }

    private static Finding presenceFinding(String component, String item, Presence presence, int count,
                                           Where where) {
        // "a REPLY VEVENT must have ATTENDEE", or "... must have TZID in each VTIMEZONE" for other components
        String in = component.equals(where.kind()) ? "" : (count == 0 ? " in each " : " in one ") + component;
        String message;
        RequestStatus status;
        if (count == 0) {
            message = "a " + where.subject() + " must have " + item + in;
            status = MISSING;
        } else if (presence == Presence.NEVER) {
            message = "a " + where.subject() + " must not have " + item + in.replace(" in one ", " in ");
            status = UNSUPPORTED;
        } else {
            message = "a " + where.subject() + " may have only one " + item + in + "; this one has " + count;
            status = UNSUPPORTED;
        }
        return finding(message + " (" + where.cite() + ")", status).about(item, null);
    }

    /** What the message is, for explanations: "REPLY VEVENT", and the RFC section of its table. */
    private record Where(String subject, String kind, String cite) {
    }

    private Map<String, List<Row>> byComponent(List<Row> table, List<Row> shared) {
        Map<String, List<Row>> map = new LinkedHashMap<>();
        for (Row r : shared) {
            map.computeIfAbsent(r.component(), k -> new ArrayList<>()).add(tolerant(r));
        }
        for (Row r : table) {
            map.computeIfAbsent(r.component(), k -> new ArrayList<>()).add(tolerant(r));
        }
        Map<String, List<Row>> frozen = new LinkedHashMap<>();
        map.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        return java.util.Collections.unmodifiableMap(frozen);
    }

    /** The row as enforced: tolerance is applied once here rather than looked up for every message. */
    private Row tolerant(Row r) {
        if (r.isComponent()) {
            return tolerated.contains(r.component()) ? new Row(r.component(), r.item(), Presence.ANY) : r;
        }
        return tolerated.contains(r.component() + "." + r.item())
                ? new Row(r.component(), r.item(), r.presence().optional()) : r;
    }

    private static List<Component> topLevel(Calendar calendar) {
        return calendar.getComponents().stream().map(c -> (Component) c).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<Component> children(Component c) {
        if (c instanceof ComponentContainer<?> container) {
            return (List<Component>) (List<?>) container.getComponentList().getAll();
        }
        return List.of();
    }

    private static List<Finding> dedupe(List<Finding> findings) {
        return new ArrayList<>(new LinkedHashSet<>(findings));
    }

    private static Finding finding(String message, RequestStatus status) {
        return Finding.of(FindingCode.MALFORMED, Severity.HIGH, message).withRequestStatus(status);
    }

    private static String quote(String value) {
        String v = value == null ? "" : value;
        return "\"" + (v.length() <= 60 ? v : v.substring(0, 57) + "...") + "\"";
    }
}
