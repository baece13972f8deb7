package dev.inboxguard.approval;

/**
 * A link the guard distrusted, shown as text and never as a link.
 *
 * @param url the link
 * @param why what the guard found
 */
public record FlaggedLink(String url, String why) {
}
