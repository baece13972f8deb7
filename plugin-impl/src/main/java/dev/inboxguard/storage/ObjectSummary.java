package dev.inboxguard.storage;

/**
 * What a listing of a calendar says of one object without reading its text: enough for a PROPFIND of its ETag,
 * size and date, which is what synchronizing clients ask of every object.
 *
 * @param name        the URL segment
 * @param etag        the strong entity tag, quoted
 * @param size        the text's length in bytes
 * @param modified    when it was last written, in epoch milliseconds
 * @param scheduleTag the Schedule-Tag, quoted, or empty
 */
public record ObjectSummary(String name, String etag, long size, long modified, String scheduleTag) {
    /** Never null. */
    public ObjectSummary {
        scheduleTag = scheduleTag == null ? "" : scheduleTag;
    }

    /**
     * @param o a whole object
     * @return what a listing says of it
     */
    public static ObjectSummary of(StoredObject o) {
        return new ObjectSummary(o.name(), o.etag(), o.size(), o.modified(), o.scheduleTag());
    }
}
