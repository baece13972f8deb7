package dev.inboxguard.api;

/**
 * What the transport tells about who sent a message. These facts come from the server (the authenticated
 * principal) or the mail system (envelope, headers, authentication results), never from the calendar data, so
 * checks can hold the calendar data against them.
 */
public sealed interface TransportFacts permits CaldavSubmission, ImipDelivery {
    /** @return the transport these facts describe */
    Transport transport();
}
