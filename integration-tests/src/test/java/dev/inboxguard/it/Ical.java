package dev.inboxguard.it;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Just enough iCalendar (RFC 5545) for the RFC tests: writing objects line by line, and reading answers back into
 * components and properties (names upper case, parameters parsed, lines unfolded).
 */
final class Ical {
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT);

    /** Europe/Berlin since 1996: CET, and CEST from the last Sunday of March to the last Sunday of October. */
    static final String BERLIN = String.join("\r\n",
            "BEGIN:VTIMEZONE",
            "TZID:Europe/Berlin",
            "BEGIN:DAYLIGHT",
            "TZOFFSETFROM:+0100",
            "TZOFFSETTO:+0200",
            "TZNAME:CEST",
            "DTSTART:19700329T020000",
            "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
            "END:DAYLIGHT",
            "BEGIN:STANDARD",
            "TZOFFSETFROM:+0200",
            "TZOFFSETTO:+0100",
            "TZNAME:CET",
            "DTSTART:19701025T030000",
            "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
            "END:STANDARD",
            "END:VTIMEZONE");

    private Ical() {
    }

    /** @return a VCALENDAR around the given lines (components), CRLF line ends */
    static String wrap(String... lines) {
        return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//InboxGuard RFC tests//EN\r\n"
                + String.join("\r\n", lines) + "\r\nEND:VCALENDAR\r\n";
    }

    /** @return a one-event calendar object: UID, DTSTAMP, DTSTART, DTEND, SUMMARY and the extra lines */
    static String event(String uid, String start, String end, String summary, String... extra) {
        List<String> l = new ArrayList<>(List.of("BEGIN:VEVENT", "UID:" + uid, "DTSTAMP:20261121T080000Z",
                "DTSTART:" + start, "DTEND:" + end, "SUMMARY:" + summary));
        l.addAll(List.of(extra));
        l.add("END:VEVENT");
        return wrap(l.toArray(String[]::new));
    }

    /** @return the text with CRLF made LF and folded lines joined (RFC 5545 §3.1) */
    static String unfold(String text) {
        return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n ", "").replace("\n\t", "");
    }

    static Instant utc(String value) {
        return LocalDateTime.parse(value, UTC).toInstant(ZoneOffset.UTC);
    }

    static String utc(Instant t) {
        return UTC.format(t.atOffset(ZoneOffset.UTC));
    }

    /** @return the period's start and end as UTC text, "START/END", whether it was written with an end or a duration */
    static String period(String value) {
        String[] p = value.split("/");
        Instant start = utc(p[0]);
        Instant end = p[1].startsWith("P") || p[1].startsWith("+P") ? start.plus(duration(p[1])) : utc(p[1]);
        return utc(start) + "/" + utc(end);
    }

    /** @return an RFC 5545 §3.3.6 duration of weeks, days, hours, minutes and seconds */
    static Duration duration(String text) {
        String s = text.startsWith("+") ? text.substring(1) : text;
        boolean negative = s.startsWith("-");
        if (negative) {
            s = s.substring(1);
        }
        Duration d;
        if (s.endsWith("W")) {
            d = Duration.ofDays(7L * Long.parseLong(s.substring(1, s.length() - 1)));
        } else {
            d = Duration.parse(s.contains("T") ? s : s.replace("D", "DT0S"));
        }
        return negative ? d.negated() : d;
    }

    /** @return the first component of the text (the VCALENDAR) */
    static Comp parse(String text) {
        List<Comp> stack = new ArrayList<>();
        Comp root = null;
        for (String line : unfold(text).split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            Prop p = Prop.parse(line);
            if (p.name.equals("BEGIN")) {
                Comp c = new Comp(p.value.toUpperCase(Locale.ROOT));
                if (stack.isEmpty()) {
                    root = c;
                } else {
                    stack.get(stack.size() - 1).comps.add(c);
                }
                stack.add(c);
            } else if (p.name.equals("END")) {
                stack.remove(stack.size() - 1);
            } else if (!stack.isEmpty()) {
                stack.get(stack.size() - 1).props.add(p);
            }
        }
        if (root == null) {
            throw new AssertionError("no component in: " + text);
        }
        return root;
    }

    /** A component with its properties and sub-components. */
    static final class Comp {
        final String name;
        final List<Prop> props = new ArrayList<>();
        final List<Comp> comps = new ArrayList<>();

        Comp(String name) {
            this.name = name;
        }

        /** @return the direct sub-components with this name */
        List<Comp> comps(String n) {
            return comps.stream().filter(c -> c.name.equals(n)).toList();
        }

        /** @return the properties with this name */
        List<Prop> props(String n) {
            return props.stream().filter(p -> p.name.equals(n)).toList();
        }

        /** @return the first property with this name, or null */
        Prop prop(String n) {
            List<Prop> l = props(n);
            return l.isEmpty() ? null : l.get(0);
        }

        /** @return the value of the first property with this name, or null */
        String value(String n) {
            Prop p = prop(n);
            return p == null ? null : p.value;
        }

        /** @return the names of the properties, in order */
        List<String> propNames() {
            return props.stream().map(p -> p.name).toList();
        }

        @Override
        public String toString() {
            StringBuilder b = new StringBuilder("BEGIN:" + name + "\n");
            props.forEach(p -> b.append(p.line).append('\n'));
            comps.forEach(c -> b.append(c));
            return b.append("END:").append(name).append('\n').toString();
        }
    }

    /** One content line. */
    static final class Prop {
        final String name;
        final Map<String, String> params = new LinkedHashMap<>();
        final String value;
        final String line;

        private Prop(String name, String value, String line) {
            this.name = name;
            this.value = value;
            this.line = line;
        }

        static Prop parse(String line) {
            int i = 0;
            boolean quoted = false;
            int colon = -1;
            for (; i < line.length(); i++) {
                char c = line.charAt(i);
                if (c == '"') {
                    quoted = !quoted;
                } else if (c == ':' && !quoted) {
                    colon = i;
                    break;
                }
            }
            if (colon < 0) {
                throw new AssertionError("not a content line: " + line);
            }
            String head = line.substring(0, colon);
            String[] parts = head.split(";(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)");
            Prop p = new Prop(parts[0].toUpperCase(Locale.ROOT), line.substring(colon + 1), line);
            for (int k = 1; k < parts.length; k++) {
                int eq = parts[k].indexOf('=');
                p.params.put(parts[k].substring(0, eq).toUpperCase(Locale.ROOT), parts[k].substring(eq + 1));
            }
            return p;
        }

        @Override
        public String toString() {
            return line;
        }
    }
}
