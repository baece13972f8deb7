package dev.inboxguard.approval;

/** Escapes text for HTML element content and quoted attribute values. */
final class Html {
    private Html() {
    }

    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    // control characters would only confuse the reader; bidi overrides could disguise text
                    if (c < 0x20 && c != '\n' && c != '\t' || c >= 0x202A && c <= 0x202E || c >= 0x2066 && c <= 0x2069) {
                        b.append('\uFFFD');
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
