package dev.inboxguard.calendar;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Parameter;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.component.CalendarComponent;

/**
 * Busy time over a range, from stored calendar objects (RFC 4791 §7.10, RFC 6638 §5, RFC 5545 §3.6.4): events that
 * block time (not TRANSP:TRANSPARENT, not cancelled), each instance on its own with overrides and cancelled
 * instances honoured, and the FREEBUSY periods of stored VFREEBUSY objects. Tentative events are BUSY-TENTATIVE.
 * Periods of one type are merged; every period is cut to the range.
 */
public final class FreeBusy {
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /** The FBTYPE values (RFC 5545 §3.2.9) that mark time as taken, most binding first. */
    public enum Type {
        BUSY, BUSY_UNAVAILABLE, BUSY_TENTATIVE;

        /** @return the FBTYPE value */
        public String value() {
            return name().replace('_', '-');
        }
    }

    /** A busy period. */
    public record Period(Type type, Instant start, Instant end) {
    }

    private final Instant from;
    private final Instant to;
    private final java.time.ZoneId floating;
    private final Map<Type, List<Instant[]>> periods = new EnumMap<>(Type.class);

    /**
     * @param from the range start
     * @param to   the range end
     */
    public FreeBusy(Instant from, Instant to) {
        this(from, to, ZoneOffset.UTC);
    }

    /**
     * @param from     the range start
     * @param to       the range end
     * @param floating the zone floating and all-day times are read in: the calendar's (RFC 4791 §5.2.2)
     */
    public FreeBusy(Instant from, Instant to, java.time.ZoneId floating) {
        this.from = from;
        this.to = to;
        this.floating = floating;
    }

    /** Adds the busy time of one stored object. */
    public void add(Calendar object) {
        List<CalendarComponent> events = new ArrayList<>();
        for (CalendarComponent c : object.<CalendarComponent>getComponents()) {
            if (c.getName().equals(Component.VEVENT)) {
                events.add(c);
            } else if (c.getName().equals(Component.VFREEBUSY)) {
                freeBusyComponent(c);
            }
        }
        if (events.isEmpty()) {
            return;
        }
        Optional<List<ComponentInstances.Instance>> instances = ComponentInstances.between(events, from, to, floating);
        if (instances.isEmpty()) {
            // a series too costly to expand within the bounds is left out: a hostile object must not cost more
            return;
        }
        for (ComponentInstances.Instance i : instances.get()) {
            Optional<Type> type = blocks(i.component());
            if (type.isPresent() && i.start().isPresent()) {
                // an instant blocks nothing
                add(type.get(), i.start().get(), i.end());
            }
        }
    }

    private void freeBusyComponent(CalendarComponent c) {
        for (Property p : c.<Property>getProperties(Property.FREEBUSY)) {
            String fbtype = p.<Parameter>getParameter(Parameter.FBTYPE).map(Parameter::getValue).orElse("BUSY")
                    .toUpperCase(Locale.ROOT);
            Type type = switch (fbtype) {
                case "FREE" -> null;
                case "BUSY-TENTATIVE" -> Type.BUSY_TENTATIVE;
                case "BUSY-UNAVAILABLE" -> Type.BUSY_UNAVAILABLE;
                default -> Type.BUSY; // RFC 5545: unknown types are BUSY
            };
            if (type == null) {
                continue;
            }
            for (String period : p.getValue().split(",", 1000)) {
                parsePeriod(period.strip()).ifPresent(ps -> add(type, ps[0], ps[1]));
            }
        }
    }

    /** @return a FREEBUSY period: start and end, or start and a duration */
    public static Optional<Instant[]> parsePeriod(String period) {
        int slash = period.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        try {
            Instant start = Instant.from(UTC.parse(period.substring(0, slash)));
            String rest = period.substring(slash + 1);
            Instant end = rest.startsWith("P") || rest.startsWith("+P")
                    ? start.plus(java.time.Duration.parse(rest.startsWith("+") ? rest.substring(1) : rest))
                    : Instant.from(UTC.parse(rest));
            return end.isAfter(start) ? Optional.of(new Instant[] {start, end}) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** @return how an event blocks time, or empty if it does not */
    static Optional<Type> blocks(CalendarComponent event) {
        String transp = event.<Property>getProperty(Property.TRANSP).map(Property::getValue).orElse("OPAQUE");
        String status = event.<Property>getProperty(Property.STATUS).map(Property::getValue).orElse("CONFIRMED");
        if (transp.equalsIgnoreCase("TRANSPARENT") || status.equalsIgnoreCase("CANCELLED")) {
            return Optional.empty();
        }
        return Optional.of(status.equalsIgnoreCase("TENTATIVE") ? Type.BUSY_TENTATIVE : Type.BUSY);
    }

    private void add(Type type, Instant start, Instant end) {
        Instant s = start.isBefore(from) ? from : start;
        Instant e = end.isAfter(to) ? to : end;
        if (e.isAfter(s)) {
            periods.computeIfAbsent(type, t -> new ArrayList<>()).add(new Instant[] {s, e});
        }
    }

    /** @return the busy periods, merged per type, by type and then start */
    public List<Period> periods() {
        List<Period> out = new ArrayList<>();
        for (Map.Entry<Type, List<Instant[]>> e : periods.entrySet()) {
            List<Instant[]> list = new ArrayList<>(e.getValue());
            list.sort(Comparator.comparing(p -> p[0]));
            Instant[] open = null;
            for (Instant[] p : list) {
                if (open != null && !p[0].isAfter(open[1])) {
                    if (p[1].isAfter(open[1])) {
                        open[1] = p[1];
                    }
                } else {
                    if (open != null) {
                        out.add(new Period(e.getKey(), open[0], open[1]));
                    }
                    open = new Instant[] {p[0], p[1]};
                }
            }
            if (open != null) {
                out.add(new Period(e.getKey(), open[0], open[1]));
            }
        }
        return out;
    }

    /** @return the FREEBUSY lines for the periods (RFC 5545 §3.8.2.6), each ending in CRLF */
    public String lines() {
        StringBuilder b = new StringBuilder();
        for (Period p : periods()) {
            // FBTYPE is written even for BUSY, its default: some clients read only what is spelled out
            b.append("FREEBUSY;FBTYPE=").append(p.type().value()).append(':').append(UTC.format(p.start())).append('/').append(UTC.format(p.end())).append("\r\n");
        }
        return b.toString();
    }

    /** @return a UTC DATE-TIME in iCalendar's form */
    public static String utc(Instant at) {
        return UTC.format(at);
    }
}
