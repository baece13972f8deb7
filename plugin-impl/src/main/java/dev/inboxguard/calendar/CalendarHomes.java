package dev.inboxguard.calendar;

import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.storage.CalendarStore;
import dev.inboxguard.storage.StoreConflict;
import dev.inboxguard.storage.StoredCalendar;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every user's calendar home: made on the user's first request (or first delivery), with a default calendar and a
 * default task list unless the operator turned that off, and the default calendar that scheduling files new
 * invitations into (RFC 6638 §9.2).
 */
public final class CalendarHomes {
    private final CalendarStore store;
    private final GuardConfig.Caldav settings;
    // homes known to exist; a home is made once and never unmade, so this only saves a read per request
    private final Set<String> made = ConcurrentHashMap.newKeySet();

    /**
     * @param store    the calendars
     * @param settings the configuration's caldav section
     */
    public CalendarHomes(CalendarStore store, GuardConfig.Caldav settings) {
        this.store = store;
        this.settings = settings;
    }

    /** @return the settings */
    public GuardConfig.Caldav settings() {
        return settings;
    }

    /** Makes the user's home with its first collections, once. */
    public void ensure(String owner) {
        if (made.contains(owner)) {
            return;
        }
        if (store.home(owner).isEmpty()) {
            // a user from before homes existed keeps their calendars, and their first one for events stays where
            // invitations go; only what they lack is made
            List<StoredCalendar> existing = store.calendars(owner);
            Optional<String> defaultCalendar = existing.stream().filter(c -> c.components().contains("VEVENT"))
                    .map(StoredCalendar::name).findFirst();
            List<StoredCalendar> first = new ArrayList<>();
            if (settings.defaultCollections()) {
                GuardConfig.Collection calendar = settings.defaultCalendar();
                GuardConfig.Collection tasks = settings.defaultTaskList();
                if (defaultCalendar.isEmpty()) {
                    first.add(new StoredCalendar(owner, calendar.name(), calendar.displayName(), Set.of("VEVENT"), 0));
                    defaultCalendar = Optional.of(calendar.name());
                }
                if (existing.stream().noneMatch(c -> c.components().contains("VTODO"))) {
                    first.add(new StoredCalendar(owner, tasks.name(), tasks.displayName(), Set.of("VTODO"), 0));
                }
            }
            store.createHome(owner, first, defaultCalendar);
        }
        made.add(owner);
    }

    /**
     * @return the user's default calendar for events: the one their home names if it still takes events, else
     * their first calendar that does
     */
    public Optional<String> defaultCalendar(String owner) {
        ensure(owner);
        Optional<String> named = store.home(owner).flatMap(CalendarStore.Home::defaultCalendar);
        if (named.isPresent() && store.calendar(owner, named.get())
                .filter(c -> c.components().contains("VEVENT")).isPresent()) {
            return named;
        }
        return store.calendars(owner).stream().filter(c -> c.components().contains("VEVENT")).findFirst()
                .map(StoredCalendar::name);
    }

    /**
     * Where an incoming scheduling object of one kind is filed: the default calendar for events, else the user's
     * first calendar that takes the kind; a user who has none gets the default calendar, taking the kind.
     */
    public Optional<String> calendarFor(String owner, String kind) {
        if (kind.equals("VEVENT")) {
            Optional<String> events = defaultCalendar(owner);
            if (events.isPresent()) {
                return events;
            }
        } else {
            ensure(owner);
        }
        for (StoredCalendar c : store.calendars(owner)) {
            if (c.components().contains(kind)) {
                return Optional.of(c.name());
            }
        }
        String name = settings.defaultCalendar().name();
        try {
            store.createCalendar(new StoredCalendar(owner, name, settings.defaultCalendar().displayName(),
                    Set.of("VEVENT", "VTODO"), 0));
        } catch (StoreConflict e) {
            // made meanwhile, or a calendar by that name takes other kinds
        }
        return store.calendar(owner, name).filter(c -> c.components().contains(kind)).map(StoredCalendar::name);
    }

    /**
     * Before a calendar is deleted: if it is the default one, the default moves to another calendar that takes
     * events.
     *
     * @return false if it is the default and no other calendar takes events: the deletion must be refused
     * (RFC 6638 §9.2, CALDAV:default-calendar-needed)
     */
    public boolean releaseBeforeDelete(String owner, String calendar) {
        Optional<String> current = store.home(owner).flatMap(CalendarStore.Home::defaultCalendar);
        if (current.isEmpty() || !current.get().equals(calendar)) {
            return true;
        }
        Optional<String> next = store.calendars(owner).stream()
                .filter(c -> !c.name().equals(calendar) && c.components().contains("VEVENT"))
                .map(StoredCalendar::name).findFirst();
        if (next.isEmpty()) {
            return false;
        }
        store.setDefaultCalendar(owner, next);
        return true;
    }

    /**
     * Points the default at another of the user's calendars (a PROPPATCH of schedule-default-calendar-URL).
     *
     * @return false if the calendar does not exist or does not take events
     */
    public boolean setDefault(String owner, String calendar) {
        ensure(owner);
        if (store.calendar(owner, calendar).filter(c -> c.components().contains("VEVENT")).isEmpty()) {
            return false;
        }
        store.setDefaultCalendar(owner, Optional.of(calendar));
        return true;
    }
}
