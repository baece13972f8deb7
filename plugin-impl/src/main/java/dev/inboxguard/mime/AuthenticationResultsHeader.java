package dev.inboxguard.mime;

import dev.inboxguard.api.AuthenticationResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code Authentication-Results} header fields (RFC 8601) and keeps only those stamped by an authserv-id the
 * operator trusts. Any other such header could have been written by the sender, so it is ignored entirely.
 */
public final class AuthenticationResultsHeader {
    private static final int MAX_RESULTS = 64;
    /** Real headers are a few hundred characters; a longer one is not read at all. */
    static final int MAX_LENGTH = 8192;
    // compiled once: each message reads these fields, and String's regex methods compile their pattern every call
    private static final Pattern WHITE_SPACE = Pattern.compile("\\s+");
    private static final Pattern METHOD_VERSION = Pattern.compile("/.*");
    private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9._-]{1,253}");
    private static final Pattern QUOTED_PAIR = Pattern.compile("\\\\(.)");

    private AuthenticationResultsHeader() {
    }

    /**
     * @param value           the unfolded field body
     * @param trustedServIds  authserv-ids whose results count, compared without case
     * @return the results of this field, or nothing if its authserv-id is not trusted or it cannot be read
     */
    public static List<AuthenticationResult> parse(String value, Set<String> trustedServIds) {
        if (value.length() > MAX_LENGTH) {
            return List.of();
        }
        String text = stripComments(value);
        List<String> parts = splitOutsideQuotes(text, ';');
        if (parts.isEmpty()) {
            return List.of();
        }
        // "authserv-id [version]": the version is a number after the id
        String[] head = WHITE_SPACE.split(parts.get(0).strip());
        String servId = head[0].toLowerCase(Locale.ROOT);
        if (servId.isEmpty() || trustedServIds.stream().noneMatch(t -> t.equalsIgnoreCase(servId))) {
            return List.of();
        }
        List<AuthenticationResult> out = new ArrayList<>();
        for (int i = 1; i < parts.size() && out.size() < MAX_RESULTS; i++) {
            readResult(parts.get(i), servId).ifPresent(out::add);
        }
        return out;
    }

    private static java.util.Optional<AuthenticationResult> readResult(String resinfo, String servId) {
        List<String> tokens = tokens(resinfo);
        if (tokens.isEmpty()) {
            return java.util.Optional.empty();
        }
        String[] methodSpec = tokens.get(0).split("=", 2);
        if (methodSpec.length != 2) {
            return java.util.Optional.empty(); // "none" or garbage
        }
        String method = METHOD_VERSION.matcher(methodSpec[0]).replaceAll("").strip().toLowerCase(Locale.ROOT);
        String result = methodSpec[1].strip().toLowerCase(Locale.ROOT);
        String domain = "";
        for (String token : tokens.subList(1, tokens.size())) {
            String[] kv = token.split("=", 2);
            if (kv.length != 2) {
                continue;
            }
            String key = kv[0].strip().toLowerCase(Locale.ROOT);
            String val = unquote(kv[1].strip());
            String found = switch (method) {
                case "dkim" -> key.equals("header.d") ? val
                        : key.equals("header.i") && domain.isEmpty() ? afterAt(val) : null;
                case "spf" -> key.equals("smtp.mailfrom") ? afterAt(val) : null;
                case "dmarc" -> key.equals("header.from") ? afterAt(val) : null;
                default -> null;
            };
            if (found != null && !found.isEmpty()) {
                domain = found;
            }
        }
        if (!DOMAIN.matcher(domain).matches()) {
            domain = "";
        }
        return java.util.Optional.of(new AuthenticationResult(method, result, domain, servId));
    }

    private static String afterAt(String v) {
        int at = v.lastIndexOf('@');
        return at < 0 ? v : v.substring(at + 1);
    }

    private static String unquote(String v) {
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            return QUOTED_PAIR.matcher(v.substring(1, v.length() - 1)).replaceAll("$1");
        }
        return v;
    }

    /** Removes RFC 5322 comments (nested, with quoted pairs), keeping quoted strings intact. */
    static String stripComments(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length() && (quoted || depth > 0)) {
                if (depth == 0) {
                    out.append(c).append(s.charAt(i + 1));
                }
                i++;
            } else if (quoted) {
                out.append(c);
                if (c == '"') {
                    quoted = false;
                }
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && depth > 0) {
                depth--;
            } else if (depth == 0) {
                if (c == '"') {
                    quoted = true;
                }
                out.append(c);
            }
        }
        return out.toString();
    }

    private static List<String> splitOutsideQuotes(String s, char separator) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' && (i == 0 || s.charAt(i - 1) != '\\')) {
                quoted = !quoted;
            }
            if (c == separator && !quoted) {
                out.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        out.add(current.toString());
        return out;
    }

    /**
     * Splits "a=b  c = d" into ["a=b", "c=d"]: white space around '=' is allowed by the grammar. One pass, so its
     * cost is linear in the input whatever the input is.
     */
    private static List<String> tokens(String s) {
        StringBuilder joined = new StringBuilder(s.length());
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            }
            if (!quoted && Character.isWhitespace(c)) {
                // drop white space that touches an '=', fold other runs to one space
                int j = i;
                while (j < s.length() && Character.isWhitespace(s.charAt(j))) {
                    j++;
                }
                boolean nearEquals = (joined.length() > 0 && joined.charAt(joined.length() - 1) == '=')
                        || (j < s.length() && s.charAt(j) == '=');
                if (!nearEquals && joined.length() > 0 && j < s.length()) {
                    joined.append(' ');
                }
                i = j - 1;
                continue;
            }
            joined.append(c);
        }
        List<String> out = new ArrayList<>();
        for (String t : splitOutsideQuotes(joined.toString(), ' ')) {
            if (!t.isBlank()) {
                out.add(t.strip());
            }
        }
        return out;
    }
}
