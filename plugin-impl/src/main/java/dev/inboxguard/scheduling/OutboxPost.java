package dev.inboxguard.scheduling;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.calendar.FreeBusy;
import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.server.Account;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.storage.CalendarStore;
import dev.inboxguard.storage.StoredCalendar;
import dev.inboxguard.storage.StoredObject;
import dev.inboxguard.storage.TimeSpan;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Parameter;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.component.CalendarComponent;

/**
 * A POST to a user's scheduling outbox (RFC 6638 §5): a free-busy query (VFREEBUSY), answered from the local
 * attendees' calendars, or an explicit iTIP message, sent to the recipients it names through
 * {@link SchedulingOutbox} like an implicit one.
 */
public final class OutboxPost {
    private static final Set<String> ORGANIZER_METHODS = Set.of("REQUEST", "ADD", "CANCEL", "DECLINECOUNTER",
            "PUBLISH");
    private static final Set<String> ATTENDEE_METHODS = Set.of("REPLY", "COUNTER", "REFRESH");
    private static final int MAX_FREEBUSY_ATTENDEES = 100;
    private static final Duration MAX_FREEBUSY_RANGE = Duration.ofDays(366);
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    private static final String SCHEDULE_CALENDAR_TRANSP = "{urn:ietf:params:xml:ns:caldav}schedule-calendar-transp";

    private final CalendarReader reader;
    private final SchedulingOutbox outbox;
    private final CalendarStore calendars;
    private final Accounts accounts;
    private final java.time.Clock clock;
    /** {@code caldav.directory: users}; when hidden, other users' free-busy is not shown, nor that they exist. */
    private final boolean directoryVisible;

    OutboxPost(CalendarReader reader, SchedulingOutbox outbox, CalendarStore calendars, Accounts accounts,
               java.time.Clock clock, boolean directoryVisible) {
        this.reader = reader;
        this.outbox = outbox;
        this.calendars = calendars;
        this.accounts = accounts;
        this.clock = clock;
        this.directoryVisible = directoryVisible;
    }

    /** The answer to a POST. */
    public sealed interface Answer permits Refusal, Responses {
    }

    /**
     * The POST breaks a CalDAV precondition (answered 403 with it).
     *
     * @param precondition the CALDAV: precondition element
     * @param reason       plain words
     */
    public record Refusal(String precondition, String reason) implements Answer {
    }

    /** @param responses one per recipient, for a schedule-response body */
    public record Responses(List<Response> responses) implements Answer {
    }

    /**
     * @param recipient     the recipient's address
     * @param requestStatus the REQUEST-STATUS
     * @param calendarData  the VFREEBUSY reply, for a free-busy query
     */
    public record Response(String recipient, String requestStatus, Optional<String> calendarData) {
    }

    /**
     * @param account the user whose outbox it is
     * @param body    the iCalendar body
     * @return the answer
     */
    public Answer post(Account account, byte[] body) {
        Optional<ScheduledObject> read = ScheduledObject.read(reader, body);
        if (read.isEmpty() || read.get().method().isEmpty()) {
            return new Refusal("valid-calendar-data", "the body must be an iCalendar object with a METHOD, within "
                    + "the server's limits");
        }
        ScheduledObject message = read.get();
        String method = message.method().get();
        Optional<CalendarComponent> freebusy = message.calendar().<CalendarComponent>getComponents().stream()
                .filter(c -> c.getName().equals(Component.VFREEBUSY)).findFirst();
        if (freebusy.isPresent()) {
            return method.equals("REQUEST") ? freeBusy(account, freebusy.get())
                    : new Refusal("valid-scheduling-message", "a free-busy query is METHOD:REQUEST");
        }
        if (message.uid().isEmpty() || message.components().isEmpty()) {
            return new Refusal("valid-scheduling-message", "an iTIP message needs a VEVENT, VTODO or VJOURNAL with "
                    + "a UID");
        }
        CalendarUserAddress author;
        List<CalendarUserAddress> to = new ArrayList<>();
        if (ORGANIZER_METHODS.contains(method)) {
            Optional<CalendarUserAddress> organizer = message.organizer();
            if (organizer.isEmpty()) {
                return new Refusal("valid-scheduling-message", method + " needs an ORGANIZER");
            }
            author = organizer.get();
            for (CalendarComponent c : message.components()) {
                for (Property p : c.<Property>getProperties(Property.ATTENDEE)) {
                    CalendarUserAddress.parse(p.getValue()).filter(a -> !to.contains(a)).ifPresent(to::add);
                }
            }
        } else if (ATTENDEE_METHODS.contains(method)) {
            Optional<CalendarUserAddress> attendee = message.components().stream()
                    .flatMap(c -> c.<Property>getProperties(Property.ATTENDEE).stream())
                    .map(p -> CalendarUserAddress.parse(p.getValue())).flatMap(Optional::stream).findFirst();
            if (attendee.isEmpty() || message.organizer().isEmpty()) {
                return new Refusal("valid-scheduling-message", method + " needs an ORGANIZER and an ATTENDEE");
            }
            author = attendee.get();
            to.add(message.organizer().get());
        } else {
            return new Refusal("valid-scheduling-message", "METHOD:" + abbreviate(method) + " is not an iTIP method");
        }
        to.remove(author);
        if (to.isEmpty()) {
            return new Refusal("valid-scheduling-message", "the message names no recipient");
        }
        Map<CalendarUserAddress, SchedulingOutbox.Sent> sent = outbox.send(account, author, body, method,
                message.uid().get(), to);
        List<Response> out = new ArrayList<>();
        sent.forEach((who, s) -> out.add(new Response(who.uri(), s.requestStatus(), Optional.empty())));
        return new Responses(out);
    }

    private Answer freeBusy(Account account, CalendarComponent query) {
        Optional<CalendarUserAddress> organizer = query.<Property>getProperty(Property.ORGANIZER)
                .flatMap(p -> CalendarUserAddress.parse(p.getValue()));
        if (organizer.isEmpty() || !account.addresses().contains(organizer.get())) {
            return new Refusal("organizer-allowed", "the ORGANIZER of a free-busy query must be you");
        }
        Optional<Instant> from = utc(query, Property.DTSTART);
        Optional<Instant> to = utc(query, Property.DTEND);
        if (from.isEmpty() || to.isEmpty() || !to.get().isAfter(from.get())) {
            return new Refusal("valid-scheduling-message", "a free-busy query needs DTSTART before DTEND, in UTC");
        }
        Instant end = to.get().isAfter(from.get().plus(MAX_FREEBUSY_RANGE)) ? from.get().plus(MAX_FREEBUSY_RANGE)
                : to.get();
        List<Response> out = new ArrayList<>();
        List<Property> attendees = query.getProperties(Property.ATTENDEE);
        // each address answered once, and each user's calendars read once however many of their addresses are
        // named: a query naming one user a hundred times must not read their year a hundred times
        Set<String> answered = new java.util.HashSet<>();
        Map<String, FreeBusy> busyOf = new java.util.HashMap<>();
        for (Property p : attendees.subList(0, Math.min(attendees.size(), MAX_FREEBUSY_ATTENDEES))) {
            Optional<CalendarUserAddress> who = CalendarUserAddress.parse(p.getValue());
            String address = who.map(CalendarUserAddress::uri).orElse(p.getValue());
            if (!answered.add(address.toLowerCase(Locale.ROOT))) {
                continue;
            }
            // with the directory hidden, another user is answered as an unknown address: their busy time, and that
            // they are a user here, are theirs
            Optional<Account> local = who.flatMap(accounts::byAddress)
                    .filter(a -> directoryVisible || a.name().equals(account.name()));
            if (local.isEmpty()) {
                out.add(new Response(address, "3.7;Invalid calendar user", Optional.empty()));
                continue;
            }
            FreeBusy busy = busyOf.computeIfAbsent(local.get().name(), n -> busy(local.get(), from.get(), end));
            out.add(new Response(who.get().uri(), "2.0;Success", Optional.of(reply(query, organizer.get(), who.get(),
                    from.get(), end, busy))));
        }
        return new Responses(out);
    }

    /** The owner's busy time from every calendar: events and stored VFREEBUSY objects. */
    private FreeBusy busy(Account owner, Instant from, Instant to) {
        FreeBusy busy = new FreeBusy(from, to);
        for (StoredCalendar cal : calendars.calendars(owner.name())) {
            // RFC 6638 §9.1: a calendar its owner marked transparent does not count towards free-busy
            String transp = calendars.properties(owner.name(), cal.name()).getOrDefault(SCHEDULE_CALENDAR_TRANSP, "");
            if (transp.contains("transparent")) {
                continue;
            }
            for (String kind : List.of(Component.VEVENT, Component.VFREEBUSY)) {
                if (!cal.components().contains(kind)) {
                    continue;
                }
                // the stored span only narrows the search (TimeSpan.SLACK); FreeBusy keeps what really overlaps
                for (StoredObject o : calendars.objectsIn(owner.name(), cal.name(), kind,
                        from.minus(TimeSpan.SLACK).toEpochMilli(), to.plus(TimeSpan.SLACK).toEpochMilli())) {
                    if (reader.read(o.data()) instanceof CalendarRead.Parsed parsed) {
                        busy.add(parsed.calendar());
                    }
                }
            }
        }
        return busy;
    }

    private String reply(CalendarComponent query, CalendarUserAddress organizer, CalendarUserAddress attendee,
                         Instant from, Instant to, FreeBusy busy) {
        StringBuilder b = new StringBuilder();
        b.append("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//InboxGuard//Free-busy//EN\r\nMETHOD:REPLY\r\n");
        b.append("BEGIN:VFREEBUSY\r\n");
        query.<Property>getProperty(Property.UID).ifPresent(u -> b.append(u));
        b.append("DTSTAMP:").append(UTC.format(clock.instant().truncatedTo(ChronoUnit.SECONDS))).append("\r\n");
        b.append("DTSTART:").append(UTC.format(from)).append("\r\nDTEND:").append(UTC.format(to)).append("\r\n");
        b.append("ORGANIZER:").append(organizer.uri()).append("\r\nATTENDEE:").append(attendee.uri()).append("\r\n");
        b.append(busy.lines());
        b.append("END:VFREEBUSY\r\nEND:VCALENDAR\r\n");
        return b.toString();
    }

    private static Optional<Instant> utc(CalendarComponent c, String name) {
        return c.<Property>getProperty(name).flatMap(p -> {
            try {
                return Optional.of(Instant.from(UTC.parse(p.getValue())));
            } catch (RuntimeException e) {
                return Optional.empty();
            }
        });
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
