package dev.inboxguard.ical;

import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.RequestStatus;
import dev.inboxguard.api.Severity;

/** The findings that readers report when input cannot be read: over a limit, or not well-formed. */
public final class InputFindings {
    /** iTIP status for input over a limit (RFC 5546 §3.6). */
    public static final RequestStatus TOO_LARGE = new RequestStatus("3.10", "Request entity too large");
    /** iTIP status for input that is not well-formed iCalendar or MIME. */
    public static final RequestStatus UNREADABLE = new RequestStatus("3.4", "Invalid calendar component sequence");

    private InputFindings() {
    }

    /**
     * @param message  what is too large, for a person
     * @param property the property or part concerned, or null
     * @return a {@code limits.size} finding
     */
    public static Finding tooLarge(String message, String property) {
        return Finding.of(FindingCode.LIMITS_SIZE, Severity.HIGH, message).about(property, null)
                .withRequestStatus(TOO_LARGE);
    }

    /**
     * @param message  what is wrong, for a person
     * @param property the property or part concerned, or null
     * @return a {@code malformed} finding
     */
    public static Finding malformed(String message, String property) {
        return Finding.of(FindingCode.MALFORMED, Severity.HIGH, message).about(property, null)
                .withRequestStatus(UNREADABLE);
    }

    /**
     * What went wrong, in the project's own words: a library's exception text (a class name, a parser's message,
     * part of the input) never reaches a sender or a client. The text itself goes to the debug log.
     *
     * @param e a parser failure
     * @return one phrase about it
     */
    public static String describe(Throwable e) {
        org.slf4j.LoggerFactory.getLogger(InputFindings.class).debug("unreadable input: {}", e.toString());
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.time.format.DateTimeParseException || t instanceof java.time.DateTimeException) {
                return "a date, time or duration that cannot be read";
            }
            if (t instanceof java.net.URISyntaxException) {
                return "an address or link that is not a valid URI";
            }
            if (t instanceof NumberFormatException) {
                return "a number that cannot be read";
            }
            if (t instanceof java.io.UnsupportedEncodingException
                    || t instanceof java.nio.charset.CharacterCodingException) {
                return "text in an encoding that cannot be read";
            }
            if (t instanceof java.io.IOException && !(t instanceof java.io.EOFException)) {
                return "the input ends or breaks off where it should go on";
            }
        }
        return "text that does not follow the format's grammar";
    }
}
