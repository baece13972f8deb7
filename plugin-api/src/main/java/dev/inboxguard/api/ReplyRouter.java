package dev.inboxguard.api;

import java.util.Optional;

/**
 * Decides where an iTIP REPLY goes when the organizer has someone act for them. An assistant A sends an
 * invitation for organizer B: the ORGANIZER is B with {@code SENT-BY} A. The specifications do not say whether
 * replies go to A, to B or to both (RFC 5546 §3.2.2.5 sends them to the ORGANIZER), so this is the operator's
 * policy. The server asks the router for every REPLY it sends or receives.
 */
public interface ReplyRouter {

    /**
     * @param organizer the ORGANIZER of the event
     * @param sentBy    its SENT-BY, if any
     * @return who the reply is delivered to, and why
     */
    ReplyRoute route(CalendarUserAddress organizer, Optional<CalendarUserAddress> sentBy);

    /**
     * Where an inbound REPLY goes. A reply addressed to the organizer's SENT-BY, when that sender is trusted to act
     * for the organizer, belongs to the organizer as well: it is routed as {@link #route} says. Anything else is
     * delivered as addressed.
     *
     * @param addressedTo the calendar user the reply was sent to
     * @param organizer   the ORGANIZER of the event
     * @param sentBy      its SENT-BY, if any
     * @return who the reply is delivered to, and why
     */
    ReplyRoute routeInbound(CalendarUserAddress addressedTo, CalendarUserAddress organizer,
                            Optional<CalendarUserAddress> sentBy);
}
