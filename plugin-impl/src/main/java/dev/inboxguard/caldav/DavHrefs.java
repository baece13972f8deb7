package dev.inboxguard.caldav;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Names in URLs. Calendar and object names are kept as the client meant them (spaces, non-ASCII and all); every
 * href the server writes percent-encodes them (RFC 3986 §2.1), and every href a client sends is decoded, so that a
 * name round-trips exactly.
 */
final class DavHrefs {
    private DavHrefs() {
    }

    /** @return one path segment, percent-encoded: unreserved characters and a few safe sub-delimiters stay */
    static String segment(String name) {
        StringBuilder b = new StringBuilder(name.length() + 8);
        for (byte x : name.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~@+=".indexOf(c) >= 0) {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return b.toString();
    }

    /**
     * @param href an href from a request body: a path, or an absolute URL on this server
     * @return its decoded path, or empty if it is not one
     */
    static Optional<String> path(String href) {
        String h = href.strip();
        if (h.isEmpty() || h.length() > 4096) {
            return Optional.empty();
        }
        if (!h.startsWith("/")) {
            try {
                URI uri = new URI(h);
                h = uri.getRawPath();
                if (h == null || !h.startsWith("/")) {
                    return Optional.empty();
                }
            } catch (URISyntaxException e) {
                return Optional.empty();
            }
        }
        return decode(h);
    }

    /** @return the percent-decoded text (UTF-8), or empty if an escape is broken or decodes to a control character */
    static Optional<String> decode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    return Optional.empty();
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return Optional.empty();
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < s.length()) {
                    bytes = s.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                out.writeBytes(bytes);
            }
        }
        String decoded = out.toString(StandardCharsets.UTF_8);
        return decoded.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f) ? Optional.empty() : Optional.of(decoded);
    }
}
