package dev.inboxguard.imip;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The argument of MAIL FROM or RCPT TO (RFC 5321 §4.1.2): an address in angle brackets, maybe empty (the null
 * sender), maybe with an obsolete source route, then ESMTP parameters.
 *
 * @param address    the mailbox, without brackets or source route; empty for {@code <>}
 * @param parameters the parameters that follow, such as {@code SIZE=1234}
 */
record EnvelopePath(String address, List<String> parameters) {
    private static final int MAX_ADDRESS = 254; // RFC 5321 §4.5.3.1.3 path limit, less the brackets

    /**
     * @param arg    the command's argument, such as {@code FROM:<a@example.com> SIZE=10}
     * @param prefix {@code FROM:} or {@code TO:}
     * @return the path, or empty if it does not parse
     */
    static Optional<EnvelopePath> parse(String arg, String prefix) {
        if (!arg.toUpperCase(Locale.ROOT).startsWith(prefix)) {
            return Optional.empty();
        }
        String rest = arg.substring(prefix.length()).stripLeading(); // some clients put a space after the colon
        if (!rest.startsWith("<")) {
            return Optional.empty();
        }
        int close = -1;
        boolean quoted = false;
        for (int i = 1; i < rest.length(); i++) {
            char c = rest.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '\\' && quoted) {
                i++;
            } else if (c == '>' && !quoted) {
                close = i;
                break;
            }
        }
        if (close < 0) {
            return Optional.empty();
        }
        String address = rest.substring(1, close);
        if (address.startsWith("@")) {
            int colon = address.indexOf(':');
            if (colon < 0) {
                return Optional.empty();
            }
            address = address.substring(colon + 1);
        }
        if (address.length() > MAX_ADDRESS || address.chars().anyMatch(c -> c < 0x21 || c == 0x7f)
                || !address.isEmpty() && address.indexOf('@') < 1) {
            return Optional.empty();
        }
        List<String> parameters = new ArrayList<>();
        for (String p : rest.substring(close + 1).strip().split(" +")) {
            if (!p.isEmpty()) {
                parameters.add(p);
            }
        }
        return Optional.of(new EnvelopePath(address, parameters));
    }
}
