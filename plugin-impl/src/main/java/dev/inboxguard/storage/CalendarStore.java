package dev.inboxguard.storage;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where calendars and their objects live. Every write is one transaction and is durable when the method returns:
 * an acknowledged PUT survives the process being killed. {@link Database} opens the one implementation on embedded H2
 * or on PostgreSQL.
 *
 * <p>Every call names the owner, and a store never returns another owner's data: access control is enforced here
 * as well as in the HTTP layer.
 */
public interface CalendarStore {
    /** @return the owner's calendars, by name */
    List<StoredCalendar> calendars(String owner);

    /** @return the calendar, if the owner has one by that name */
    Optional<StoredCalendar> calendar(String owner, String name);

    /**
     * @param calendar the new calendar (its revision is ignored)
     * @return the stored calendar
     * @throws StoreConflict if the owner already has a calendar by that name
     */
    StoredCalendar createCalendar(StoredCalendar calendar);

    /**
     * @param displayName the new DAV:displayname
     * @return true if the calendar exists (its revision moves, so clients notice)
     */
    boolean renameCalendar(String owner, String name, String displayName);

    /**
     * Deletes a calendar and every object in it.
     *
     * @return true if it existed
     */
    boolean deleteCalendar(String owner, String name);

    /**
     * Creates a calendar with the properties its creator set (MKCALENDAR, extended MKCOL), in one transaction.
     *
     * @param properties Clark names ({@code {namespace}name}) to each property element's XML
     * @throws StoreConflict if the owner already has a calendar by that name
     */
    StoredCalendar createCalendar(StoredCalendar calendar, Map<String, String> properties);

    /** @return the calendar's client-set properties: Clark names to each property element's XML, by name */
    Map<String, String> properties(String owner, String calendar);

    /**
     * Sets (a value) and removes (empty) properties in one transaction; the calendar's revision moves.
     *
     * @return false if there is no such calendar
     */
    boolean changeProperties(String owner, String calendar, Map<String, Optional<String>> changes);

    /**
     * A user's calendar home, once made.
     *
     * @param defaultCalendar where scheduling files new invitations (RFC 6638 §9.2), if anywhere
     */
    record Home(Optional<String> defaultCalendar) {
    }

    /** @return the user's home, if it has been made */
    Optional<Home> home(String owner);

    /**
     * Makes a user's home once, with its first calendars; a second call (from another node, or a later request)
     * changes nothing.
     *
     * @param calendars       the calendars to create (skipped when the user already has one by that name)
     * @param defaultCalendar the default calendar's name, if there is one
     * @return true if this call made the home
     */
    boolean createHome(String owner, List<StoredCalendar> calendars, Optional<String> defaultCalendar);

    /** Points the user's default calendar elsewhere (or nowhere). */
    void setDefaultCalendar(String owner, Optional<String> calendar);

    /**
     * @param owner the user
     * @param uid   an iCalendar UID
     * @return the user's object with this UID, in whichever of their calendars holds it (the first by name if
     * several do)
     */
    Optional<Located> objectByUid(String owner, String uid);

    /** @return every object of the user's with this UID, in any of their calendars (at most 100) */
    List<Located> objectsByUid(String owner, String uid);

    /**
     * Lists a calendar's objects without their text, in name order.
     *
     * @param owner    the owner
     * @param calendar the calendar
     * @return name, ETag, size, date and Schedule-Tag of each object
     */
    default List<ObjectSummary> summaries(String owner, String calendar) {
        return objects(owner, calendar).stream().map(ObjectSummary::of).toList();
    }

    /**
     * An object and the calendar it is in.
     *
     * @param calendar the calendar's name
     * @param object   the object
     */
    record Located(String calendar, StoredObject object) {
    }

    List<StoredObject> objects(String owner, String calendar);

    /** @return the object, if there is one */
    Optional<StoredObject> object(String owner, String calendar, String name);

    /**
     * Creates or replaces an object, checking the client's preconditions inside the same transaction.
     *
     * @param owner    the owner
     * @param calendar the calendar's name
     * @param name     the resource name
     * @param uid      the iCalendar UID (unique within the calendar, RFC 4791 §5.3.2.1)
     * @param data     the iCalendar text
     * @param span     when it happens, for time-range queries
     * @param expected what the client expects to be there now
     * @return the stored object, with its new ETag, and whether it is new
     * @throws StoreConflict if the calendar is missing, the precondition fails or the UID is taken
     */
    default Written put(String owner, String calendar, String name, String uid, byte[] data, TimeSpan span,
                        Expectation expected) {
        return put(owner, calendar, name, uid, data, span, expected, true);
    }

    /**
     * As {@link #put(String, String, String, String, byte[], TimeSpan, Expectation)}, choosing what becomes of the
     * Schedule-Tag.
     *
     * @param newScheduleTag true for a change the owner must see (a client's PUT, an organizer's update filed into
     *                       an attendee's copy); false when the server only merges answers or statuses, which keeps
     *                       the tag (RFC 6638 §3.2.10)
     */
    Written put(String owner, String calendar, String name, String uid, byte[] data, TimeSpan span,
                Expectation expected, boolean newScheduleTag);

    /**
     * Moves an object to another name, in the same calendar or another of the owner's, in one transaction
     * (RFC 4918 §9.9): it is never in both places, nor in neither. Its UID, data and Schedule-Tag go with it.
     *
     * @param span      when it happens, for the destination's index
     * @param overwrite false for {@code Overwrite: F}: an object at the destination fails the move
     * @return the object at its new name, and whether that name was new
     * @throws StoreConflict if a calendar is missing, the source changed, the destination exists and may not be
     *                       overwritten, or holds another UID, or the destination calendar holds the UID elsewhere
     */
    Written move(String owner, String fromCalendar, String fromName, String toCalendar, String toName,
                 TimeSpan span, boolean overwrite);

    /**
     * The outcome of a PUT, decided inside its transaction.
     *
     * @param object  what is stored now
     * @param created true if no object of that name existed before (201 rather than 204)
     */
    record Written(StoredObject object, boolean created) {
    }

    /**
     * The objects of one kind whose span overlaps a time range (RFC 4791 §9.9), without reading any other. They are
     * read a page at a time as the caller goes: one that stops early reads no more, and a calendar of any size
     * holds at most a page of object text in memory.
     *
     * @param from the range start in epoch milliseconds, inclusive ({@link Long#MIN_VALUE}: open)
     * @param to   the range end, exclusive ({@link Long#MAX_VALUE}: open)
     * @return the matching objects, by name
     */
    Iterable<StoredObject> objectsIn(String owner, String calendar, String kind, long from, long to);

    /**
     * Every object of a calendar, by name, read a page at a time as {@link #objectsIn} reads them.
     *
     * @return the objects
     */
    Iterable<StoredObject> pagedObjects(String owner, String calendar);

    /**
     * @param ifMatch the ETag the client expects, if it sent one
     * @return true if the object existed and was deleted
     * @throws StoreConflict if the ETag does not match
     */
    boolean delete(String owner, String calendar, String name, Optional<String> ifMatch);

    /**
     * What changed in a calendar after a revision (RFC 6578): each object name at most once, with its state now, in
     * the order of the changes. A page is cut only between writes, never inside the changes of one, so that its
     * revision is a token the client can resume from (RFC 6578 §3.6): it holds at most {@code maxItems} changes
     * (unless one write alone made more), and it ends with the first write that brings its object text to
     * {@code maxBytes} or past it.
     *
     * @param after    the revision the client has seen (0 for everything)
     * @param maxItems the most changes on one page, at least 1 (a move within a calendar, two changes at one
     *                 revision, makes a longer page of its own)
     * @param maxBytes the object text after which a page ends
     * @return the changes, or empty if the revision is not one this calendar has had, or is older than a deletion
     * it has forgotten ({@link #pruneTombstones})
     */
    Optional<Changes> changesSince(String owner, String calendar, long after, int maxItems, long maxBytes);

    /**
     * What changed after a revision, as a listing says it, without reading any object's text: for a sync that
     * asks only for ETags and the like, the most frequent kind. Pages are cut as {@link #changesSince} cuts them,
     * by count only.
     *
     * @param after    the revision the client has seen (0 for everything)
     * @param maxItems the most changes on one page, at least 1
     * @return the changes, or empty as for {@link #changesSince}
     */
    Optional<ListedChanges> listedSince(String owner, String calendar, long after, int maxItems);

    /**
     * Forgets deletions laid before a time. A calendar that forgot one refuses the sync tokens from before it
     * ({@link #changesSince} is empty for them), so that their clients list it again (RFC 6578 §3.2).
     *
     * @param before epoch milliseconds
     * @return the tombstones removed
     */
    int pruneTombstones(long before);

    /**
     * The changes since a revision.
     *
     * @param revision  the revision the page brings the client to (the new sync token): the calendar's revision
     *                  now, or, for a page cut short, the last revision it holds entirely
     * @param changed   objects created or changed since, by name
     * @param deleted   names deleted since
     * @param truncated true if more changes follow the page
     */
    record Changes(long revision, List<StoredObject> changed, List<String> deleted, boolean truncated) {
    }

    /**
     * The changes since a revision, as a listing says them ({@link #listedSince}).
     *
     * @param revision  as for {@link Changes}
     * @param changed   what a listing says of each object created or changed since
     * @param deleted   names deleted since
     * @param truncated true if more changes follow the page
     */
    record ListedChanges(long revision, List<ObjectSummary> changed, List<String> deleted, boolean truncated) {
    }
}
