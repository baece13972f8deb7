package dev.inboxguard.cli;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.RecipientContext;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.component.CalendarComponent;
import net.fortuna.ical4j.model.Property;

/**
 * The recipient as the {@code check} command knows it: from files and options, not from a server. Someone the
 * recipient has scheduled with (an ORGANIZER or ATTENDEE in a stored copy) counts as known, like an explicit
 * {@code --known} address.
 */
final class OfflineRecipient implements RecipientContext {
    private final CalendarUserAddress address;
    private final Map<String, Calendar> stored;
    private final Set<CalendarUserAddress> known;
    private final Clock clock;

    OfflineRecipient(CalendarUserAddress address, Map<String, Calendar> stored, Set<CalendarUserAddress> known,
                     Clock clock) {
        this.address = address;
        this.stored = Map.copyOf(stored);
        Set<CalendarUserAddress> all = new HashSet<>(known);
        for (Calendar c : stored.values()) {
            for (CalendarComponent component : c.<CalendarComponent>getComponents()) {
                for (Property p : component.<Property>getProperties(Property.ORGANIZER, Property.ATTENDEE)) {
                    CalendarUserAddress.parse(p.getValue()).ifPresent(all::add);
                }
            }
        }
        all.remove(address);
        this.known = Set.copyOf(all);
        this.clock = clock;
    }

    @Override
    public CalendarUserAddress address() {
        return address;
    }

    @Override
    public Set<CalendarUserAddress> addresses() {
        return Set.of(address);
    }

    @Override
    public Optional<Calendar> storedCopy(String uid) {
        return Optional.ofNullable(stored.get(uid));
    }

    @Override
    public boolean knowsSender(CalendarUserAddress sender) {
        return known.contains(sender);
    }

    @Override
    public Clock clock() {
        return clock;
    }

    List<CalendarUserAddress> knownSenders() {
        return List.copyOf(known);
    }
}
