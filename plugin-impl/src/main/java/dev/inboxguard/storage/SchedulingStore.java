package dev.inboxguard.storage;

import java.util.List;
import java.util.Optional;

/**
 * Where scheduling keeps its state: the users' scheduling inboxes, the quarantine, the audit trail, and whom each
 * user has scheduled with. Only {@code dev.inboxguard.scheduling.SchedulingInbox} writes inbox items.
 */
public interface SchedulingStore {

    /** @param item a message the guard let through, stored under its name */
    void addToInbox(InboxItem item);

    /** @return the user's inbox, oldest first */
    List<InboxItem> inbox(String owner);

    /**
     * The inbox without its messages' texts: an inbox flooded with large messages would otherwise be read whole
     * into memory by every listing.
     *
     * @return the user's inbox, oldest first, each item's {@code data} empty
     */
    List<InboxItem> inboxWithoutText(String owner);

    /** @return what a PROPFIND lists of each item of the user's inbox, oldest first, without reading its text */
    List<ObjectSummary> inboxSummaries(String owner);

    /** @return one item of the user's inbox */
    Optional<InboxItem> inboxItem(String owner, String name);

    /** @return true if the item was there and is now gone (a client removes what it has processed) */
    boolean removeFromInbox(String owner, String name);

    /** @param item a message to keep in quarantine, in state {@code held} */
    void hold(HeldItem item);

    /** @return how many items wait for a decision, for everyone (a metric) */
    long heldPending();

    /** @return the items waiting for this user's decision, oldest first */
    List<HeldItem> heldFor(String decider);

    /** @return the item with this identifier, whatever its state */
    Optional<HeldItem> held(String id);

    /**
     * Moves a held item to {@code approved} or {@code denied}, once: of two concurrent decisions, one wins.
     *
     * @return true if this call decided it; false if it was not waiting
     */
    boolean decide(String id, String state, String decidedBy, long at);

    /** Puts a decided item back to {@code held}: its decision could not be carried out. */
    void reopen(String id);

    /** @param entry a line to append (its {@code seq} is ignored) */
    void audit(AuditEntry entry);

    /**
     * Counts one more of a repeated event on a single row: the first occurrence in the window adds {@code entry}
     * with the key, and each later one raises that row's {@code repeats}. Refusals in a flood are recorded this way,
     * so a sender cannot fill the trail.
     *
     * @param entry       the occurrence (its {@code seq} and {@code repeats} are ignored)
     * @param key         what makes two occurrences the same, at most 64 characters
     * @param windowStart occurrences from this time on are counted on one row
     */
    void auditRepeat(AuditEntry entry, String key, long windowStart);

    /** @return audit rows removed: those older than {@code before} */
    int pruneAudit(long before);

    /**
     * Expires held items received before {@code before}: each moves to {@code expired} once, as {@link #decide}
     * would, so of several nodes sweeping at once one reports it.
     *
     * @return the items this call expired
     */
    List<HeldItem> expireHeld(long before, long at);

    /** @return decided items removed: those decided before {@code before} */
    int pruneDecided(long before);

    /** @return scheduling-inbox items removed: those received before {@code before}, in every user's inbox */
    int pruneInbox(long before);

    /**
     * Queues a message a local user sent while the directory is hidden. The store numbers it: the given
     * {@code seq} is ignored.
     *
     * @param delivery the message, due at its {@code nextAttempt}
     */
    void queueDelivery(PendingDelivery delivery);

    /**
     * Claims due messages, each the oldest still queued for its recipient, so that one recipient's messages are
     * delivered in the order they were sent. Of several nodes claiming at once, one gets each message.
     *
     * @param now        epoch milliseconds
     * @param claimUntil when the claim lapses and another node may take the message
     * @param limit      at most this many
     * @return the messages claimed, oldest first, with their attempts counted
     */
    List<PendingDelivery> claimDeliveries(long now, long claimUntil, int limit);

    /**
     * Removes a delivered message; called inside the delivery's transaction, so that the two commit together.
     *
     * @return false if it was no longer queued: then the caller's transaction must not commit
     */
    boolean finishDelivery(PendingDelivery delivery);

    /** Leaves a claimed message queued, due again at {@code nextAttempt}. */
    void retryDelivery(PendingDelivery delivery, long nextAttempt);

    /**
     * Gives back a claimed message that was never begun (its node is stopping): due again at {@code now}, with its
     * claim's attempt not counted, so that its backoff after a failure starts where it would have.
     */
    void releaseDelivery(PendingDelivery delivery, long now);

    /** @return how many messages wait for delivery, and since when the oldest, epoch milliseconds (0 if none) */
    MailStore.Backlog pendingDeliveries();

    /**
     * @param user  a user name, or empty for every entry (operators)
     * @param after return entries after this position
     * @param limit at most this many
     * @return entries the user took part in (as sender, recipient or decider), in order
     */
    List<AuditEntry> auditTrail(Optional<String> user, long after, int limit);

    /**
     * As {@link #auditTrail} for one user, less the entries about messages they sent to other local users, and the
     * relay's taking of their mail: with the directory hidden, which of those exists would tell them which addresses
     * are users here. What they received or decided, their refused writes, failed mail and the handed-on rows stay.
     *
     * @param user  a user name
     * @param after return entries after this position
     * @param limit at most this many
     * @return the entries, in order
     */
    List<AuditEntry> auditTrailWithoutLocalRecipients(String user, long after, int limit);

    /**
     * @param user  a local user name
     * @param limit at most this many
     * @return the latest entries about what the user sent, newest first
     */
    List<AuditEntry> sentBy(String user, int limit);

    /**
     * @param mailedBefore only items of deciders not mailed about held items since this time (a user mailed within
     *                     the hour waits for the digest, and their items must not crowd out anyone else's)
     * @param limit        at most this many
     * @return held items still waiting whose decider has not been told of them by mail, oldest first, without their
     * messages ({@code data} is empty: read each with {@link #held(String)})
     */
    List<HeldItem> unannounced(long mailedBefore, int limit);

    /**
     * @param limit at most this many
     * @return the items waiting for this user's decision, oldest first, without their messages ({@code data} is
     * empty): for lists and counts that must not read every message
     */
    List<HeldItem> heldSummaries(String decider, int limit);

    /** @return true if the item was not announced before and is now */
    boolean announce(String id, long at);

    /**
     * @param user  a local user name
     * @param limit at most this many
     * @return invitations (REQUEST, ADD) delivered to the user, directly or after approval, newest first
     */
    List<AuditEntry> invitationsTo(String user, int limit);

    /** Records that {@code owner} has scheduled with {@code address}, so that it counts as a known sender. */
    default void remember(String owner, String address) {
        remember(owner, List.of(address));
    }

    /**
     * Records that {@code owner} has scheduled with each of {@code addresses}, in one transaction; addresses already
     * known cost only a read.
     */
    void remember(String owner, java.util.Collection<String> addresses);

    /** @return true if {@code owner} has scheduled with {@code address} */
    boolean knows(String owner, String address);
}
