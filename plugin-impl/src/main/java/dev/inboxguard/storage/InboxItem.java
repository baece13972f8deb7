package dev.inboxguard.storage;

/**
 * A message in a user's scheduling inbox (RFC 6638 §2.2): what the guard let through, as it was delivered.
 *
 * @param owner    the user whose inbox it is
 * @param name     its resource name in the inbox
 * @param uid      the UID of the object it schedules
 * @param method   its iTIP METHOD
 * @param data     the delivered (sanitised) iCalendar text
 * @param action   {@code deliver} or {@code flag}
 * @param findings the findings kept beside a flagged item, as the verdict's JSON array ({@code []} if none)
 * @param received when it arrived, in epoch milliseconds
 * @param provenance what brought it, as a JSON object ({@code dev.inboxguard.scheduling.Provenance}); empty
 *                   for items from before V7
 */
public record InboxItem(String owner, String name, String uid, String method, byte[] data, String action,
                        String findings, long received, String provenance) {
    /** Provenance defaults to empty. */
    public InboxItem {
        provenance = provenance == null ? "" : provenance;
    }

    /** An item whose provenance is not recorded. */
    public InboxItem(String owner, String name, String uid, String method, byte[] data, String action,
                     String findings, long received) {
        this(owner, name, uid, method, data, action, findings, received, "");
    }

    /** @return a strong ETag; items never change, so the name and size say which version it is */
    public String etag() {
        return etag(name, data.length);
    }

    /**
     * @param name the item's name
     * @param size its text's length in bytes
     * @return its ETag, as {@link #etag()} gives it
     */
    public static String etag(String name, long size) {
        return "\"" + name + "-" + size + "\"";
    }
}
