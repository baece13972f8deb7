package dev.inboxguard.storage;

/**
 * One line of the audit trail: a verdict on a message for one recipient, or a person's decision on a held one.
 * Entries are only ever added.
 *
 * @param seq           its position in the trail (assigned by the store)
 * @param at            when, in epoch milliseconds
 * @param event         {@code verdict}, {@code approved} or {@code denied}; {@code monitor} beside a verdict that a
 *                      monitor-mode rule would have changed (its action and status are the would-be ones); for
 *                      outgoing iMIP {@code mail-sent}, {@code mail-failed}
 *                      or {@code mail-bounced} (a delivery status notification came back); {@code expired} for a
 *                      held item nobody decided on in time
 * @param transport     {@code caldav} or {@code imip}
 * @param sender        the sender's address
 * @param senderUser    the sender's local user name, or empty for a remote sender
 * @param recipient     the recipient's address
 * @param recipientUser the recipient's local user name
 * @param method        the iTIP METHOD, or empty if the message could not be read
 * @param uid           the UID, or empty
 * @param action        the verdict's action
 * @param requestStatus the REQUEST-STATUS the sender was given
 * @param findings      the findings, as a JSON array
 * @param heldId        the quarantine item, or empty
 * @param actor         who acted: the sender for a verdict, the decider for a decision
 * @param repeats       how many times this happened: more than 1 for refusals in a flood, which are counted on one
 *                      row per limit that refused, recipient and hour rather than once per MTA retry
 */
public record AuditEntry(long seq, long at, String event, String transport, String sender, String senderUser,
                         String recipient, String recipientUser, String method, String uid, String action,
                         String requestStatus, String findings, String heldId, String actor, int repeats) {

    /** An entry for something that happened once (the parameters are those of the canonical constructor). */
    public AuditEntry(long seq, long at, String event, String transport, String sender, String senderUser,
                      String recipient, String recipientUser, String method, String uid, String action,
                      String requestStatus, String findings, String heldId, String actor) {
        this(seq, at, event, transport, sender, senderUser, recipient, recipientUser, method, uid, action,
                requestStatus, findings, heldId, actor, 1);
    }
}
