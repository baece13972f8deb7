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

    LocalRecipient(Account account, CalendarUserAddress addressedTo, CalendarStore calendars,
                   SchedulingStore scheduling, CalendarReader reader, Clock clock) {
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

    @Override
    public Optional<Calendar> storedCopy(String uid) {
        return calendars.objectByUid(account.name(), uid).flatMap(found -> {
            // a fresh parse each time: checks may not change what the recipient has stored
            CalendarRead read = reader.read(found.object().data());
            return read instanceof CalendarRead.Parsed parsed ? Optional.of(parsed.calendar()) : Optional.empty();
        });
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
