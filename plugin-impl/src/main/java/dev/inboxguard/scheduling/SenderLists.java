package dev.inboxguard.scheduling;

import dev.inboxguard.api.CalendarUserAddress;
import java.net.IDN;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How entries on a user's allow and block lists are written and matched: an address as {@code mailto:} plus the
 * lower-case address, a domain as {@code @} plus the domain. A domain entry covers its subdomains.
 */
public final class SenderLists {
    private static final Pattern DOMAIN = Pattern.compile("(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+"
            + "[a-z0-9-]{2,63}");

    private static final Pattern LOCAL = Pattern.compile("[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}");

    private SenderLists() {
    }

    /**
     * @param text what a person typed: {@code someone@example.com}, {@code mailto:…}, {@code @example.com} or
     *             {@code example.com}
     * @return the entry to keep, or empty if it names no address or domain
     */
    public static Optional<String> entry(String text) {
        if (text == null) {
            return Optional.empty();
        }
        String t = text.strip();
        if (t.length() > 320 || t.isEmpty()) {
            return Optional.empty();
        }
        if (t.regionMatches(true, 0, "mailto:", 0, 7) || t.indexOf('@') > 0) {
            // a plain mailbox only: the lists are for people, and an entry is shown back on a page
            return CalendarUserAddress.parse(t.regionMatches(true, 0, "mailto:", 0, 7) ? t : "mailto:" + t)
                    .flatMap(CalendarUserAddress::email).map(e -> e.toLowerCase(Locale.ROOT))
                    .filter(e -> LOCAL.matcher(e.substring(0, e.lastIndexOf('@'))).matches()
                            && DOMAIN.matcher(e.substring(e.lastIndexOf('@') + 1)).matches())
                    .map(e -> "mailto:" + e);
        }
        String domain = t.startsWith("@") ? t.substring(1) : t;
        try {
            domain = IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        return DOMAIN.matcher(domain).matches() ? Optional.of("@" + domain) : Optional.empty();
    }

    /** @return the entries that would match this sender: its address, its domain and each parent domain */
    public static List<String> keys(CalendarUserAddress sender) {
        List<String> keys = new ArrayList<>();
        Optional<String> email = sender.email();
        if (email.isEmpty()) {
            keys.add(sender.uri().toLowerCase(Locale.ROOT));
            return keys;
        }
        keys.add("mailto:" + email.get().toLowerCase(Locale.ROOT));
        Optional<String> domain = sender.domain();
        if (domain.isPresent()) {
            // entries keep domains in their ASCII form; a sender's may arrive in Unicode
            String d;
            try {
                d = IDN.toASCII(domain.get(), IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT);
            } catch (IllegalArgumentException e) {
                d = domain.get().toLowerCase(Locale.ROOT);
            }
            // at most ten levels: a domain is bounded by its length anyway, and a list lookup by its key count
            for (int i = 0; i < 10 && d.indexOf('.') > 0; i++) {
                keys.add("@" + d);
                d = d.substring(d.indexOf('.') + 1);
            }
        }
        return keys;
    }
}
