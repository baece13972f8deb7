package dev.inboxguard.approval;

import java.util.List;

/**
 * An invitation that reached the user's calendar, with what they can still do about it.
 *
 * @param name       its key in URLs (in its form actions)
 * @param event      the event
 * @param notes      what the guard noted when it let it through (flagged findings), as sentences
 * @param provenance where it came from, in words
 * @param received   when it arrived
 */
public record DeliveredCard(String name, EventView event, List<String> notes, String provenance, String received) {
}
