package dev.inboxguard.calendar;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Parameter;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.property.DateProperty;

/**
 * An iTIP message as a person reads it: the title, when in the reader's time zone, the recurrence in words, where,
 * who organizes it and who else is invited. Everything here is the sender's text, shown as text.
 *
 * @param title      the SUMMARY, or a description of what the message is when it has none (a REPLY)
 * @param when       start and end in words, in the reader's zone, or empty
 * @param recurrence the RRULE in words, or empty
 * @param where      the LOCATION, or empty
 * @param organizer  the organizer's name and address, or empty
 * @param guests     the attendees, each as name and address with their answer
 * @param url        the URL property, or empty
 */
public record EventDescription(String title, String when, String recurrence, String where, String organizer,
                        List<String> guests, String url) {
    /** Shown guests: a list longer than this ends with "and N more". */
    public static final int MAX_GUESTS = 25;
    private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("EEEE d MMMM uuuu", Locale.ENGLISH);
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm", Locale.ENGLISH);
    private static final Map<String, String> DAYS = Map.of("MO", "Monday", "TU", "Tuesday", "WE", "Wednesday",
            "TH", "Thursday", "FR", "Friday", "SA", "Saturday", "SU", "Sunday");

    /** What the page shows for a message it cannot read. */
    public static EventDescription unreadable(String fallbackTitle) {
        return new EventDescription(fallbackTitle, "", "", "", "", List.of(), "");
    }

    /**
     * @param reader the bounded reader
     * @param data   the message as stored (already screened and sanitised)
     * @param method its METHOD, for a title when it has no SUMMARY
     * @param zone   the reader's time zone
     */
    public static EventDescription of(CalendarReader reader, byte[] data, String method, ZoneId zone) {
        return of(reader, data, method, Optional.of(zone));
    }

    /**
     * The event in the zone its start is written in (the organizer's, as their calendar wrote it), else in UTC.
     *
     * @param reader the bounded reader
     * @param data   the message
     * @param method its METHOD
     */
    public static EventDescription inItsOwnZone(CalendarReader reader, byte[] data, String method) {
        return of(reader, data, method, Optional.empty());
    }

    /** One hostile item must not take a page or a mail down: what cannot be described is shown as unreadable. */
    private static EventDescription of(CalendarReader reader, byte[] data, String method, Optional<ZoneId> chosen) {
        try {
            return read(reader, data, method, chosen);
        } catch (RuntimeException e) {
            return unreadable("(this message cannot be shown)");
        }
    }

    private static EventDescription read(CalendarReader reader, byte[] data, String method, Optional<ZoneId> chosen) {
        CalendarRead read = reader.read(data);
        if (!(read instanceof CalendarRead.Parsed parsed)) {
            return unreadable(untitled(method));
        }
        Component main = null;
        for (Component c : parsed.calendar().getComponents()) {
            if (c.getName().equals(Component.VEVENT) || c.getName().equals(Component.VTODO)
                    || c.getName().equals(Component.VJOURNAL)) {
                // the master (no RECURRENCE-ID) describes the series; an override alone describes itself
                if (main == null || main.getProperty(Property.RECURRENCE_ID).isPresent()
                        && c.getProperty(Property.RECURRENCE_ID).isEmpty()) {
                    main = c;
                }
            }
        }
        if (main == null) {
            return unreadable(untitled(method));
        }
        ZoneId zone = chosen.orElse(ObjectSpan.zone(main));
        String title = text(main, Property.SUMMARY).orElse(untitled(method));
        List<String> guests = new ArrayList<>();
        List<Property> attendees = main.getProperties(Property.ATTENDEE);
        for (Property a : attendees) {
            if (guests.size() == MAX_GUESTS) {
                guests.add("and " + (attendees.size() - MAX_GUESTS) + " more");
                break;
            }
            String answer = a.<Parameter>getParameter(Parameter.PARTSTAT).map(Parameter::getValue)
                    .map(EventDescription::answer).orElse("");
            guests.add(person(a) + (answer.isEmpty() ? "" : " (" + answer + ")"));
        }
        return new EventDescription(title, when(main, zone), text(main, Property.RRULE)
                .map(r -> recurrence(r, zone)).orElse(""), text(main, Property.LOCATION).orElse(""),
                main.<Property>getProperty(Property.ORGANIZER).map(EventDescription::person).orElse(""), guests,
                text(main, Property.URL).orElse(""));
    }

    private static String untitled(String method) {
        return switch (method) {
            case "REPLY" -> "An answer to your invitation";
            case "CANCEL" -> "A cancellation";
            case "COUNTER" -> "A proposal for another time";
            case "REFRESH" -> "A request for the latest version";
            default -> "(no title)";
        };
    }

    private static Optional<String> text(Component c, String name) {
        return c.<Property>getProperty(name).map(Property::getValue).map(EventDescription::visible).map(String::strip)
                .filter(s -> !s.isEmpty()).map(s -> s.length() > 300 ? s.substring(0, 300) + "…" : s);
    }

    /**
     * @return the sender's text with what would only confuse a reader replaced by U+FFFD: control characters, and
     * the bidirectional overrides and isolates that can show "exe.pdf" as "fdp.exe"
     */
    public static String visible(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean hidden = c < 0x20 && c != '\n' && c != '\t' || c == 0x7f || c >= 0x202A && c <= 0x202E
                    || c >= 0x2066 && c <= 0x2069 || c == 0x200E || c == 0x200F;
            b.append(hidden ? '\uFFFD' : c);
        }
        return b.toString();
    }

    /** @return "Name <address>", or the address alone */
    public static String person(Property p) {
        String address = visible(CalendarUserAddress.parse(p.getValue()).map(a -> a.email().orElse(a.uri()))
                .orElse(p.getValue()));
        Optional<String> name = p.<Parameter>getParameter(Parameter.CN).map(Parameter::getValue)
                .map(EventDescription::visible).map(String::strip).filter(s -> !s.isEmpty()
                        && !s.equalsIgnoreCase(address));
        return name.map(n -> n + " <" + address + ">").orElse(address);
    }

    /** @return a PARTSTAT in words, or empty for one without */
    public static String answer(String partstat) {
        return switch (partstat.toUpperCase(Locale.ROOT)) {
            case "ACCEPTED" -> "accepted";
            case "DECLINED" -> "declined";
            case "TENTATIVE" -> "maybe";
            case "DELEGATED" -> "delegated";
            case "NEEDS-ACTION" -> "not answered yet";
            default -> "";
        };
    }

    private static String when(Component c, ZoneId zone) {
        try {
            return whenUnchecked(c, zone);
        } catch (RuntimeException e) {
            return ""; // a date java.time cannot reach (a DURATION of a million years): said nothing rather than wrong
        }
    }

    private static String whenUnchecked(Component c, ZoneId zone) {
        Optional<Property> start = c.getProperty(Property.DTSTART);
        if (start.isEmpty() || !(start.get() instanceof DateProperty<?> dp)) {
            return "";
        }
        Temporal t;
        try {
            t = dp.getDate();
        } catch (RuntimeException e) {
            return "";
        }
        if (t instanceof LocalDate day) {
            Optional<Instant> end = ObjectSpan.instant(c, Property.DTEND, ZoneOffset.UTC);
            long days = end.map(e -> Duration.between(day.atStartOfDay(ZoneOffset.UTC).toInstant(), e).toDays())
                    .orElse(1L);
            return DAY.format(day) + (days > 1 ? " to " + DAY.format(day.plusDays(days - 1)) : "") + ", all day";
        }
        Optional<Instant> from = ObjectSpan.instant(c, Property.DTSTART, zone);
        if (from.isEmpty()) {
            return "";
        }
        ZonedDateTime s = from.get().atZone(zone);
        Optional<ZonedDateTime> e = ObjectSpan.instant(c, Property.DTEND, zone).or(() -> c
                .<Property>getProperty(Property.DURATION).flatMap(d -> duration(d.getValue()))
                .map(d -> from.get().plus(d))).map(i -> i.atZone(zone));
        String out = DAY.format(s) + ", " + TIME.format(s);
        if (e.isPresent() && e.get().isAfter(s)) {
            out += e.get().toLocalDate().equals(s.toLocalDate()) ? "–" + TIME.format(e.get())
                    : " to " + DAY.format(e.get()) + ", " + TIME.format(e.get());
        }
        return out + " (" + zoneName(zone) + ")";
    }

    private static Optional<Duration> duration(String text) {
        try {
            // java.time reads days, hours, minutes and seconds; RFC 5545 also has weeks
            java.util.regex.Matcher weeks = java.util.regex.Pattern.compile("P(\\d{1,4})W").matcher(text);
            return Optional.of(weeks.matches() ? Duration.ofDays(7L * Integer.parseInt(weeks.group(1)))
                    : Duration.parse(text));
        } catch (DateTimeParseException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** @return the zone of this IANA name, else UTC (an empty name, or one this Java does not know) */
    public static ZoneId zoneOrUtc(String id) {
        try {
            return id == null || id.isEmpty() ? ZoneOffset.UTC : ZoneId.of(id);
        } catch (java.time.DateTimeException e) {
            return ZoneOffset.UTC;
        }
    }

    public static String zoneName(ZoneId zone) {
        return zone.equals(ZoneOffset.UTC) ? "UTC" : zone.getId();
    }

    /** @return the RRULE in words: "every week on Tuesday, until 2 March 2027" */
    public static String recurrence(String rule, ZoneId zone) {
        Map<String, String> parts = new java.util.HashMap<>();
        for (String part : rule.split(";", 20)) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                parts.put(part.substring(0, eq).toUpperCase(Locale.ROOT), part.substring(eq + 1));
            }
        }
        String freq = parts.getOrDefault("FREQ", "").toUpperCase(Locale.ROOT);
        int interval = 1;
        try {
            interval = Math.max(1, Integer.parseInt(parts.getOrDefault("INTERVAL", "1")));
        } catch (NumberFormatException e) {
            // an unreadable interval reads as 1
        }
        String unit = switch (freq) {
            case "SECONDLY" -> "second";
            case "MINUTELY" -> "minute";
            case "HOURLY" -> "hour";
            case "DAILY" -> "day";
            case "WEEKLY" -> "week";
            case "MONTHLY" -> "month";
            case "YEARLY" -> "year";
            default -> "";
        };
        if (unit.isEmpty()) {
            return "repeats (" + rule + ")";
        }
        StringBuilder b = new StringBuilder(interval == 1 ? "every " + unit : "every " + interval + " " + unit + "s");
        String byDay = parts.get("BYDAY");
        if (byDay != null) {
            List<String> days = new ArrayList<>();
            for (String d : byDay.split(",", 8)) {
                String code = d.replaceAll("[^A-Za-z]", "").toUpperCase(Locale.ROOT);
                String ordinal = d.replaceAll("[A-Za-z]", "");
                String name = DAYS.getOrDefault(code, d);
                days.add(ordinal.isEmpty() ? name : ordinal(ordinal) + " " + name);
            }
            b.append(" on ").append(String.join(", ", days));
        } else if (parts.containsKey("BYMONTHDAY")) {
            b.append(" on day ").append(parts.get("BYMONTHDAY"));
        }
        if (parts.containsKey("COUNT")) {
            b.append(", ").append(parts.get("COUNT")).append(" times");
        } else if (parts.containsKey("UNTIL")) {
            String until = parts.get("UNTIL");
            try {
                LocalDate last = until.length() >= 16 && until.endsWith("Z")
                        ? Instant.from(DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmssX").parse(until)).atZone(zone)
                                .toLocalDate()
                        : LocalDate.parse(until.substring(0, 8), DateTimeFormatter.BASIC_ISO_DATE);
                b.append(", until ").append(DAY.format(last));
            } catch (DateTimeParseException | IndexOutOfBoundsException e) {
                b.append(", until ").append(until);
            }
        } else {
            b.append(", with no end");
        }
        return b.toString();
    }

    private static String ordinal(String n) {
        return switch (n) {
            case "1", "+1" -> "first";
            case "2", "+2" -> "second";
            case "3", "+3" -> "third";
            case "4", "+4" -> "fourth";
            case "-1" -> "last";
            default -> n + ".";
        };
    }
}
