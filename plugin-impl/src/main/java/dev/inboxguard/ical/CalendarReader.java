package dev.inboxguard.ical;

import static dev.inboxguard.ical.InputFindings.describe;
import static dev.inboxguard.ical.InputFindings.malformed;
import static dev.inboxguard.ical.InputFindings.tooLarge;

import dev.inboxguard.api.Finding;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import net.fortuna.ical4j.data.CalendarParserFactory;
import net.fortuna.ical4j.data.ParserException;
import net.fortuna.ical4j.data.UnfoldingReader;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.ComponentContainer;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.component.CalendarComponent;

/**
 * Reads untrusted iCalendar bytes in two passes: a streaming scan that enforces every size limit and the
 * BEGIN/END structure without building anything, then ical4j, only for input that passed.
 *
 * <p>ical4j registers no VTIMEZONE from the message ({@link ZoneSafeContentHandler}). With a registry, the builder
 * turns every VTIMEZONE into zone rules by expanding its observance rules from 1970 with no bound, and one 1 KB
 * VTIMEZONE exhausts the heap (shared/HAZARDS.md). Here nothing from a message is registered anywhere, TZIDs
 * resolve only to zones known by name, with the JDK's rules ({@link KnownZones}), and the message's own VTIMEZONEs
 * stay plain components that the guard judges with its own bounded code. Thread-safe: nothing is shared between
 * reads.
 */
public final class CalendarReader {
    private static final int HEAD_CHARS = 160;
    /** The longest UID accepted, in UTF-8 bytes. */
    public static final int MAX_UID_BYTES = 1024;

    private final Limits limits;

    /** @param limits the limits to enforce */
    public CalendarReader(Limits limits) {
        this.limits = limits;
    }

    /**
     * @param bytes the iCalendar object (UTF-8, RFC 5545 §3.1.4)
     * @return the parsed object, or the findings that stopped reading
     */
    public CalendarRead read(byte[] bytes) {
        String[] text = new String[1];
        Finding problem = withinLimits(bytes, text);
        if (problem != null) {
            return refused(problem);
        }
        return parse(bytes, tolerated(text[0]));
    }

    /**
     * Checks text the server composed itself from an object it read (a calendar copy with an answer merged in, an
     * organizer's copy with statuses) against every limit a reading applies: size, control characters, line length,
     * the counts of components, properties and attendees, the UID's length. An object that grew past them could
     * not be read again. It does not build the object, which the caller has already.
     *
     * @param bytes the text
     * @return why a reading would refuse it, or empty if it is within the limits
     */
    public Optional<Finding> beyondLimits(byte[] bytes) {
        return Optional.ofNullable(withinLimits(bytes, new String[1]));
    }

    /** @return the first limit the bytes break, or null, with the text to parse put in {@code text[0]} */
    private Finding withinLimits(byte[] bytes, String[] text) {
        if (bytes.length > limits.maxBytes()) {
            return tooLarge(String.format(Locale.ROOT,
                    "the calendar object is %,d bytes; the limit is %,d", bytes.length, limits.maxBytes()), null);
        }
        // Undecodable bytes become U+FFFD: the guard judges content, it does not insist on pristine encoding.
        String decoded = new String(bytes, StandardCharsets.UTF_8);
        if (decoded.startsWith("\uFEFF")) {
            // a UTF-8 byte order mark, as .NET and Windows tools write one by default: not content
            decoded = decoded.substring(1);
        }
        Finding control = controlCharacter(decoded);
        if (control != null) {
            return control;
        }
        // one line model for the scan and for ical4j: every line end becomes CRLF
        text[0] = crlf(decoded);
        return scan(text[0]);
    }

    private CalendarRead parse(byte[] bytes, String text) {
        try {
            Calendar[] built = new Calendar[1];
            CalendarParserFactory.getInstance().get().parse(new UnfoldingReader(new StringReader(text)),
                    new ZoneSafeContentHandler(c -> built[0] = c));
            Calendar calendar = built[0];
            if (calendar == null) {
                return refused(malformed("no VCALENDAR object found", null));
            }
            Finding unreadable = unreadableValue(calendar);
            if (unreadable != null) {
                return refused(unreadable);
            }
            return new CalendarRead.Parsed(calendar, bytes);
        } catch (ParserException e) {
            return refused(malformed("not valid iCalendar at line " + e.getLineNo() + ": "
                    + describe(e.getCause() != null ? e.getCause() : e), null));
        } catch (IOException | RuntimeException | StackOverflowError e) {
            return refused(malformed("not valid iCalendar: " + describe(e), null));
        }
    }

    // "P1DT": a duration whose time part is announced and then left empty, as some clients write a whole day
    private static final java.util.regex.Pattern DANGLING_T = java.util.regex.Pattern.compile(
            "(?im)^((?:DURATION|TRIGGER)(?:;[^:\r\n]{0,200})?:[+-]?P(?:\\d{1,9}W|\\d{1,9}D)?)T(?=\r\n)");

    /**
     * Harmless slips that real clients make, read as they were meant (each is listed in docs/caldav.md): a DURATION
     * or TRIGGER that ends in a bare {@code T} ({@code P1DT} for {@code P1D}). The bytes themselves are kept as
     * sent; only their reading is lenient, and never about a limit.
     */
    static String tolerated(String text) {
        if (!text.contains("T\r\n")) {
            return text; // no line ends in T: nothing to read leniently
        }
        return DANGLING_T.matcher(text).replaceAll("$1");
    }

    /**
     * ical4j parses some values (dates in EXDATE, RDATE, ...) at build time and renders them again on each
     * {@code getValue()}, which throws for a date it accepted but cannot print (month 41). Every check reads values,
     * so a value that cannot be read is found here, once, as malformed input, instead of surfacing in a check as a
     * fault of the guard.
     */
    private static Finding unreadableValue(Calendar calendar) {
        Finding f = unreadable(calendar.getProperties());
        for (CalendarComponent c : calendar.<CalendarComponent>getComponents()) {
            f = f != null ? f : unreadableValue(c);
        }
        return f;
    }

    private static Finding unreadableValue(Component c) {
        Finding f = unreadable(c.getProperties());
        if (c instanceof ComponentContainer<?> container) {
            for (Object child : container.getComponentList().getAll()) {
                f = f != null ? f : unreadableValue((Component) child);
            }
        }
        return f;
    }

    private static Finding unreadable(List<Property> properties) {
        for (Property p : properties) {
            Finding f = unreadable(p);
            if (f != null) {
                return f;
            }
        }
        return null;
    }

    private static Finding unreadable(Property p) {
        try {
            p.getValue();
            return null;
        } catch (RuntimeException e) {
            return malformed("the value of " + p.getName() + " cannot be read: " + describe(e), p.getName());
        }
    }

    /**
     * RFC 5545 §3.1 allows no control character but HTAB in content. ical4j's tokenizer reads the others as
     * white space, so a line such as {@code \u0001ATTENDEE:...} would be an attendee to ical4j and invisible to the
     * scan; refusing them keeps both readings the same.
     */
    private static Finding controlCharacter(String text) {
        int line = 1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                line++;
            } else if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
                return malformed(String.format(Locale.ROOT, "a control character (U+%04X) on line %d; iCalendar "
                        + "allows none but TAB (RFC 5545 §3.1)", (int) c, line), null);
            }
        }
        return null;
    }

    /** LF and lone CR line ends become CRLF, which ical4j unfolds exactly as the scan does. */
    private static String crlf(String text) {
        if (text.indexOf('\r') < 0 && text.indexOf('\n') < 0) {
            return text;
        }
        StringBuilder sb = new StringBuilder(text.length() + text.length() / 32);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\r') {
                sb.append("\r\n");
                if (i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
            } else if (c == '\n') {
                sb.append("\r\n");
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** One pass over the text: unfolds lines and counts, stopping at the first problem. */
    private Finding scan(String text) {
        Scan scan = new Scan();
        int n = text.length();
        int i = 0;
        while (i < n) {
            int end = i;
            while (end < n && text.charAt(end) != '\n' && text.charAt(end) != '\r') {
                end++;
            }
            boolean continuation = end > i && (text.charAt(i) == ' ' || text.charAt(i) == '\t');
            if (continuation && scan.inLine) {
                scan.append(text, i + 1, end);
            } else {
                Finding f = scan.finishLine();
                if (f != null) {
                    return f;
                }
                if (end > i) {
                    scan.startLine(text, i, end);
                }
            }
            if (scan.lineLength > limits.maxLineLength()) {
                return tooLarge(String.format(Locale.ROOT,
                        "a content line is over %,d characters long after unfolding", limits.maxLineLength()),
                        scan.name());
            }
            // CRLF, LF and lone CR all end a line
            if (end < n && text.charAt(end) == '\r' && end + 1 < n && text.charAt(end + 1) == '\n') {
                end++;
            }
            i = end + 1;
        }
        Finding f = scan.finishLine();
        if (f != null) {
            return f;
        }
        if (!scan.stack.isEmpty()) {
            return malformed("BEGIN:" + scan.stack.peek().name + " is never closed by END:" + scan.stack.peek().name,
                    null);
        }
        if (scan.calendars == 0) {
            return malformed("not iCalendar: there is no BEGIN:VCALENDAR", null);
        }
        return null;
    }

    /** Running state of one scan. */
    private final class Scan {
        final Deque<Open> stack = new ArrayDeque<>();
        final StringBuilder head = new StringBuilder(HEAD_CHARS);
        boolean inLine;
        long lineLength;
        /** Whether the line being read is a UID: not known until its name is complete, which folding can delay. */
        Boolean uidLine;
        long uidBytes;
        int components;
        int properties;
        int calendars;

        void startLine(String text, int from, int to) {
            inLine = true;
            lineLength = 0;
            uidBytes = 0;
            uidLine = null;
            head.setLength(0);
            append(text, from, to);
        }

        void append(String text, int from, int to) {
            lineLength += to - from;
            int room = HEAD_CHARS - head.length();
            if (room > 0) {
                head.append(text, from, Math.min(to, from + room));
            }
            if (uidLine == null && head.length() >= 4) {
                // the head is the unfolded line, so "U" CRLF " ID:" is seen as the UID it is
                uidLine = head.substring(0, 3).equalsIgnoreCase("UID") && (head.charAt(3) == ':'
                        || head.charAt(3) == ';');
            }
            if (uidLine == null || uidLine) {
                for (int k = from; k < to; k++) {
                    char c = text.charAt(k);
                    // a surrogate pair is 4 bytes, 2 for each half
                    uidBytes += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
                }
            }
        }

        String name() {
            int stop = 0;
            while (stop < head.length() && head.charAt(stop) != ':' && head.charAt(stop) != ';') {
                stop++;
            }
            return head.substring(0, stop).strip().toUpperCase(Locale.ROOT);
        }

        String value() {
            int colon = head.indexOf(":");
            return colon < 0 ? "" : head.substring(colon + 1).strip().toUpperCase(Locale.ROOT);
        }

        Finding finishLine() {
            if (!inLine) {
                return null;
            }
            inLine = false;
            String name = name();
            if (name.equals("BEGIN")) {
                String component = value();
                if (stack.isEmpty()) {
                    if (!component.equals("VCALENDAR")) {
                        return malformed("not iCalendar: the first component is " + component + ", not VCALENDAR",
                                "BEGIN");
                    }
                    if (++calendars > 1) {
                        return malformed("more than one VCALENDAR object; an iTIP message is exactly one", "BEGIN");
                    }
                }
                if (++components > limits.maxComponents()) {
                    return tooLarge(String.format(Locale.ROOT, "more than %,d components",
                            limits.maxComponents()), component);
                }
                if (stack.size() + 1 > limits.maxNestingDepth()) {
                    return tooLarge(String.format(Locale.ROOT, "components nested more than %d deep",
                            limits.maxNestingDepth()), component);
                }
                stack.push(new Open(component));
                return null;
            }
            if (name.equals("END")) {
                String component = value();
                if (stack.isEmpty() || !stack.peek().name.equals(component)) {
                    return malformed(stack.isEmpty()
                            ? "END:" + component + " closes nothing"
                            : "END:" + component + " does not close BEGIN:" + stack.peek().name, "END");
                }
                stack.pop();
                return null;
            }
            if (stack.isEmpty()) {
                return malformed(calendars == 0
                        ? "not iCalendar: content before BEGIN:VCALENDAR"
                        : "content after END:VCALENDAR", null);
            }
            if (++properties > limits.maxProperties()) {
                return tooLarge(String.format(Locale.ROOT, "more than %,d properties", limits.maxProperties()),
                        name);
            }
            Open current = stack.peek();
            if (++current.properties > limits.maxPropertiesPerComponent()) {
                return tooLarge(String.format(Locale.ROOT, "more than %,d properties in one %s",
                        limits.maxPropertiesPerComponent(), current.name), name);
            }
            if (name.equals("ATTENDEE") && ++current.attendees > limits.maxAttendees()) {
                return tooLarge(String.format(Locale.ROOT, "more than %,d attendees in one %s",
                        limits.maxAttendees(), current.name), name);
            }
            // a UID is a key in every store; real ones are under 300 bytes, and a database index has a width
            if (Boolean.TRUE.equals(uidLine) && uidBytes - "UID:".length() > MAX_UID_BYTES) {
                return tooLarge(String.format(Locale.ROOT, "a UID longer than %,d bytes", MAX_UID_BYTES), name);
            }
            return null;
        }
    }

    /** A component whose END has not been seen yet. */
    private static final class Open {
        final String name;
        int properties;
        int attendees;

        Open(String name) {
            this.name = name;
        }
    }

    private static CalendarRead refused(Finding finding) {
        return new CalendarRead.Refused(List.of(finding));
    }
}
