package dev.inboxguard.storage;

import java.util.Optional;

/**
 * What a client expects of the resource it writes (RFC 9110 §13.1): {@code If-None-Match: *} (must not exist yet),
 * {@code If-Match: "etag"} (must be that version), or nothing.
 *
 * @param mustNotExist true for {@code If-None-Match: *}
 * @param ifMatch      the ETag for {@code If-Match}, quoted as sent; {@code *} means "must exist"
 * @param ifScheduleTagMatch the Schedule-Tag for {@code If-Schedule-Tag-Match} (RFC 6638 §8.3), quoted as sent
 */
public record Expectation(boolean mustNotExist, Optional<String> ifMatch, Optional<String> ifScheduleTagMatch) {
    /** No precondition. */
    public static final Expectation NONE = new Expectation(false, Optional.empty());

    /** Without a Schedule-Tag condition. */
    public Expectation(boolean mustNotExist, Optional<String> ifMatch) {
        this(mustNotExist, ifMatch, Optional.empty());
    }

    /**
     * Checks the conditions against the resource as it stands, as the store does in the write's transaction.
     *
     * @param etag        the resource's ETag, if it exists
     * @param scheduleTag its Schedule-Tag, or empty
     * @throws StoreConflict of kind PRECONDITION if a condition fails
     */
    public void check(Optional<String> etag, String scheduleTag) {
        if (ifScheduleTagMatch.isPresent() && (etag.isEmpty() || !ifScheduleTagMatch.get().equals(scheduleTag))) {
            throw new StoreConflict(StoreConflict.Kind.PRECONDITION, "the scheduling object changed since the "
                    + "client read it (If-Schedule-Tag-Match)");
        }
        if (mustNotExist && etag.isPresent()) {
            throw new StoreConflict(StoreConflict.Kind.PRECONDITION, "the resource exists (If-None-Match)");
        }
        if (ifMatch.isPresent() && (etag.isEmpty() || !(ifMatch.get().equals("*")
                || ifMatch.get().equals(etag.get())))) {
            throw new StoreConflict(StoreConflict.Kind.PRECONDITION, "the resource is not the version the "
                    + "client has (If-Match)");
        }
    }
}
