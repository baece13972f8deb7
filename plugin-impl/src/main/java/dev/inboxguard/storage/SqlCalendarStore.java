package dev.inboxguard.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * Calendars and their objects in a SQL database (embedded H2 or PostgreSQL, see {@link Database}). Every write is
 * one transaction that first locks the calendar's row by raising its revision, so writers to one calendar queue up
 * even when they run on different nodes, and the revision doubles as the sync token.
 */
final class SqlCalendarStore implements CalendarStore {
    private final DataSource pool;

    SqlCalendarStore(DataSource pool) {
        this.pool = pool;
    }

    @Override
    public List<StoredCalendar> calendars(String owner) {
        return query("SELECT owner, name, display_name, components, revision FROM calendars WHERE owner = ? "
                + "ORDER BY name", List.of(owner), SqlCalendarStore::calendar);
    }

    @Override
    public Optional<StoredCalendar> calendar(String owner, String name) {
        return query("SELECT owner, name, display_name, components, revision FROM calendars WHERE owner = ? "
                + "AND name = ?", List.of(owner, name), SqlCalendarStore::calendar).stream().findFirst();
    }

    @Override
    public StoredCalendar createCalendar(StoredCalendar calendar) {
        return createCalendar(calendar, Map.of());
    }

    @Override
    public StoredCalendar createCalendar(StoredCalendar calendar, Map<String, String> properties) {
        return transaction(c -> {
            long revision = insertCalendar(c, calendar);
            for (Map.Entry<String, String> e : properties.entrySet()) {
                String[] name = clark(e.getKey());
                Sql.update(c, "INSERT INTO collection_properties (owner, calendar, namespace, name, xml) VALUES "
                        + "(?, ?, ?, ?, ?)", calendar.owner(), calendar.name(), name[0], name[1], e.getValue());
            }
            return new StoredCalendar(calendar.owner(), calendar.name(), calendar.displayName(),
                    calendar.components(), revision);
        });
    }

    /**
     * @return the calendar's first revision: 1, or one past the last of a calendar deleted under the same name, so
     * that no sync token, CTag or ETag of the old calendar comes back, and the old tokens are refused
     */
    private static long insertCalendar(Connection c, StoredCalendar calendar) throws SQLException {
        long first = 1 + Sql.read(c, "SELECT revision FROM retired_calendars WHERE owner = ? AND name = ?",
                List.of(calendar.owner(), calendar.name()), r -> r.getLong(1)).stream().findFirst().orElse(0L);
        try (PreparedStatement p = c.prepareStatement("INSERT INTO calendars (owner, name, display_name, "
                + "components, revision, forgotten) VALUES (?, ?, ?, ?, ?, ?)")) {
            Sql.setText(p, 1, calendar.owner());
            Sql.setText(p, 2, calendar.name());
            Sql.setText(p, 3, calendar.displayName());
            Sql.setText(p, 4, String.join(",", calendar.components()));
            p.setLong(5, first);
            p.setLong(6, first);
            p.executeUpdate();
        } catch (SQLException e) {
            if (Sql.isDuplicate(e)) {
                throw new StoreConflict(StoreConflict.Kind.CALENDAR_EXISTS, "a calendar by that name exists");
            }
            throw e;
        }
        return first;
    }

    /** @return namespace and local name of {@code {namespace}name} */
    private static String[] clark(String name) {
        int close = name.indexOf('}');
        return name.startsWith("{") && close > 0 ? new String[] {name.substring(1, close), name.substring(close + 1)}
                : new String[] {"", name};
    }

    @Override
    public Map<String, String> properties(String owner, String calendar) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String[] row : query("SELECT namespace, name, xml FROM collection_properties WHERE owner = ? AND "
                + "calendar = ? ORDER BY namespace, name", List.of(owner, calendar),
                r -> new String[] {r.getString(1), r.getString(2), r.getString(3)})) {
            out.put("{" + row[0] + "}" + row[1], row[2]);
        }
        return out;
    }

    @Override
    public boolean changeProperties(String owner, String calendar, Map<String, Optional<String>> changes) {
        return transaction(c -> {
            if (Sql.update(c, "UPDATE calendars SET revision = revision + 1 WHERE owner = ? AND name = ?", owner,
                    calendar) == 0) {
                return false;
            }
            for (Map.Entry<String, Optional<String>> e : changes.entrySet()) {
                String[] name = clark(e.getKey());
                Sql.update(c, "DELETE FROM collection_properties WHERE owner = ? AND calendar = ? AND namespace = ? "
                        + "AND name = ?", owner, calendar, name[0], name[1]);
                if (e.getValue().isPresent()) {
                    Sql.update(c, "INSERT INTO collection_properties (owner, calendar, namespace, name, xml) VALUES "
                            + "(?, ?, ?, ?, ?)", owner, calendar, name[0], name[1], e.getValue().get());
                }
            }
            return true;
        });
    }

    @Override
    public Optional<Home> home(String owner) {
        return query("SELECT default_calendar FROM homes WHERE owner = ?", List.of(owner),
                r -> new Home(Optional.ofNullable(r.getString(1)))).stream().findFirst();
    }

    @Override
    public boolean createHome(String owner, List<StoredCalendar> calendars, Optional<String> defaultCalendar) {
        try {
            return transaction(c -> {
                // the home's row first: of two nodes making one home at once, the second waits, then fails on the key
                try (PreparedStatement p = c.prepareStatement("INSERT INTO homes (owner, default_calendar, created) "
                        + "VALUES (?, ?, ?)")) {
                    Sql.setText(p, 1, owner);
                    Sql.setText(p, 2, defaultCalendar.orElse(null));
                    p.setLong(3, System.currentTimeMillis());
                    p.executeUpdate();
                }
                for (StoredCalendar calendar : calendars) {
                    if (Sql.update(c, "UPDATE calendars SET revision = revision WHERE owner = ? AND name = ?", owner,
                            calendar.name()) == 0) {
                        insertCalendar(c, calendar);
                    }
                }
                return true;
            });
        } catch (StoreFailure e) {
            if (e.getCause() instanceof SQLException s && Sql.isDuplicate(s)) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public void setDefaultCalendar(String owner, Optional<String> calendar) {
        transaction(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE homes SET default_calendar = ? WHERE owner = ?")) {
                Sql.setText(p, 1, calendar.orElse(null));
                Sql.setText(p, 2, owner);
                return p.executeUpdate();
            }
        });
    }

    @Override
    public boolean renameCalendar(String owner, String name, String displayName) {
        return transaction(c -> {
            try (PreparedStatement p = c.prepareStatement("UPDATE calendars SET display_name = ?, revision = "
                    + "revision + 1 WHERE owner = ? AND name = ?")) {
                Sql.setText(p, 1, displayName);
                Sql.setText(p, 2, owner);
                Sql.setText(p, 3, name);
                return p.executeUpdate() > 0;
            }
        });
    }

    @Override
    public boolean deleteCalendar(String owner, String name) {
        return transaction(c -> {
            // the calendar's row first, as every write does; its objects and tombstones have no foreign key (V9).
            // Its last revision is kept, for a calendar made again under its name to start after
            List<Long> last = Sql.read(c, "SELECT revision FROM calendars WHERE owner = ? AND name = ? FOR UPDATE",
                    List.of(owner, name), r -> r.getLong(1));
            if (last.isEmpty()) {
                return false;
            }
            if (Sql.update(c, "UPDATE retired_calendars SET revision = ? WHERE owner = ? AND name = ?", last.get(0),
                    owner, name) == 0) {
                Sql.update(c, "INSERT INTO retired_calendars (owner, name, revision) VALUES (?, ?, ?)", owner, name,
                        last.get(0));
            }
            Sql.update(c, "DELETE FROM calendars WHERE owner = ? AND name = ?", owner, name);
            Sql.update(c, "DELETE FROM objects WHERE owner = ? AND calendar = ?", owner, name);
            Sql.update(c, "DELETE FROM tombstones WHERE owner = ? AND calendar = ?", owner, name);
            return true;
        });
    }

    @Override
    public List<StoredObject> objects(String owner, String calendar) {
        return query("SELECT " + OBJECT_COLUMNS + " FROM objects "
                + "WHERE owner = ? AND calendar = ? "
                + "ORDER BY name", List.of(owner, calendar), SqlCalendarStore::object);
    }

    @Override
    public Optional<StoredObject> object(String owner, String calendar, String name) {
        return query("SELECT " + OBJECT_COLUMNS + " FROM objects "
                + "WHERE owner = ? AND calendar = ? "
                + "AND name = ?", List.of(owner, calendar, name), SqlCalendarStore::object).stream().findFirst();
    }

    @Override
    public Optional<Located> objectByUid(String owner, String uid) {
        return query("SELECT " + OBJECT_COLUMNS + ", calendar FROM objects "
                + "WHERE owner = ? AND uid = ? "
                + "ORDER BY calendar FETCH FIRST 1 ROWS ONLY", List.of(owner, uid),
                r -> new Located(r.getString(9), object(r))).stream().findFirst();
    }

    @Override
    public List<Located> objectsByUid(String owner, String uid) {
        return query("SELECT " + OBJECT_COLUMNS + ", calendar FROM objects "
                + "WHERE owner = ? AND uid = ? ORDER BY calendar, name FETCH FIRST 100 ROWS ONLY", List.of(owner, uid),
                r -> new Located(r.getString(9), object(r)));
    }

    @Override
    public List<ObjectSummary> summaries(String owner, String calendar) {
        // the length comes from the row, not from reading the text: a PROPFIND of 200 ETags reads no iCalendar
        return query("SELECT " + SUMMARY_COLUMNS + " FROM objects WHERE owner = ? AND calendar = ? ORDER BY name",
                List.of(owner, calendar), SqlCalendarStore::summary);
    }

    /** What {@link #summary(ResultSet)} reads, in its order. */
    private static final String SUMMARY_COLUMNS = "name, etag, text_length, modified, schedule_tag";

    private static ObjectSummary summary(ResultSet r) throws SQLException {
        return new ObjectSummary(r.getString(1), r.getString(2), r.getLong(3), r.getLong(4), r.getString(5));
    }

    @Override
    public Iterable<StoredObject> objectsIn(String owner, String calendar, String kind, long from, long to) {
        // the overlap test of TimeSpan.overlaps, in SQL
        String where = "WHERE owner = ? AND calendar = ? AND kind = ? AND span_start < ? AND (span_end > ? OR "
                + "(span_end = span_start AND span_start >= ?))";
        List<Object> args = List.of(owner, calendar, kind, to, from, from);
        return pages(where, args);
    }

    @Override
    public Iterable<StoredObject> pagedObjects(String owner, String calendar) {
        return pages("WHERE owner = ? AND calendar = ?", List.of(owner, calendar));
    }

    /** Sizes first, then text by ranges of names, each range under the same condition. */
    private Iterable<StoredObject> pages(String where, List<Object> args) {
        List<ObjectPages.Sized> sizes = query("SELECT name, text_length FROM objects " + where
                + " ORDER BY name", args, r -> new ObjectPages.Sized(r.getString(1), r.getLong(2)));
        return new ObjectPages(sizes, (first, last, all) -> {
            if (all) {
                // one page, as most are: the condition alone, so that H2 keeps to the index it chose for the sizes
                return query("SELECT " + OBJECT_COLUMNS + " FROM objects " + where
                        + " ORDER BY name", args, SqlCalendarStore::object);
            }
            List<Object> range = new ArrayList<>(args);
            range.addAll(List.of(first, last));
            return query("SELECT " + OBJECT_COLUMNS + " FROM objects " + where
                    + " AND name >= ? AND name <= ? ORDER BY name", range, SqlCalendarStore::object);
        });
    }

    @Override
    public Written put(String owner, String calendar, String name, String uid, byte[] data, TimeSpan span,
                       Expectation expected, boolean newScheduleTag) {
        // packed before the transaction, which holds the calendar's row from its first statement; against the UID
        // as the row will give it back
        PackedText.Packed packed = PackedText.pack(data, Sql.asStored(uid));
        try {
            return transaction(c -> write(c, owner, calendar, name, uid, data, packed, span, expected,
                    newScheduleTag, bump(c, owner, calendar)));
        } catch (StoreConflict e) {
            throw named(e, owner, calendar, uid);
        }
    }

    @Override
    public Written move(String owner, String fromCalendar, String fromName, String toCalendar, String toName,
                        TimeSpan span, boolean overwrite) {
        Optional<StoredObject> source = object(owner, fromCalendar, fromName);
        String uid = source.map(StoredObject::uid).orElse("");
        // the UID as the row gave it back, which the new row keeps
        PackedText.Packed packed = PackedText.pack(source.map(StoredObject::data).orElse(new byte[0]), uid);
        try {
            return transaction(c -> {
                // both calendars' rows, in name order: two moves in opposite directions never deadlock
                long fromRevision;
                long toRevision;
                if (fromCalendar.compareTo(toCalendar) <= 0) {
                    fromRevision = bump(c, owner, fromCalendar);
                    toRevision = fromCalendar.equals(toCalendar) ? fromRevision : bump(c, owner, toCalendar);
                } else {
                    toRevision = bump(c, owner, toCalendar);
                    fromRevision = bump(c, owner, fromCalendar);
                }
                Optional<String[]> row = currentTags(c, owner, fromCalendar, fromName);
                if (row.isEmpty() || source.isEmpty() || !row.get()[0].equals(source.get().etag())) {
                    throw new StoreConflict(StoreConflict.Kind.PRECONDITION, "the resource changed or went away "
                            + "while it was being moved");
                }
                Sql.update(c, "DELETE FROM objects WHERE owner = ? AND calendar = ? AND name = ?", owner,
                        fromCalendar, fromName);
                tombstone(c, owner, fromCalendar, fromName, fromRevision);
                // the same object under another name: its Schedule-Tag goes with it
                return write(c, owner, toCalendar, toName, source.get().uid(), source.get().data(), packed, span,
                        new Expectation(!overwrite, Optional.empty()), true, toRevision, source.get().scheduleTag());
            });
        } catch (StoreConflict e) {
            throw named(e, owner, toCalendar, uid);
        }
    }

    /** A UID conflict, with the name of the resource that holds the UID (RFC 4791 §5.3.2.1). */
    private StoreConflict named(StoreConflict e, String owner, String calendar, String uid) {
        if (e.kind() != StoreConflict.Kind.UID_TAKEN || e.resource().isPresent()) {
            return e;
        }
        Optional<String> holder = query("SELECT name FROM objects WHERE owner = ? AND calendar = ? AND uid = ?",
                List.of(owner, calendar, uid), r -> r.getString(1)).stream().findFirst();
        return new StoreConflict(e.kind(), e.getMessage(), holder);
    }

    private Written write(Connection c, String owner, String calendar, String name, String uid, byte[] data,
                          PackedText.Packed packed, TimeSpan span, Expectation expected, boolean newScheduleTag,
                          long revision) throws SQLException {
        return write(c, owner, calendar, name, uid, data, packed, span, expected, newScheduleTag, revision, "");
    }

    /** @param packed {@code data} as the row keeps it */
    private Written write(Connection c, String owner, String calendar, String name, String uid, byte[] data,
                          PackedText.Packed packed, TimeSpan span, Expectation expected, boolean newScheduleTag,
                          long revision, String carriedTag) throws SQLException {
        Optional<String[]> currentRow = currentTags(c, owner, calendar, name);
        Optional<String> current = currentRow.map(r -> r[0]);
        String currentTag = currentRow.map(r -> r[1]).orElse("");
        expected.check(current, currentTag);
        if (currentRow.isPresent() && !currentRow.get()[2].equals(Sql.asStored(uid))) {
            // RFC 4791 §5.3.2.1: a resource keeps its UID; another event goes under another name
            throw new StoreConflict(StoreConflict.Kind.UID_TAKEN, "this resource holds another event (UID "
                    + currentRow.get()[2] + "); put this one under a name of its own", Optional.of(name));
        }
        String etag = "\"" + Long.toString(revision, 36) + "-" + Integer.toHexString(Arrays.hashCode(data)) + "\"";
        // a random part: a calendar made again, or an object moved, starts its revisions over, and a tag must never
        // come back that a client still holds
        String scheduleTag = !carriedTag.isEmpty() ? carriedTag
                : newScheduleTag || currentTag.isEmpty() ? "\"s" + Long.toString(revision, 36) + "-"
                + Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 16, 36) + "\""
                : currentTag;
        long now = System.currentTimeMillis();
        String sql = current.isPresent()
                ? "UPDATE objects SET uid = ?, etag = ?, data = ?, modified = ?, kind = ?, span_start = ?, "
                        + "span_end = ?, schedule_tag = ?, revision = ?, packing = ?, text_length = ? "
                        + "WHERE owner = ? AND calendar = ? AND name = ?"
                : "INSERT INTO objects (uid, etag, data, modified, kind, span_start, span_end, schedule_tag, "
                        + "revision, packing, text_length, owner, calendar, name) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
        try (PreparedStatement p = c.prepareStatement(sql)) {
            Sql.setText(p, 1, uid);
            Sql.setText(p, 2, etag);
            p.setBytes(3, packed.bytes());
            p.setLong(4, now);
            Sql.setText(p, 5, span.kind());
            p.setLong(6, span.start());
            p.setLong(7, span.end());
            Sql.setText(p, 8, scheduleTag);
            p.setLong(9, revision);
            p.setInt(10, packed.packing());
            p.setInt(11, data.length);
            Sql.setText(p, 12, owner);
            Sql.setText(p, 13, calendar);
            Sql.setText(p, 14, name);
            p.executeUpdate();
        } catch (SQLException e) {
            if (Sql.isDuplicate(e)) {
                throw new StoreConflict(StoreConflict.Kind.UID_TAKEN, "another resource in this calendar has "
                        + "the same UID");
            }
            throw e;
        }
        if (current.isEmpty()) {
            // a name used again: its object's revision now says when it changed, and its tombstone goes
            Sql.update(c, "DELETE FROM tombstones WHERE owner = ? AND calendar = ? AND name = ?", owner, calendar,
                    name);
        }
        return new Written(new StoredObject(name, uid, etag, data, now, scheduleTag), current.isEmpty());
    }

    @Override
    public boolean delete(String owner, String calendar, String name, Optional<String> ifMatch) {
        return transaction(c -> {
            // the calendar's row first, as in put(): two writers that lock in one order never deadlock
            if (Sql.update(c, "UPDATE calendars SET revision = revision WHERE owner = ? AND name = ?", owner,
                    calendar) == 0) {
                return false;
            }
            Optional<String> current = currentEtag(c, owner, calendar, name);
            if (current.isEmpty()) {
                return false;
            }
            if (ifMatch.isPresent() && !ifMatch.get().equals("*") && !ifMatch.get().equals(current.get())) {
                throw new StoreConflict(StoreConflict.Kind.PRECONDITION, "the resource is not the version the "
                        + "client has (If-Match)");
            }
            long revision = bump(c, owner, calendar);
            try (PreparedStatement p = c.prepareStatement("DELETE FROM objects WHERE owner = ? AND calendar = ? "
                    + "AND name = ?")) {
                Sql.setText(p, 1, owner);
                Sql.setText(p, 2, calendar);
                Sql.setText(p, 3, name);
                p.executeUpdate();
            }
            tombstone(c, owner, calendar, name, revision);
            return true;
        });
    }

    /**
     * A page of changes before its objects are read: the change rows it keeps, and the revision it brings the
     * client to.
     */
    private record Page(long revision, List<ChangeRow> rows, boolean truncated) {
        boolean onlyDeletions() {
            return rows.stream().allMatch(ChangeRow::deleted);
        }
    }

    /** The page of {@link #changesSince}, cut by {@code maxBytes} of text unless that is {@link Long#MAX_VALUE}. */
    private Optional<Page> page(String owner, String calendar, long after, int maxItems, long maxBytes) {
        if (maxItems < 1) {
            // a write that changed more names than a page holds (a move: two) is a page of its own, however long
            throw new IllegalArgumentException("a page holds at least one change");
        }
        Optional<SyncState> now = syncState(owner, calendar);
        if (now.isEmpty() || after < 0 || after > now.get().revision() || !now.get().remembers(after)) {
            return Optional.empty();
        }
        // the token is the revision read first; a change after it has a later revision and comes next time
        long revision = now.get().revision();
        List<ChangeRow> rows = changeRows(owner, calendar, "revision > ? AND revision <= ?", List.of(after, revision),
                maxItems + 1);
        boolean truncated = rows.size() > maxItems;
        if (truncated) {
            // the rows of the last revision read may go on past the page: they come next time, whole
            long last = rows.get(rows.size() - 1).revision();
            List<ChangeRow> whole = rows.stream().filter(row -> row.revision() != last).toList();
            if (whole.isEmpty()) {
                // one write changed more names than a page holds: that write is the page, however long
                rows = changeRows(owner, calendar, "revision = ?", List.of(last), 0);
                revision = last;
            } else {
                rows = whole;
                revision = rows.get(rows.size() - 1).revision();
            }
        }
        if (after != 0 && !syncState(owner, calendar).map(state -> state.remembers(after)).orElse(true)) {
            // retention forgot tombstones of this page while its rows were read: the page may lack a deletion
            return Optional.empty();
        }
        if (maxBytes == Long.MAX_VALUE || rows.stream().allMatch(ChangeRow::deleted)) {
            // no cut by size, or nothing to read: the poll that finds nothing new, most often
            return Optional.of(new Page(revision, rows, truncated));
        }
        // the page's objects in two queries, not one a change: their sizes, to cut the page by bytes between writes
        // without reading text it will not send, then the text of what the page keeps
        Map<String, Long> sizes = new HashMap<>();
        query(PAGE_OBJECTS.formatted("o.name, o.text_length"), List.of(owner, calendar, after, revision),
                r -> Map.entry(r.getString(1), r.getLong(2))).forEach(e -> sizes.put(e.getKey(), e.getValue()));
        long bytes = 0;
        long previous = after;
        int kept = 0;
        for (ChangeRow row : rows) {
            if (bytes >= maxBytes && row.revision() != previous) {
                truncated = true;
                revision = previous;
                break;
            }
            bytes += row.deleted() ? 0 : sizes.getOrDefault(row.name(), 0L);
            previous = row.revision();
            kept++;
        }
        return Optional.of(new Page(revision, rows.subList(0, kept), truncated));
    }

    @Override
    public Optional<Changes> changesSince(String owner, String calendar, long after, int maxItems, long maxBytes) {
        return page(owner, calendar, after, maxItems, maxBytes).map(page -> {
            Split<StoredObject> split = split(owner, calendar, after, page, OBJECT_COLUMNS, SqlCalendarStore::object,
                    StoredObject::name);
            return new Changes(page.revision(), split.changed(), split.deleted(), page.truncated());
        });
    }

    @Override
    public Optional<ListedChanges> listedSince(String owner, String calendar, long after, int maxItems) {
        return page(owner, calendar, after, maxItems, Long.MAX_VALUE).map(page -> {
            Split<ObjectSummary> split = split(owner, calendar, after, page, SUMMARY_COLUMNS,
                    SqlCalendarStore::summary, ObjectSummary::name);
            return new ListedChanges(page.revision(), split.changed(), split.deleted(), page.truncated());
        });
    }

    /** A page's names, told apart: what is there now (whole or as listed), and what is gone. */
    private record Split<T>(List<T> changed, List<String> deleted) {
    }

    /**
     * Reads a page's objects in one query, in the given columns, and sorts its names into changed and deleted.
     */
    private <T> Split<T> split(String owner, String calendar, long after, Page page, String columns, Sql.Row<T> row,
                               java.util.function.Function<T, String> name) {
        Map<String, T> read = new HashMap<>();
        if (!page.onlyDeletions()) {
            query(PAGE_OBJECTS.formatted(columns), List.of(owner, calendar, after, page.revision()), row)
                    .forEach(o -> read.put(name.apply(o), o));
        }
        List<T> changed = new ArrayList<>();
        List<String> deleted = new ArrayList<>();
        for (ChangeRow change : page.rows()) {
            T o = change.deleted() ? null : read.get(change.name());
            if (o == null && !change.deleted()) {
                // written again since its row was read, so its change now lies past this page: it is read as it is
                // now, as the next page will list it again; one deleted since is reported as deleted
                o = query("SELECT " + columns + " FROM objects WHERE owner = ? AND calendar = ? AND name = ?",
                        List.of(owner, calendar, change.name()), row).stream().findFirst().orElse(null);
            }
            if (o != null) {
                changed.add(o);
            } else {
                deleted.add(change.name());
            }
        }
        return new Split<>(changed, deleted);
    }

    /**
     * What a sync token is checked against: the calendar's revision, and the newest revision whose tombstones
     * retention has forgotten.
     */
    private record SyncState(long revision, long forgotten) {
        /** @return whether a token of this revision still finds every deletion since (0 is a first sync) */
        boolean remembers(long after) {
            return after == 0 || after >= forgotten;
        }
    }

    // both in one read: a sync poll is the most frequent request
    private Optional<SyncState> syncState(String owner, String calendar) {
        return query("SELECT revision, forgotten FROM calendars WHERE owner = ? AND name = ?",
                List.of(owner, calendar), r -> new SyncState(r.getLong(1), r.getLong(2))).stream().findFirst();
    }

    /** What {@link #object(ResultSet)} reads, in its order. */
    private static final String OBJECT_COLUMNS = "name, uid, etag, data, modified, schedule_tag, packing, text_length";
    /** The objects whose last write falls in a page's revisions (after, last]; %s is the columns. */
    private static final String PAGE_OBJECTS = "SELECT %s FROM objects o WHERE o.owner = ? AND o.calendar = ? AND "
            + "o.revision > ? AND o.revision <= ?";

    /**
     * The names changed in some revisions, oldest first: the objects written in them and the tombstones of those
     * deleted in them. A name is one or the other, never both, so each name comes once, with its latest change.
     */
    private List<ChangeRow> changeRows(String owner, String calendar, String revisions, List<Object> values,
                                       int limit) {
        List<Object> args = new ArrayList<>(List.of(owner, calendar));
        args.addAll(values);
        args.addAll(List.of(owner, calendar));
        args.addAll(values);
        // each half ordered and cut by its own index, so that a page of a large calendar reads a page of each,
        // not every change since the token
        String cut = " ORDER BY revision" + (limit > 0 ? " FETCH FIRST " + limit + " ROWS ONLY" : "");
        return query("(SELECT name, FALSE AS deleted, revision FROM objects WHERE owner = ? AND calendar = ? AND "
                + revisions + cut + ") UNION ALL (SELECT name, TRUE AS deleted, revision FROM tombstones WHERE "
                + "owner = ? AND calendar = ? AND " + revisions + cut + ")" + cut, args, SqlCalendarStore::changeRow);
    }

    /** One change of a name: whether it deleted the object, and at which revision. */
    private record ChangeRow(String name, boolean deleted, long revision) {
    }

    private static ChangeRow changeRow(ResultSet r) throws SQLException {
        return new ChangeRow(r.getString(1), r.getBoolean(2), r.getLong(3));
    }

    /**
     * Marks a name deleted at a revision, for sync reports. Only a name with an object can be deleted, and writing a
     * name removes its tombstone, so the name has none yet. Bounded by the names the calendar has used.
     */
    private static void tombstone(Connection c, String owner, String calendar, String name, long revision)
            throws SQLException {
        Sql.update(c, "INSERT INTO tombstones (owner, calendar, name, revision, deleted_at) VALUES (?, ?, ?, ?, ?)",
                owner, calendar, name, revision, System.currentTimeMillis());
    }

    @Override
    public int pruneTombstones(long before) {
        List<String[]> calendars = query("SELECT DISTINCT owner, calendar FROM tombstones WHERE deleted_at < ?",
                List.of(before), r -> new String[] {r.getString(1), r.getString(2)});
        int total = 0;
        for (String[] calendar : calendars) {
            String owner = calendar[0];
            String name = calendar[1];
            // first the calendar remembers the newest revision it forgets, so that from then on a token from before
            // it is refused; then its tombstones go a batch at a time, no transaction holding its row for long
            transaction(c -> Sql.update(c, "UPDATE calendars SET forgotten = GREATEST(forgotten, COALESCE((SELECT "
                    + "MAX(revision) FROM tombstones WHERE owner = ? AND calendar = ? AND deleted_at < ?), 0)) WHERE "
                    + "owner = ? AND name = ?", owner, name, before, owner, name));
            while (true) {
                int removed = transaction(c -> Sql.update(c, "DELETE FROM tombstones WHERE owner = ? AND calendar = ? "
                        + "AND name IN (SELECT name FROM tombstones WHERE owner = ? AND calendar = ? AND deleted_at < ? "
                        + "FETCH FIRST " + Sql.PRUNE_BATCH + " ROWS ONLY)", owner, name, owner, name, before));
                total += removed;
                if (removed < Sql.PRUNE_BATCH) {
                    break;
                }
            }
        }
        return total;
    }

    /** Raises the calendar's revision, locking its row for the rest of the transaction. */
    private static long bump(Connection c, String owner, String calendar) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("UPDATE calendars SET revision = revision + 1 WHERE owner = ? "
                + "AND name = ?")) {
            Sql.setText(p, 1, owner);
            Sql.setText(p, 2, calendar);
            if (p.executeUpdate() == 0) {
                throw new StoreConflict(StoreConflict.Kind.NO_CALENDAR, "there is no such calendar");
            }
        }
        try (PreparedStatement p = c.prepareStatement("SELECT revision FROM calendars WHERE owner = ? AND name = ?")) {
            Sql.setText(p, 1, owner);
            Sql.setText(p, 2, calendar);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /**
     * @return the ETag, Schedule-Tag and UID now. The caller holds its calendar's row (every write to a calendar's
     * objects takes that row first), so no other writer can change this one before the transaction ends, and a
     * plain read is as good as {@code FOR UPDATE}; H2 parses a {@code FOR UPDATE} afresh each time, never from its
     * statement cache, which cost 4 % of a delivery.
     */
    private static Optional<String[]> currentTags(Connection c, String owner, String calendar, String name)
            throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT etag, schedule_tag, uid FROM objects WHERE owner = ? "
                + "AND calendar = ? AND name = ?")) {
            Sql.setText(p, 1, owner);
            Sql.setText(p, 2, calendar);
            Sql.setText(p, 3, name);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.of(new String[] {r.getString(1), r.getString(2) == null ? ""
                        : r.getString(2), r.getString(3)}) : Optional.empty();
            }
        }
    }

    private static Optional<String> currentEtag(Connection c, String owner, String calendar, String name)
            throws SQLException {
        // the calendar's row is held, as for currentTags
        try (PreparedStatement p = c.prepareStatement("SELECT etag FROM objects WHERE owner = ? AND calendar = ? "
                + "AND name = ?")) {
            Sql.setText(p, 1, owner);
            Sql.setText(p, 2, calendar);
            Sql.setText(p, 3, name);
            try (ResultSet r = p.executeQuery()) {
                return r.next() ? Optional.of(r.getString(1)) : Optional.empty();
            }
        }
    }

    private static StoredCalendar calendar(ResultSet r) throws SQLException {
        Set<String> components = new LinkedHashSet<>(List.of(r.getString(4).split(",")));
        components.remove("");
        return new StoredCalendar(r.getString(1), r.getString(2), r.getString(3), components, r.getLong(5));
    }

    private static StoredObject object(ResultSet r) throws SQLException {
        return new StoredObject(r.getString(1), r.getString(2), r.getString(3),
                PackedText.unpack(r.getInt(7), r.getBytes(4), r.getInt(8), r.getString(2)), r.getLong(5),
                r.getString(6));
    }

    private <T> List<T> query(String sql, List<?> args, Sql.Row<T> row) {
        return Sql.query(pool, sql, args, row);
    }

    private <T> T transaction(Sql.Work<T> work) {
        return Sql.transaction(pool, work);
    }
}
