package dev.inboxguard.scheduling;

/**
 * Where iTIP messages for remote calendar users go. The iMIP gateway sends them by mail; until one is configured,
 * {@link RecordingOutbound} keeps them.
 */
public interface OutboundImip {

    /**
     * Accepts a message for sending. It must be durable on return: the organizer is told it was sent.
     *
     * @param message the message
     * @return the SCHEDULE-STATUS code to record for the recipient: {@code 1.1} (sent), or a 5.x failure
     */
    String send(OutgoingItip message);
}
