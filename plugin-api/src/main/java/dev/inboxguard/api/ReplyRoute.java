package dev.inboxguard.api;

import java.util.List;
import java.util.Objects;

/**
 * Where a REPLY is delivered.
 *
 * @param deliverTo the calendar users who receive it, in order, without duplicates
 * @param reason    which rule decided, for logs and for {@code inboxguard route}
 */
public record ReplyRoute(List<CalendarUserAddress> deliverTo, String reason) {

    /** Copies the list and requires at least one recipient. */
    public ReplyRoute {
        deliverTo = List.copyOf(deliverTo);
        Objects.requireNonNull(reason, "reason");
        if (deliverTo.isEmpty()) {
            throw new IllegalArgumentException("a reply goes somewhere");
        }
    }
}
