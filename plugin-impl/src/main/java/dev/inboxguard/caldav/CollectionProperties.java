package dev.inboxguard.caldav;

import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.ical.KnownZones;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Component;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * The properties a client may set on a calendar, when it makes one (MKCALENDAR, RFC 4791 §5.3.1; extended MKCOL,
 * RFC 5689 §3) and later (PROPPATCH, RFC 4918 §9.2): DAV:displayname, the CalDAV description, time zone (RFC 4791
 * §5.2.2, RFC 7809 §5.2) and component set (at creation only), RFC 6638's schedule-calendar-transp, and dead
 * properties such as Apple's calendar-color and calendar-order, kept as written. Everything is judged before
 * anything is stored: the change is all or nothing. Dead properties are bounded in number and size.
 */
final class CollectionProperties {
    static final int MAX_DEAD = 32;
    static final int MAX_DEAD_BYTES = 16 * 1024;
    private static final int MAX_TIMEZONE_BYTES = 64 * 1024;
    private static final int MAX_TEXT = 4000;
    static final Set<String> COMPONENTS = Set.of("VEVENT", "VTODO", "VJOURNAL", "VFREEBUSY");
    private static final String DAV = "DAV:";
    private static final String CALDAV = "urn:ietf:params:xml:ns:caldav";
    /** What the server computes: a client may read these, never set them. */
    private static final Set<String> PROTECTED = Set.of(
            "{DAV:}getctag", "{DAV:}sync-token", "{DAV:}getetag", "{DAV:}getlastmodified", "{DAV:}creationdate",
            "{DAV:}getcontentlength", "{DAV:}getcontenttype", "{DAV:}supported-report-set", "{DAV:}owner",
            "{DAV:}current-user-privilege-set", "{DAV:}supported-privilege-set", "{DAV:}current-user-principal",
            "{DAV:}acl", "{DAV:}principal-collection-set", "{DAV:}lockdiscovery", "{DAV:}supportedlock",
            "{DAV:}quota-available-bytes", "{DAV:}quota-used-bytes", "{DAV:}resource-id",
            "{http://calendarserver.org/ns/}getctag",
            "{" + CALDAV + "}supported-calendar-data", "{" + CALDAV + "}max-resource-size",
            "{" + CALDAV + "}min-date-time", "{" + CALDAV + "}max-date-time", "{" + CALDAV + "}max-instances",
            "{" + CALDAV + "}max-attendees-per-instance", "{" + CALDAV + "}supported-collation-set",
            "{" + CALDAV + "}calendar-home-set", "{" + CALDAV + "}schedule-default-calendar-URL");

    /** The change that was judged acceptable. */
    record Change(Optional<String> displayName, Optional<Set<String>> components, Map<String, Optional<String>> stored) {
    }

    /**
     * The verdict on a set of changes.
     *
     * @param change       what to store, if everything was acceptable
     * @param statuses     each property's status: 200, 403, 409, 507, or 424 for those refused only because another
     *                     one was
     * @param precondition a failed precondition for a DAV:error body (with its namespace prefix, {@code C:} or
     *                     {@code D:}), if one applies
     * @param reason       why, for the response description
     */
    record Verdict(Optional<Change> change, Map<Multistatus.Name, Integer> statuses, Optional<String> precondition,
                   String reason) {
        boolean ok() {
            return change.isPresent();
        }
    }

    private final CalendarReader reader;

    CollectionProperties(CalendarReader reader) {
        this.reader = reader;
    }

    /**
     * @param set      the property elements to set, in order
     * @param remove   the property names to remove
     * @param creating true at MKCALENDAR or MKCOL: the component set and resource type may be given
     * @param mkcol    true for extended MKCOL, whose resource type must name a calendar
     * @param existing the calendar's stored properties now (empty when creating)
     * @return the verdict
     */
    Verdict judge(List<Element> set, List<Multistatus.Name> remove, boolean creating, boolean mkcol,
                  Map<String, String> existing) {
        List<Instruction> in = new java.util.ArrayList<>();
        set.forEach(e -> in.add(new Instruction(Multistatus.Name.of(e), e)));
        remove.forEach(n -> in.add(new Instruction(n, null)));
        return judge(in, creating, mkcol, existing);
    }

    /**
     * One instruction of a PROPPATCH, in document order (RFC 4918 §9.2).
     *
     * @param name the property
     * @param set  its new element, or null to remove it
     */
    record Instruction(Multistatus.Name name, Element set) {
    }

    /**
     * @param instructions the sets and removes, in the order the client wrote them
     * @param creating     true at MKCALENDAR or MKCOL
     * @param mkcol        true for extended MKCOL
     * @param existing     the calendar's stored properties now
     * @return the verdict; for a property named twice, the last instruction stands
     */
    Verdict judge(List<Instruction> instructions, boolean creating, boolean mkcol, Map<String, String> existing) {
        Map<Multistatus.Name, Integer> statuses = new LinkedHashMap<>();
        Map<String, Optional<String>> stored = new LinkedHashMap<>();
        Optional<String> displayName = Optional.empty();
        Optional<Set<String>> components = Optional.empty();
        String precondition = null;
        String reason = "";
        boolean calendarType = !mkcol;
        for (Instruction instruction : instructions) {
            Multistatus.Name name = instruction.name();
            String clark = "{" + name.namespace() + "}" + name.local();
            int status = 200;
            Element e = instruction.set();
            if (name.namespace().length() > 255 || name.local().length() > 255) {
                // the names are keys in the store, 255 characters wide
                statuses.put(name, 403);
                reason = "a property's namespace and name have at most 255 characters each";
                continue;
            }
            if (e != null && !clark.equals("{" + CALDAV + "}calendar-timezone")
                    && xml(e).getBytes(StandardCharsets.UTF_8).length > MAX_DEAD_BYTES) {
                statuses.put(name, 507);
                reason = "a property has at most " + MAX_DEAD_BYTES + " bytes";
                continue;
            }
            if (e == null) {
                if (clark.equals("{DAV:}displayname")) {
                    displayName = Optional.of("");
                } else if (PROTECTED.contains(clark) || clark.equals("{DAV:}resourcetype")
                        || clark.equals("{" + CALDAV + "}supported-calendar-component-set")) {
                    status = 403;
                    precondition = precondition == null ? "D:cannot-modify-protected-property" : precondition;
                    reason = clark + " is computed by the server";
                } else {
                    stored.put(clark, Optional.empty()); // removing what is not there succeeds (RFC 4918 §14.23)
                }
                statuses.put(name, status);
                continue;
            }
            switch (clark) {
                case "{DAV:}displayname" -> {
                    String text = e.getTextContent().strip();
                    if (text.length() > 1000) {
                        status = 403;
                        reason = "a display name has at most 1000 characters";
                    } else {
                        displayName = Optional.of(text);
                    }
                }
                case "{DAV:}resourcetype" -> {
                    if (!creating) {
                        status = 403;
                        precondition = "D:cannot-modify-protected-property";
                        reason = "a collection's resource type is fixed";
                    } else {
                        calendarType = has(e, CALDAV, "calendar");
                        if (!calendarType || !has(e, DAV, "collection")) {
                            status = 403;
                            precondition = "D:valid-resourcetype";
                            reason = "collections here are calendars: the resource type is DAV:collection and "
                                    + "CALDAV:calendar";
                        }
                    }
                }
                case "{" + CALDAV + "}supported-calendar-component-set" -> {
                    if (!creating) {
                        status = 403;
                        precondition = "D:cannot-modify-protected-property";
                        reason = "a calendar's component set is chosen when it is made";
                    } else {
                        Set<String> wanted = new LinkedHashSet<>();
                        for (Node n = e.getFirstChild(); n != null && wanted.size() <= 8; n = n.getNextSibling()) {
                            if (n instanceof Element comp && "comp".equals(comp.getLocalName())) {
                                wanted.add(comp.getAttribute("name").strip().toUpperCase(Locale.ROOT));
                            }
                        }
                        if (wanted.isEmpty() || !COMPONENTS.containsAll(wanted)) {
                            status = 403;
                            precondition = "C:supported-calendar-component";
                            reason = "calendars hold VEVENT, VTODO, VJOURNAL and VFREEBUSY";
                        } else {
                            components = Optional.of(wanted);
                        }
                    }
                }
                case "{" + CALDAV + "}calendar-description" -> {
                    if (e.getTextContent().length() > MAX_TEXT) {
                        status = 403;
                        reason = "a description has at most " + MAX_TEXT + " characters";
                    } else {
                        stored.put(clark, Optional.of(xml(e)));
                    }
                }
                case "{" + CALDAV + "}calendar-timezone" -> {
                    String text = e.getTextContent();
                    if (xml(e).length() > MAX_TIMEZONE_BYTES + 1024 || !oneTimeZone(text)) {
                        status = 403;
                        precondition = "C:valid-calendar-data";
                        reason = "calendar-timezone is an iCalendar object with exactly one VTIMEZONE";
                    } else {
                        stored.put(clark, Optional.of(xml(e)));
                    }
                }
                case "{" + CALDAV + "}calendar-timezone-id" -> {
                    String id = e.getTextContent().strip();
                    if (id.length() > 100 || !KnownZones.isKnown(id)) {
                        status = 403;
                        precondition = "C:valid-timezone";
                        reason = "calendar-timezone-id names a time zone this server knows (IANA names)";
                    } else {
                        stored.put(clark, Optional.of(xml(e)));
                    }
                }
                case "{" + CALDAV + "}schedule-calendar-transp" -> {
                    if (!has(e, CALDAV, "opaque") && !has(e, CALDAV, "transparent")) {
                        status = 409;
                        reason = "schedule-calendar-transp holds opaque or transparent";
                    } else {
                        stored.put(clark, Optional.of(xml(e)));
                    }
                }
                default -> {
                    if (PROTECTED.contains(clark) || name.namespace().equals(CALDAV)) {
                        status = 403;
                        precondition = precondition == null ? "D:cannot-modify-protected-property" : precondition;
                        reason = clark + " is computed by the server";
                    } else {
                        String xml = xml(e);
                        if (xml.getBytes(StandardCharsets.UTF_8).length > MAX_DEAD_BYTES) {
                            status = 507;
                            reason = "a property has at most " + MAX_DEAD_BYTES + " bytes";
                        } else {
                            stored.put(clark, Optional.of(xml));
                        }
                    }
                }
            }
            statuses.put(name, status);
        }
        if (mkcol && creating && !calendarType && precondition == null) {
            precondition = "D:valid-resourcetype";
            reason = "extended MKCOL here makes calendars: set DAV:resourcetype to DAV:collection and CALDAV:calendar";
        }
        Map<String, String> after = new LinkedHashMap<>(existing);
        stored.forEach((k, v) -> {
            if (v.isPresent()) {
                after.put(k, v.get());
            } else {
                after.remove(k);
            }
        });
        long dead = after.keySet().stream().filter(k -> !k.startsWith("{" + CALDAV + "}")).count();
        if (dead > MAX_DEAD && statuses.values().stream().allMatch(s -> s == 200)) {
            reason = "a calendar keeps at most " + MAX_DEAD + " properties of its own";
            for (Map.Entry<Multistatus.Name, Integer> s : statuses.entrySet()) {
                s.setValue(507);
            }
        }
        boolean ok = statuses.values().stream().allMatch(s -> s == 200) && precondition == null;
        if (!ok) {
            statuses.replaceAll((n, s) -> s == 200 ? 424 : s);
            return new Verdict(Optional.empty(), statuses, Optional.ofNullable(precondition), reason);
        }
        return new Verdict(Optional.of(new Change(displayName, components, stored)), statuses, Optional.empty(), "");
    }

    private boolean oneTimeZone(String text) {
        if (!(reader.read(text.getBytes(StandardCharsets.UTF_8)) instanceof CalendarRead.Parsed parsed)) {
            return false;
        }
        Calendar calendar = parsed.calendar();
        return calendar.getComponents().size() == 1
                && calendar.getComponents().get(0).getName().equals(Component.VTIMEZONE);
    }

    private static boolean has(Element e, String namespace, String local) {
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element child && namespace.equals(child.getNamespaceURI())
                    && local.equals(child.getLocalName())) {
                return true;
            }
        }
        return false;
    }

    /** @return the element as XML text, namespaces declared, without an XML declaration */
    static String xml(Element e) {
        try {
            Transformer t = TransformerFactory.newInstance().newTransformer();
            t.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            t.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            StringWriter out = new StringWriter();
            t.transform(new DOMSource(e), new StreamResult(out));
            return out.toString();
        } catch (TransformerException ex) {
            throw new IllegalStateException("a parsed element could not be written", ex);
        }
    }
}
