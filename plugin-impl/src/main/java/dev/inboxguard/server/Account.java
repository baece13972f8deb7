package dev.inboxguard.server;

import dev.inboxguard.api.CalendarUserAddress;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A user of the CalDAV server: the login name (also the last segment of their principal and home URLs), their
 * stored password, their display name and the calendar-user addresses they own (the first is the primary one).
 */
public record Account(String name, PasswordHash password, String displayName, List<CalendarUserAddress> addresses) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    /** Checks the name (it becomes a URL segment) and that the account has at least one address. */
    public Account {
        Objects.requireNonNull(password, "password");
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a user name is 1 to 64 of a-z, 0-9, '.', '_' and '-', "
                    + "starting with a letter or digit");
        }
        displayName = displayName == null || displayName.isBlank() ? name : displayName;
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("the user " + name + " has no calendar-user address");
        }
    }
}
