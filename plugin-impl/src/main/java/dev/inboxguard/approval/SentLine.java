package dev.inboxguard.approval;

/**
 * What became of one message the user sent, for one recipient.
 *
 * @param what      the message, in words ("Invitation to …")
 * @param recipient who it was for
 * @param outcome   delivered, held for whom, refused and why
 * @param at        when that happened
 */
public record SentLine(String what, String recipient, String outcome, String at) {
}
