package dev.inboxguard.imip;

/**
 * One reply of the mail listeners: an SMTP code, an enhanced status code (RFC 3463) and a text. The text is made
 * safe for the wire: printable ASCII only, one line, bounded.
 *
 * @param code     the three-digit reply code
 * @param status   the enhanced status code, such as {@code 5.7.1}
 * @param text     what it means, for the sender's postmaster
 */
public record MailReply(int code, String status, String text) {
    private static final int MAX_TEXT = 400;

    /** Makes the text wire-safe. */
    public MailReply {
        StringBuilder b = new StringBuilder(Math.min(text.length(), MAX_TEXT));
        for (int i = 0; i < text.length() && b.length() < MAX_TEXT; i++) {
            char c = text.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        text = b.toString();
    }

    /** @return true for a 2xx reply */
    public boolean positive() {
        return code / 100 == 2;
    }

    /** @return true for a 4xx reply: the sender should try again */
    public boolean transientFailure() {
        return code / 100 == 4;
    }

    /** @return the reply line, without its CRLF */
    public String line() {
        return code + " " + status + " " + text; // not String.format: this runs for every message, on its hot path
    }

    /**
     * @param line a line made by {@link #line()}
     * @return the reply
     * @throws IllegalArgumentException if it is not one
     */
    public static MailReply parse(String line) {
        String[] parts = line.split(" ", 3);
        if (parts.length < 3 || !parts[0].matches("[2-5][0-9][0-9]") || !parts[1].matches("[245]\\.[0-9]{1,3}\\.[0-9]{1,3}")) {
            throw new IllegalArgumentException("not a reply line: " + line);
        }
        return new MailReply(Integer.parseInt(parts[0]), parts[1], parts[2]);
    }

    @Override
    public String toString() {
        return line();
    }
}
