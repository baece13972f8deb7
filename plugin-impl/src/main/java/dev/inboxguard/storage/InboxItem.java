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
 */
public record InboxItem(String owner, String name, String uid, String method, byte[] data, String action,
                        String findings, long received) {

    /** @return a strong ETag; items never change, so the name and size say which version it is */
    public String etag() {
        return "\"" + name + "-" + data.length + "\"";
    }
}
