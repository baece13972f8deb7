package dev.inboxguard.storage;

import java.util.List;
import java.util.Optional;

/**
 * What the iMIP gateway keeps: the outbound queue, and receipts of incoming messages, so that a message the MTA
 * sends twice (it lost our reply, or two nodes got it) is acted on once.
 */
public interface MailStore {

    /** @param mail a new message, in state {@code queued} */
    void enqueue(QueuedMail mail);

    /**
     * Claims messages that are due, so that no other sender takes them until the claim lapses. A sender that dies
     * mid-send leaves its claim to lapse, and the message is tried again.
     *
     * @param now        the time
     * @param claimUntil when the claim lapses
     * @param limit      at most this many
     * @return the claimed messages, their {@code attempts} already counting this one
     */
    List<QueuedMail> claimDue(long now, long claimUntil, int limit);

    /**
     * The relay accepted it. This and the two below change the message only while the caller's claim holds (its
     * {@code attempts} is still the one {@link #claimDue} returned), so a sender whose claim lapsed settles nothing.
     */
    void sent(QueuedMail claimed, long at);

    /** It is to be tried again at {@code nextAttempt}. */
    void retryAt(QueuedMail claimed, long nextAttempt, String error);

    /** It will not be sent. */
    void failed(QueuedMail claimed, long at, String error);

    /**
     * The claim is given back untried (its sender is stopping): due at {@code at}, with the attempt the claim
     * counted taken back.
     */
    void release(QueuedMail claimed, long at);

    /**
     * Finds what a delivery status notification is about, and marks it {@code bounced}: only a message the relay
     * accepted, sent from {@code envelopeFrom} (the local user the notification came to) to {@code envelopeTo}.
     *
     * @param messageId    its Message-ID, with angle brackets
     * @param envelopeFrom its sender, as queued
     * @param envelopeTo   the recipient the notification reports on
     * @param at           the time
     * @param why          what the notification said
     * @return the message, if this call marked it; empty if there is none, or it was marked already
     */
    Optional<QueuedMail> bounced(String messageId, String envelopeFrom, String envelopeTo, long at, String why);

    /** @return messages removed: those sent, given up or bounced before {@code before} */
    int pruneSettled(long before);

    /**
     * @param state a state, or empty for all
     * @param limit at most this many
     * @return messages, oldest first
     */
    List<QueuedMail> queue(Optional<String> state, int limit);

    /**
     * What waits to go out, for metrics.
     *
     * @param count   messages queued (not yet sent, not given up)
     * @param oldest  when the oldest of them was created, in epoch milliseconds; 0 if none
     */
    record Backlog(long count, long oldest) {
    }

    /** @return the outbound backlog */
    Backlog backlog();

    /** Where an incoming message stands. */
    sealed interface Receipt {
        /** Not seen before (or its earlier handling died): the caller handles it, then calls finish. */
        record New() implements Receipt {
        }

        /** Handled already; answer the same. */
        record Done(String reply) implements Receipt {
        }

        /** Being handled right now elsewhere. */
        record Busy() implements Receipt {
        }
    }

    /**
     * Claims an incoming message for handling.
     *
     * @param key         identifies the message and recipient (a digest of both)
     * @param now         the time
     * @param staleBefore a claim begun before this has died, and is taken over
     * @return whether to handle it
     */
    Receipt receive(String key, long now, long staleBefore);

    /** Records how an incoming message was answered. */
    void received(String key, String reply);

    /** Drops a claim whose handling failed, so that the MTA's retry handles it afresh. */
    void forgetReceipt(String key);

    /** Drops receipts older than {@code before}: an MTA gives up retrying after some days. */
    void pruneReceipts(long before);
}
