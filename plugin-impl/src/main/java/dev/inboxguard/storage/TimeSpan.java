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
