package dev.inboxguard.approval;

import java.util.List;

/**
 * A held item as the page shows it.
 *
 * @param id         the item's identifier (in its form actions)
 * @param kind       what it is and who decides it, in words
 * @param event      the event it schedules
 * @param links      the flagged links, shown inert, each with why
 * @param reasons    why it was held, one sentence a finding
 * @param approve    what Approve does, in words
 * @param deny       what Deny does, in words
 * @param provenance where it came from, in words
 * @param received   when it arrived, in the reader's zone
 */
public record HeldCard(String id, String kind, EventView event, List<FlaggedLink> links, List<String> reasons,
                       String approve, String deny, String provenance, String received) {
}
