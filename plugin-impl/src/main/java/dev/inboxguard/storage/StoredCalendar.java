package dev.inboxguard.storage;

import java.util.Objects;
import java.util.Set;

/**
 * A calendar collection.
 *
 * @param owner       the owning user
 * @param name        the URL segment
 * @param displayName DAV:displayname
 * @param components  supported-calendar-component-set (VEVENT, VTODO, ...)
 * @param revision    bumped by every change to the calendar or its objects (the CTag and the sync token)
 */
public record StoredCalendar(String owner, String name, String displayName, Set<String> components, long revision) {
    /** Copies the component set. */
    public StoredCalendar {
        Objects.requireNonNull(owner);
        Objects.requireNonNull(name);
        displayName = displayName == null ? name : displayName;
        components = Set.copyOf(components);
    }
}
