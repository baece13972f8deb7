package dev.inboxguard.storage;

/**
 * An e-mail in the outbound queue: accepted from a local user's scheduling and owed to a remote calendar user until
 * the relay takes it or the queue gives up.
 *
 * @param id           its identifier
 * @param created      when it was queued, epoch milliseconds
 * @param envelopeFrom the SMTP MAIL FROM address (no {@code mailto:})
 * @param envelopeTo   the SMTP RCPT TO address
 * @param method       the iTIP METHOD it carries
 * @param uid          the UID it schedules
 * @param message      the whole RFC 5322 message, CRLF line ends
 * @param attempts     how many times sending began
 * @param nextAttempt  when it is due, epoch milliseconds (while being sent: when its claim lapses)
 * @param state        {@code queued}, {@code sent} or {@code failed}
 * @param lastError    the relay's last answer or the connection failure, empty if none
 * @param finished     when it was sent or given up, 0 while queued
 */
public record QueuedMail(String id, long created, String envelopeFrom, String envelopeTo, String method, String uid,
                         byte[] message, int attempts, long nextAttempt, String state, String lastError,
                         long finished) {
    /** Waiting for its next attempt. */
    public static final String QUEUED = "queued";
    /** Accepted by the relay. */
    public static final String SENT = "sent";
    /** Refused for good by the relay, or not accepted in time. */
    public static final String FAILED = "failed";
    /** Accepted by the relay, then bounced: a delivery status notification (RFC 3464) said it failed. */
    public static final String BOUNCED = "bounced";

    /**
     * @return the message's Message-ID with its angle brackets, from its own header; empty if it has none. We wrote
     *         the header ourselves, so the first Message-ID line before the blank line is the one.
     */
    public String messageId() {
        int lineStart = 0;
        while (lineStart < message.length) {
            int end = lineStart;
            while (end < message.length && message[end] != '\n') {
                end++;
            }
            String line = new String(message, lineStart, end - lineStart, java.nio.charset.StandardCharsets.US_ASCII)
                    .stripTrailing();
            if (line.isEmpty()) {
                return "";
            }
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equalsIgnoreCase("Message-ID")) {
                String id = line.substring(colon + 1).strip();
                return id.length() <= 255 ? id : "";
            }
            lineStart = end + 1;
        }
        return "";
    }
}
