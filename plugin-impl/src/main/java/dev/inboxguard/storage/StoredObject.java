package dev.inboxguard.storage;

/**
 * A calendar object resource.
 *
 * @param name     the URL segment, such as {@code 1234.ics}
 * @param uid      its iCalendar UID
 * @param etag     the strong entity tag, quoted
 * @param data     the iCalendar text
 * @param modified when it was last written, in epoch milliseconds
 * @param scheduleTag the Schedule-Tag (RFC 6638 §3.2.10), quoted; empty for an object written before they existed
 */
public record StoredObject(String name, String uid, String etag, byte[] data, long modified, String scheduleTag) {
    /** An object without a Schedule-Tag. */
    public StoredObject(String name, String uid, String etag, byte[] data, long modified) {
        this(name, uid, etag, data, modified, "");
    }

    /** Never null. */
    public StoredObject {
        scheduleTag = scheduleTag == null ? "" : scheduleTag;
    }

    /** @return the text's length in bytes */
    public int size() {
        return data.length;
    }
}
