package dev.inboxguard.checks.content;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds links in property values without following any of them: a URI property is a link as a whole; free text is
 * searched for {@code scheme:} links and {@code www.} names; HTML (X-ALT-DESC) gives each anchor's href and the
 * text it shows. Bounded: at most {@link #MAX_LINKS} links per message, and no regular expression that can
 * backtrack over the whole text.
 */
final class LinkExtractor {
    static final int MAX_LINKS = 200;
    private static final int MAX_URL = 2048;
    private static final int MAX_SHOWN = 1000;
    /** Properties whose whole value is a URI. */
    static final Set<String> URI_PROPERTIES = Set.of("URL", "ATTACH", "CONFERENCE", "IMAGE", "TZURL", "SOURCE",
            "LINK");
    /** Properties of free text. */
    static final Set<String> TEXT_PROPERTIES = Set.of("DESCRIPTION", "LOCATION", "COMMENT", "SUMMARY",
            "STRUCTURED-DATA");
    private static final Pattern IN_TEXT = Pattern.compile(
            "(?i)\\b(?:(?:https?|ftp|file|javascript|vbscript|data|blob|filesystem|about)\\:[^\\s<>\"']{1," + MAX_URL
                    + "}|www\\.[^\\s<>\"']{1," + MAX_URL + "})");

    private LinkExtractor() {
    }

    /**
     * Adds the links of an e-mail's own body.
     *
     * @param html true for text/html: anchors give their href and shown text
     */
    static void extractBody(boolean html, String text, List<Link> out) {
        if (html) {
            anchors("e-mail body", text, out);
            text("e-mail body", stripTags(text), out);
        } else {
            text("e-mail body", text, out);
        }
    }

    /** Adds a property value that is one URI whatever the property, e.g. STRUCTURED-DATA;VALUE=URI. */
    static void extractUri(String property, String value, List<Link> out) {
        if (out.size() < MAX_LINKS && value != null && !value.isBlank()) {
            out.add(new Link(bound(value.strip()), property, Optional.empty()));
        }
    }

    /** Adds the links of one property value. */
    static void extract(String property, String value, List<Link> out) {
        String name = property.toUpperCase(Locale.ROOT);
        if (out.size() >= MAX_LINKS || value == null || value.isBlank()) {
            return;
        }
        if (URI_PROPERTIES.contains(name)) {
            out.add(new Link(bound(value.strip()), name, Optional.empty()));
        } else if (name.equals("X-ALT-DESC") || name.equals("STYLED-DESCRIPTION")) {
            anchors(name, value, out);
            text(name, stripTags(value), out);
        } else {
            text(name, value, out);
        }
    }

    private static void text(String property, String value, List<Link> out) {
        Matcher m = IN_TEXT.matcher(value);
        while (m.find() && out.size() < MAX_LINKS) {
            String url = trimTrailingPunctuation(m.group());
            if (out.stream().noneMatch(l -> l.url().equals(url))) {
                out.add(new Link(url, property, Optional.empty()));
            }
        }
    }

    /** Scans {@code <a ... href=...>text</a>} by hand: the input is hostile, so no backtracking regex. */
    private static void anchors(String property, String html, List<Link> out) {
        String lower = html.toLowerCase(Locale.ROOT);
        int at = 0;
        while (out.size() < MAX_LINKS) {
            int open = lower.indexOf("<a", at);
            if (open < 0) {
                return;
            }
            int close = lower.indexOf('>', open);
            if (close < 0) {
                return;
            }
            at = close + 1;
            if (open + 2 < lower.length() && !Character.isWhitespace(lower.charAt(open + 2))) {
                continue; // <abbr>, <area>, ...
            }
            Optional<String> href = attribute(html.substring(open, close), "href");
            if (href.isEmpty()) {
                continue;
            }
            // look for the closing tag only as far as the shown text is kept: 200 unclosed anchors in a long body
            // must not mean 200 searches to its end
            int end = lower.substring(at, Math.min(lower.length(), at + MAX_SHOWN + 3)).indexOf("</a");
            end = end < 0 ? -1 : at + end;
            String shown = stripTags(html.substring(at, end < 0 ? Math.min(html.length(), at + MAX_SHOWN)
                    : Math.min(end, at + MAX_SHOWN))).strip();
            out.add(new Link(bound(decodeEntities(href.get()).strip()), property,
                    shown.isEmpty() ? Optional.empty() : Optional.of(shown)));
        }
    }

    private static Optional<String> attribute(String tag, String name) {
        String lower = tag.toLowerCase(Locale.ROOT);
        int i = 0;
        while ((i = lower.indexOf(name, i)) >= 0) {
            int j = i + name.length();
            boolean startsWord = i > 0 && (Character.isWhitespace(lower.charAt(i - 1)) || lower.charAt(i - 1) == '"'
                    || lower.charAt(i - 1) == '\'');
            while (j < tag.length() && Character.isWhitespace(tag.charAt(j))) {
                j++;
            }
            if (!startsWord || j >= tag.length() || tag.charAt(j) != '=') {
                i = j;
                continue;
            }
            j++;
            while (j < tag.length() && Character.isWhitespace(tag.charAt(j))) {
                j++;
            }
            if (j >= tag.length()) {
                return Optional.empty();
            }
            char q = tag.charAt(j);
            if (q == '"' || q == '\'') {
                int e = tag.indexOf(q, j + 1);
                return Optional.of(tag.substring(j + 1, e < 0 ? tag.length() : e));
            }
            int e = j;
            while (e < tag.length() && !Character.isWhitespace(tag.charAt(e)) && tag.charAt(e) != '>') {
                e++;
            }
            return Optional.of(tag.substring(j, e));
        }
        return Optional.empty();
    }

    static String stripTags(String html) {
        StringBuilder sb = new StringBuilder(Math.min(html.length(), 1 << 16));
        boolean inTag = false;
        for (int i = 0; i < html.length(); i++) {
            char c = html.charAt(i);
            if (c == '<') {
                inTag = true;
                sb.append(' ');
            } else if (c == '>') {
                inTag = false;
            } else if (!inTag) {
                sb.append(c);
            }
        }
        return decodeEntities(sb.toString());
    }

    private static String decodeEntities(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int semi = -1;
            if (c == '&') {
                // entities are short: look no further than ten characters, so the work stays linear
                for (int j = i + 1; j < Math.min(s.length(), i + 11); j++) {
                    if (s.charAt(j) == ';') {
                        semi = j;
                        break;
                    }
                }
            }
            if (semi > i) {
                String entity = s.substring(i + 1, semi).toLowerCase(Locale.ROOT);
                String decoded = switch (entity) {
                    case "amp" -> "&";
                    case "lt" -> "<";
                    case "gt" -> ">";
                    case "quot" -> "\"";
                    case "apos", "#39" -> "'";
                    case "nbsp" -> " ";
                    default -> numeric(entity);
                };
                if (decoded != null) {
                    out.append(decoded);
                    i = semi;
                    continue;
                }
            }
            out.append(c);
        }
        return out.toString();
    }

    private static String numeric(String entity) {
        try {
            if (entity.startsWith("#x")) {
                return new String(Character.toChars(Integer.parseInt(entity.substring(2), 16)));
            }
            if (entity.startsWith("#")) {
                return new String(Character.toChars(Integer.parseInt(entity.substring(1))));
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        return null;
    }

    private static String trimTrailingPunctuation(String url) {
        int end = url.length();
        while (end > 0 && ".,;:!?)]}".indexOf(url.charAt(end - 1)) >= 0) {
            end--;
        }
        return url.substring(0, end);
    }

    private static String bound(String url) {
        return url.length() <= MAX_URL ? url : url.substring(0, MAX_URL);
    }
}
