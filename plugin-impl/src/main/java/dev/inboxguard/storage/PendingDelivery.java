package dev.inboxguard.storage;

/**
 * A message a local user sent while the directory is hidden, accepted from them and owed to its recipient: a local
 * user's inbox, or the outbound mail queue for a remote address. The sender's request only queues it, the same for
 * either, so that the request does not tell which addresses are users here.
 *
 * @param seq         its place in the queue; messages to one recipient are delivered in this order
 * @param sender      the local user who sent it
 * @param author      the address it is from (the sender's ORGANIZER or ATTENDEE address)
 * @param recipient   the address it is to
 * @param method      its METHOD
 * @param uid         its UID
 * @param itip        the iTIP message
 * @param queued      when it was queued, epoch milliseconds
 * @param attempts    how many deliveries began
 * @param nextAttempt when it is due, epoch milliseconds (while being delivered: when its claim lapses)
 */
public record PendingDelivery(long seq, String sender, String author, String recipient, String method, String uid,
                              byte[] itip, long queued, int attempts, long nextAttempt) {
}
