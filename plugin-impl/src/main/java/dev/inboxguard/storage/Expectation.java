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
}
