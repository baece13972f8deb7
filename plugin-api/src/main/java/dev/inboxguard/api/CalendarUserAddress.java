package dev.inboxguard.api;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A calendar user address (RFC 5545 CAL-ADDRESS), normalised so that two spellings of one address are equal.
 *
 * <p>The URI scheme and the whole of a {@code mailto:} address are compared without regard to case. RFC 5321 lets a
 * receiving domain treat local parts as case-sensitive, but no mail system in use does, and calendar clients
 * write the same person as {@code John.Smith@} and {@code john.smith@}. A bare e-mail address is read as
 * {@code mailto:}. Resolving aliases of one user (the CalDAV calendar-user-address-set) is the job of
 * {@link RecipientContext}, not of this type.
 */
public final class CalendarUserAddress {
    private static final int MAX_LENGTH = 2048;

    private final String uri;

    private CalendarUserAddress(String uri) {
        this.uri = uri;
    }

    /**
     * Parses an address such as {@code mailto:Bob@Example.org}, {@code MAILTO:bob@example.org} or
     * {@code bob@example.org}.
     *
     * @param text the address as written in a property, header or command line
     * @return the normalised address
     * @throws IllegalArgumentException if the text is blank, too long or has no scheme and no {@code @}
     */
    public static CalendarUserAddress of(String text) {
        Objects.requireNonNull(text, "text");
        String t = text.strip();
        if (t.startsWith("<") && t.endsWith(">")) {
            t = t.substring(1, t.length() - 1).strip();
        }
        if (t.isEmpty() || t.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("not a calendar user address: " + abbreviate(text));
        }
        int colon = t.indexOf(':');
        int at = t.indexOf('@');
        if (colon < 0 || (at >= 0 && at < colon)) {
            if (at <= 0 || at == t.length() - 1) {
                throw new IllegalArgumentException("not a calendar user address: " + abbreviate(text));
            }
            t = "mailto:" + t;
            colon = 6;
        }
        String scheme = t.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = t.substring(colon + 1);
        if (scheme.equals("mailto")) {
            int sign = rest.lastIndexOf('@');
            if (sign <= 0 || sign == rest.length() - 1) {
                throw new IllegalArgumentException("not an e-mail address: " + abbreviate(text));
            }
            rest = rest.toLowerCase(Locale.ROOT);
        }
        return new CalendarUserAddress(scheme + ":" + rest);
    }

    /**
     * Like {@link #of(String)}, but answers empty instead of throwing for text that is not an address.
     *
     * @param text the address text, possibly null
     * @return the address, or empty
     */
    public static Optional<CalendarUserAddress> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(of(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** @return the normalised URI, e.g. {@code mailto:bob@example.org} */
    public String uri() {
        return uri;
    }

    /** @return true for {@code mailto:} addresses */
    public boolean isMailto() {
        return uri.startsWith("mailto:");
    }

    /** @return the e-mail address without the scheme, for {@code mailto:} addresses */
    public Optional<String> email() {
        return isMailto() ? Optional.of(uri.substring(7)) : Optional.empty();
    }

    /** @return the lower-case domain of a {@code mailto:} address */
    public Optional<String> domain() {
        return email().map(e -> e.substring(e.lastIndexOf('@') + 1));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CalendarUserAddress other && other.uri.equals(uri);
    }

    @Override
    public int hashCode() {
        return uri.hashCode();
    }

    @Override
    public String toString() {
        return uri;
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
