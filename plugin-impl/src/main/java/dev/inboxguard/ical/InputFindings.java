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
     * @param e a parser failure
     * @return one line about it, without a stack trace and without echoing much of the input
     */
    public static String describe(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            m = e.getClass().getSimpleName();
        }
        m = m.replaceAll("[\\r\\n\\t]+", " ").strip();
        return m.length() <= 200 ? m : m.substring(0, 197) + "...";
    }
}
