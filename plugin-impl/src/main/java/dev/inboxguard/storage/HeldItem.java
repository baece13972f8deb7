package dev.inboxguard.storage;

/**
 * A message in quarantine: kept out of the inbox until its decider approves or denies it.
 *
 * @param id               an unguessable identifier (it appears in URLs)
 * @param recipient        the user the message was addressed to
 * @param recipientAddress the address it was addressed to
 * @param decider          the user who may decide: the recipient, or the organizer for a party crash
 * @param approver         {@code recipient} or {@code organizer}, as the policy named it
 * @param method           its iTIP METHOD
 * @param uid              the UID of the object it schedules
 * @param sender           who sent it (the author's address, or the envelope sender)
 * @param summary          the event's SUMMARY, for people choosing; untrusted text
 * @param transport        {@code caldav} or {@code imip}
 * @param data             the sanitised iCalendar text that approval delivers
 * @param findings         the verdict's findings, as a JSON array
 * @param received         when it arrived, in epoch milliseconds
 * @param state            {@code held}, {@code approved} or {@code denied}
 * @param decidedBy        who decided, or empty
 * @param decidedAt        when, in epoch milliseconds, or 0
 * @param provenance       what brought it, as a JSON object ({@code dev.inboxguard.scheduling.Provenance});
 *                         empty for items from before V7
 */
public record HeldItem(String id, String recipient, String recipientAddress, String decider, String approver,
                       String method, String uid, String sender, String summary, String transport, byte[] data,
                       String findings, long received, String state, String decidedBy, long decidedAt,
                       String provenance) {
    /** Provenance defaults to empty. */
    public HeldItem {
        provenance = provenance == null ? "" : provenance;
    }

    /** An item whose provenance is not recorded. */
    public HeldItem(String id, String recipient, String recipientAddress, String decider, String approver,
                    String method, String uid, String sender, String summary, String transport, byte[] data,
                    String findings, long received, String state, String decidedBy, long decidedAt) {
        this(id, recipient, recipientAddress, decider, approver, method, uid, sender, summary, transport, data,
                findings, received, state, decidedBy, decidedAt, "");
    }

    /** Waiting for a decision. */
    public static final String HELD = "held";
    /** Approved and delivered. */
    public static final String APPROVED = "approved";
    /** Denied and discarded. */
    public static final String DENIED = "denied";
    /** Nobody decided within {@code retention.heldDays}; treated as denied, and nobody was told. */
    public static final String EXPIRED = "expired";
}
