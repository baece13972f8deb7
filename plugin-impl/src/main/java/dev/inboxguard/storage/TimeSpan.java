package dev.inboxguard.storage;

/**
 * When a calendar object happens, as far as time-range queries care: from its earliest start to its latest end, in
 * epoch milliseconds. {@link Long#MIN_VALUE} and {@link Long#MAX_VALUE} stand for "unbounded" (no start; a series
 * that runs on). Stored with the object, so that a calendar-query reads only the objects that can match.
 *
 * @param kind  the component kind (VEVENT, VTODO, VJOURNAL)
 * @param start the earliest start
 * @param end   the latest end; equal to start for an instant
 */
public record TimeSpan(String kind, long start, long end) {
    /**
     * How far a stored span may lie from the object's real times, so how far a search by span widens its range:
     * floating times are stored as UTC but read in the calendar's or the query's zone, and a span was worked out with
     * the zone rules of its day, which a JDK update can move. UTC offsets stay within 14 hours either way.
     */
    public static final java.time.Duration SLACK = java.time.Duration.ofHours(14);

    /**
     * RFC 4791 §9.9: a span overlaps a range if it starts before the range ends and ends after it starts; an
     * instant overlaps if it lies in [start, end).
     *
     * @param from the range start, inclusive
     * @param to   the range end, exclusive
     * @return true if the span overlaps
     */
    public boolean overlaps(long from, long to) {
        return start < to && (end > from || (end == start && start >= from));
    }
}
