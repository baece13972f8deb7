package dev.inboxguard.scheduling;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.server.Account;
import dev.inboxguard.storage.CalendarStore;
import dev.inboxguard.storage.SchedulingStore;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import net.fortuna.ical4j.model.Calendar;

/** A local user as the checks see them: their addresses, their stored copies, and whom they schedule with. */
final class LocalRecipient implements RecipientContext {
    private final Account account;
    private final CalendarUserAddress addressedTo;
    private final CalendarStore calendars;
    private final SchedulingStore scheduling;
    private final CalendarReader reader;
    private final Clock clock;
    private final Optional<Account> localOrganizer;

    /**
     * @param localOrganizer the sender, when it is a local user who signed in to send (CalDAV): their own copy of
     *                       an event they organize is the server's truth about it
     */
    LocalRecipient(Account account, CalendarUserAddress addressedTo, CalendarStore calendars,
                   SchedulingStore scheduling, CalendarReader reader, Clock clock, Optional<Account> localOrganizer) {
        this.localOrganizer = localOrganizer;
        this.account = account;
        this.addressedTo = addressedTo;
        this.calendars = calendars;
        this.scheduling = scheduling;
        this.reader = reader;
        this.clock = clock;
    }

    @Override
    public CalendarUserAddress address() {
        return addressedTo;
    }

    @Override
    public Set<CalendarUserAddress> addresses() {
        return Set.copyOf(account.addresses());
    }

    /**
     * The recipient's copy, unless the message comes from the event's local organizer, signed in: then the
     * organizer's own copy, which the recipient cannot have changed. An attendee who once wrote a tampered copy
     * (a different ORGANIZER, say) thus never locks out the real organizer's updates.
     */
    @Override
    public Optional<Calendar> storedCopy(String uid) {
        Optional<Calendar> own = calendars.objectByUid(account.name(), uid).flatMap(found -> parse(found.object()
                .data()));
        if (own.isEmpty() || localOrganizer.isEmpty() || localOrganizer.get().name().equals(account.name())) {
            return own;
        }
        Set<CalendarUserAddress> theirs = Set.copyOf(localOrganizer.get().addresses());
        Optional<Calendar> organizers = calendars.objectByUid(localOrganizer.get().name(), uid)
                .flatMap(found -> parse(found.object().data()))
                .filter(c -> c.getComponents().stream().anyMatch(x -> ((net.fortuna.ical4j.model.Component) x)
                        .<net.fortuna.ical4j.model.Property>getProperty("ORGANIZER")
                        .flatMap(o -> CalendarUserAddress.parse(o.getValue())).filter(theirs::contains)
                        .isPresent()));
        return organizers.isPresent() ? organizers : own;
    }

    private Optional<Calendar> parse(byte[] data) {
        // a fresh parse each time: checks may not change what anyone has stored
        CalendarRead read = reader.read(data);
        return read instanceof CalendarRead.Parsed parsed ? Optional.of(parsed.calendar()) : Optional.empty();
    }

    @Override
    public boolean knowsSender(CalendarUserAddress sender) {
        return scheduling.knows(account.name(), sender.uri());
    }

    @Override
    public Clock clock() {
        return clock;
    }
}
