package dev.inboxguard.caldav;

import dev.inboxguard.ical.Limits;
import dev.inboxguard.scheduling.Scheduling;
import dev.inboxguard.server.Account;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.storage.CalendarStore;
import dev.inboxguard.storage.InboxItem;
import dev.inboxguard.storage.ObjectSummary;
import dev.inboxguard.storage.StoredCalendar;
import dev.inboxguard.storage.StoredObject;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import org.apache.jackrabbit.webdav.DavException;
import org.apache.jackrabbit.webdav.DavLocatorFactory;
import org.apache.jackrabbit.webdav.DavResource;
import org.apache.jackrabbit.webdav.DavResourceFactory;
import org.apache.jackrabbit.webdav.DavResourceLocator;
import org.apache.jackrabbit.webdav.DavServletRequest;
import org.apache.jackrabbit.webdav.DavServletResponse;
import org.apache.jackrabbit.webdav.DavSession;

/**
 * Finds the resource a URL names. A user reaches only their own principal and home: anyone else's answers 404,
 * exactly like a user who does not exist, so that probing reveals nothing.
 */
final class CaldavResources implements DavResourceFactory {
    private final String prefix;
    private final DavLocatorFactory locators;
    private final Accounts accounts;
    private final CalendarStore store;
    private final Scheduling scheduling;
    private final PrincipalReports principals;
    private final CollectionProperties properties;
    private final Limits limits;
    private final long startedAt = System.currentTimeMillis();

    CaldavResources(String prefix, DavLocatorFactory locators, Accounts accounts, CalendarStore store,
                    Scheduling scheduling, PrincipalReports principals, CollectionProperties properties,
                    Limits limits) {
        this.scheduling = scheduling;
        this.principals = principals;
        this.properties = properties;
        this.limits = limits;
        this.prefix = prefix;
        this.locators = locators;
        this.accounts = accounts;
        this.store = store;
    }

    long startedAt() {
        return startedAt;
    }

    String principalHref(String user) {
        return prefix + DavPaths.PRINCIPALS + "/" + user + "/";
    }

    String principalsHref() {
        return prefix + DavPaths.PRINCIPALS + "/";
    }

    PrincipalReports principals() {
        return principals;
    }

    CollectionProperties collectionProperties() {
        return properties;
    }

    Limits limits() {
        return limits;
    }

    CalendarStore store() {
        return store;
    }

    Scheduling scheduling() {
        return scheduling;
    }

    String homeHref(String user) {
        return prefix + DavPaths.CALENDARS + "/" + user + "/";
    }

    @Override
    public DavResource createResource(DavResourceLocator locator, DavServletRequest request,
                                      DavServletResponse response) throws DavException {
        return createResource(locator, request.getDavSession());
    }

    @Override
    public DavResource createResource(DavResourceLocator locator, DavSession session) throws DavException {
        if (!(session instanceof UserSession user)) {
            throw new DavException(DavServletResponse.SC_UNAUTHORIZED);
        }
        String path = locator.getResourcePath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            return new DavRoot(locator, this, user);
        }
        String[] segments = path.substring(1).split("/", -1);
        if (segments.length == 1 && segments[0].equals(DavPaths.PRINCIPALS.substring(1))) {
            return new PrincipalCollection(locator, this, user);
        }
        if (segments.length == 2 && segments[0].equals(DavPaths.PRINCIPALS.substring(1))) {
            Account other = accounts.find(segments[1]).filter(a -> principals.visible(user.account(), a))
                    .orElseThrow(CaldavResources::notFound);
            return new PrincipalResource(locator, this, user, other);
        }
        if (segments.length >= 2 && segments.length <= 4 && segments[0].equals(DavPaths.CALENDARS.substring(1))) {
            Account owner = own(segments[1], user);
            if (segments.length == 2) {
                return new CalendarHome(locator, this, user, owner);
            }
            if (segments[2].equals(CaldavNames.INBOX) || segments[2].equals(CaldavNames.OUTBOX)) {
                if (segments.length == 3) {
                    return new SchedulingCollection(locator, this, user, owner, segments[2]);
                }
                return scheduling.store().inboxItem(owner.name(), segments[3])
                        .filter(i -> segments[2].equals(CaldavNames.INBOX))
                        .map(i -> (DavResource) new CalendarObjectResource(locator, this, user, inboxObject(i)))
                        .orElseThrow(CaldavResources::notFound);
            }
            StoredCalendar calendar = store.calendar(owner.name(), segments[2]).orElseThrow(CaldavResources::notFound);
            if (segments.length == 3) {
                return new CalendarCollection(locator, this, user, calendar);
            }
            return new CalendarObjectResource(locator, this, user, store.object(owner.name(), calendar.name(),
                    segments[3]).orElseThrow(CaldavResources::notFound));
        }
        throw notFound();
    }

    PrincipalResource principal(String name, UserSession user) throws DavException {
        return new PrincipalResource(locator(DavPaths.PRINCIPALS, name), this, user, own(name, user));
    }

    PrincipalCollection principalCollection(UserSession user) {
        return new PrincipalCollection(locators.createResourceLocator(prefix, DavPaths.PRINCIPALS,
                DavPaths.PRINCIPALS), this, user);
    }

    List<DavResource> visiblePrincipals(UserSession user) {
        List<DavResource> out = new ArrayList<>();
        for (Account a : principals.visible(user.account())) {
            out.add(new PrincipalResource(locator(DavPaths.PRINCIPALS, a.name()), this, user, a));
        }
        return out;
    }

    CalendarHome home(String name, UserSession user) throws DavException {
        return new CalendarHome(locator(DavPaths.CALENDARS, name), this, user, own(name, user));
    }

    List<DavResource> calendars(Account owner, UserSession user) {
        List<DavResource> out = new ArrayList<>();
        for (StoredCalendar c : store.calendars(owner.name())) {
            out.add(new CalendarCollection(locator(DavPaths.CALENDARS, owner.name() + "/" + c.name()), this, user, c));
        }
        return out;
    }

    SchedulingCollection schedulingCollection(Account owner, String which, UserSession user) {
        return new SchedulingCollection(locator(DavPaths.CALENDARS, owner.name() + "/" + which), this, user, owner,
                which);
    }

    List<DavResource> inbox(Account owner, UserSession user) {
        List<DavResource> out = new ArrayList<>();
        // from summaries: a PROPFIND of ETags reads no text, and one that asks for more reads each item alone
        for (ObjectSummary i : scheduling.store().inboxSummaries(owner.name())) {
            out.add(new CalendarObjectResource(locator(DavPaths.CALENDARS, owner.name() + "/" + CaldavNames.INBOX
                    + "/" + i.name()), this, user, i, () -> scheduling.store().inboxItem(owner.name(), i.name())
                    .map(CaldavResources::inboxObject)));
        }
        return out;
    }

    /** @return the ETag of each item in the owner's inbox, read without their texts */
    List<String> inboxEtags(Account owner) {
        return scheduling.store().inboxSummaries(owner.name()).stream().map(ObjectSummary::etag).toList();
    }

    static StoredObject inboxObject(InboxItem i) {
        return new StoredObject(i.name(), i.uid(), i.etag(), i.data(), i.received());
    }

    Optional<String> defaultCalendarHref(Account owner) {
        return scheduling.homes().defaultCalendar(owner.name())
                .map(c -> homeHref(owner.name()) + DavHrefs.segment(c) + "/");
    }

    void rename(StoredCalendar calendar, String displayName) {
        store.renameCalendar(calendar.owner(), calendar.name(), displayName);
    }

    List<DavResource> objects(StoredCalendar calendar, UserSession user) {
        List<DavResource> out = new ArrayList<>();
        List<ObjectSummary> listing = store.summaries(calendar.owner(), calendar.name());
        ListingText text = new ListingText(store, calendar, listing);
        for (ObjectSummary o : listing) {
            out.add(new CalendarObjectResource(locator(DavPaths.CALENDARS, calendar.owner() + "/" + calendar.name()
                    + "/" + o.name()), this, user, o, () -> text.of(o.name())));
        }
        return out;
    }

    /**
     * The text of a listing's objects, read only if a resource needs it (allprop, a Schedule-Tag), and then a page
     * of objects at a time, in name order as the listing asks: a listing that needs it for one object needs it for
     * the rest, and a calendar's whole text held at once could be more than the heap.
     */
    private static final class ListingText {
        private final CalendarStore store;
        private final StoredCalendar calendar;
        /** Each name's place in the listing: the database's order, which both reads share and Java's may not be. */
        private final java.util.Map<String, Integer> place = new java.util.HashMap<>();
        private Iterator<StoredObject> ahead;
        private StoredObject next;

        ListingText(CalendarStore store, StoredCalendar calendar, List<ObjectSummary> listing) {
            this.store = store;
            this.calendar = calendar;
            for (ObjectSummary o : listing) {
                place.put(o.name(), place.size());
            }
        }

        Optional<StoredObject> of(String name) {
            if (ahead == null) {
                ahead = store.pagedObjects(calendar.owner(), calendar.name()).iterator();
            }
            int wanted = place.getOrDefault(name, Integer.MAX_VALUE);
            // forward only, keeping nothing behind; objects made since the listing have no place and are passed
            while (next == null || place.getOrDefault(next.name(), -1) < wanted) {
                if (!ahead.hasNext()) {
                    next = null;
                    break;
                }
                next = ahead.next();
            }
            if (next != null && next.name().equals(name)) {
                return Optional.of(next);
            }
            // gone since the listing, or asked out of the listing's order
            return store.object(calendar.owner(), calendar.name(), name);
        }
    }

    private DavResourceLocator locator(String collection, String name) {
        return locators.createResourceLocator(prefix, collection, collection + "/" + name);
    }

    private Account own(String name, UserSession user) throws DavException {
        if (!name.equals(user.account().name())) {
            throw notFound();
        }
        return accounts.find(name).orElseThrow(CaldavResources::notFound);
    }

    private static DavException notFound() {
        return new DavException(DavServletResponse.SC_NOT_FOUND, "Not found");
    }
}
