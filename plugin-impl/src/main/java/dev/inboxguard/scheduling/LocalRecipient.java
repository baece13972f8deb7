package dev.inboxguard.scheduling;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.server.Account;
import dev.inboxguard.storage.CalendarStore;
import dev.inboxguard.storage.PreferenceStore;
import dev.inboxguard.storage.SchedulingStore;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.fortuna.ical4j.model.Calendar;

/** A local user as the checks see them: their addresses, their stored copies, and whom they schedule with. */
final class LocalRecipient implements RecipientContext {
    private final Account account;
    private final CalendarUserAddress addressedTo;
    private final CalendarStore calendars;
    private final SchedulingStore scheduling;
    private final CalendarReader reader;
    private final Clock clock;
    private final Optional<Account> signedInSender;
    private final dev.inboxguard.server.Accounts accounts;
    private final PreferenceStore preferences;
    // one screening asks the store the same questions from several checks (the stored copy, the sender's place on
    // the recipient's lists): each is read once, and every check sees the same answer
    private final Map<Stored, Optional<CalendarStore.Located>> located = new ConcurrentHashMap<>();
    private final Map<List<String>, Optional<String>> listed = new ConcurrentHashMap<>();

    private record Stored(String owner, String uid) {
    }

    /**
     * @param signedInSender the sender, when it is a local user who signed in to send (CalDAV)
     * @param accounts       the local users, to find an event's local organizer
     */
    LocalRecipient(Account account, CalendarUserAddress addressedTo, CalendarStore calendars,
                   SchedulingStore scheduling, CalendarReader reader, Clock clock, Optional<Account> signedInSender,
                   dev.inboxguard.server.Accounts accounts, PreferenceStore preferences) {
        this.preferences = preferences;
        this.signedInSender = signedInSender;
        this.accounts = accounts;
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
     * The server's truth about the event, where the recipient's own copy could have been changed by them:
     * <ol>
     * <li>when the recipient's copy names a local organizer who holds the event as its organizer, that organizer's
     * copy: a message from anyone else is then compared with the real event, never with a copy someone forged;</li>
     * <li>else, when the message comes from a local user, signed in, who holds the event as its organizer, that
     * user's copy: an attendee who once wrote a tampered copy (another ORGANIZER) does not lock out the real
     * organizer's updates;</li>
     * <li>else the recipient's own copy.</li>
     * </ol>
     */
    @Override
    public Optional<Calendar> storedCopy(String uid) {
        Optional<Calendar> own = located(account.name(), uid).flatMap(found -> parse(found.object().data()));
        if (own.isEmpty()) {
            return own;
        }
        Optional<Account> named = organizer(own.get()).flatMap(accounts::byAddress);
        if (named.isPresent()) {
            if (named.get().name().equals(account.name())) {
                return own; // the recipient organizes it: their copy is the truth
            }
            Optional<Calendar> truth = organizersCopy(named.get(), uid);
            if (truth.isPresent()) {
                return truth;
            }
        }
        if (signedInSender.isPresent() && !signedInSender.get().name().equals(account.name())) {
            Optional<Calendar> truth = organizersCopy(signedInSender.get(), uid);
            if (truth.isPresent()) {
                return truth;
            }
        }
        return own;
    }

    /** @return the user's copy of the event, if they hold it as its organizer */
    private Optional<Calendar> organizersCopy(Account organizer, String uid) {
        Set<CalendarUserAddress> theirs = Set.copyOf(organizer.addresses());
        return located(organizer.name(), uid).flatMap(found -> parse(found.object().data()))
                .filter(c -> organizer(c).filter(theirs::contains).isPresent());
    }

    private static Optional<CalendarUserAddress> organizer(Calendar c) {
        for (Object x : c.getComponents()) {
            Optional<CalendarUserAddress> o = ((net.fortuna.ical4j.model.Component) x)
                    .<net.fortuna.ical4j.model.Property>getProperty("ORGANIZER")
                    .flatMap(p -> CalendarUserAddress.parse(p.getValue()));
            if (o.isPresent()) {
                return o;
            }
        }
        return Optional.empty();
    }

    private Optional<CalendarStore.Located> located(String owner, String uid) {
        return located.computeIfAbsent(new Stored(owner, uid), k -> calendars.objectByUid(owner, uid));
    }

    private Optional<String> listed(CalendarUserAddress sender) {
        return listed.computeIfAbsent(SenderLists.keys(sender), keys -> preferences.listed(account.name(), keys));
    }

    private Optional<Calendar> parse(byte[] data) {
        // a fresh parse each time: checks may not change what anyone has stored
        CalendarRead read = reader.read(data);
        return read instanceof CalendarRead.Parsed parsed ? Optional.of(parsed.calendar()) : Optional.empty();
    }

    @Override
    public boolean knowsSender(CalendarUserAddress sender) {
        return scheduling.knows(account.name(), sender.uri())
                || listed(sender).filter(PreferenceStore.SenderEntry.ALLOW::equals).isPresent();
    }

    @Override
    public boolean blocks(CalendarUserAddress sender) {
        return listed(sender).filter(PreferenceStore.SenderEntry.BLOCK::equals).isPresent();
    }

    @Override
    public Optional<String> invitations() {
        String mine = preferences.preferences(account.name()).invitations();
        return mine.isEmpty() ? Optional.empty() : Optional.of(mine);
    }

    @Override
    public Clock clock() {
        return clock;
    }
}
