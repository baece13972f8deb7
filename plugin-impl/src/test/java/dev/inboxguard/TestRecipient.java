package dev.inboxguard;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.RecipientContext;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.fortuna.ical4j.model.Calendar;

/**
 * A recipient for tests and benchmarks: an address, stored copies by UID, whether every sender is known, and a
 * clock.
 *
 * @param address the recipient
 * @param stored  stored copies by UID
 * @param knowsEveryone true if every sender counts as known
 * @param clock   "now"
 */
public record TestRecipient(CalendarUserAddress address, Map<String, Calendar> stored, boolean knowsEveryone,
                            Clock clock) implements RecipientContext {

    /**
     * @param address the recipient's address
     * @param clock   "now"
     * @return a recipient who holds nothing and knows everyone
     */
    public static TestRecipient of(String address, Clock clock) {
        return new TestRecipient(CalendarUserAddress.of(address), Map.of(), true, clock);
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
        return knowsEveryone;
    }
}
