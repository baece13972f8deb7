package dev.inboxguard.storage;

/** A write the store refused because of what is already stored; the HTTP layer maps {@link Kind} to a status. */
public final class StoreConflict extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the write was refused. */
    public enum Kind {
        /** the calendar to write into does not exist (409) */
        NO_CALENDAR,
        /** a calendar by that name exists already (405 for MKCALENDAR) */
        CALENDAR_EXISTS,
        /** If-Match or If-None-Match failed (412) */
        PRECONDITION,
        /** another resource in the calendar has the same UID (403, CALDAV:no-uid-conflict) */
        UID_TAKEN
    }

    private final Kind kind;
    private final java.util.Optional<String> resource;

    /**
     * @param kind   why
     * @param detail for the client
     */
    public StoreConflict(Kind kind, String detail) {
        this(kind, detail, java.util.Optional.empty());
    }

    /**
     * @param kind     why
     * @param detail   for the client
     * @param resource the name of the resource in the way (for {@link Kind#UID_TAKEN}), if known
     */
    public StoreConflict(Kind kind, String detail, java.util.Optional<String> resource) {
        super(detail, null, false, false);
        this.kind = kind;
        this.resource = resource;
    }

    /** @return the resource in the way, if known */
    public java.util.Optional<String> resource() {
        return resource;
    }

    /** @return why */
    public Kind kind() {
        return kind;
    }
}
