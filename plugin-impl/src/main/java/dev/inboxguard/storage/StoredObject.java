package dev.inboxguard.storage;

/**
 * A calendar object resource.
 *
 * @param name     the URL segment, such as {@code 1234.ics}
 * @param uid      its iCalendar UID
 * @param etag     the strong entity tag, quoted
 * @param data     the iCalendar text
 * @param modified when it was last written, in epoch milliseconds
 */
public record StoredObject(String name, String uid, String etag, byte[] data, long modified) {
    /** @return the text's length in bytes */
    public int size() {
        return data.length;
    }
}
