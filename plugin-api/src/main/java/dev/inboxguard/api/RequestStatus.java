package dev.inboxguard.api;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An iTIP REQUEST-STATUS (RFC 5546 §3.6): a dotted code and its description, written {@code 3.8;No authority}.
 * Classes: 2.x success, 3.x request error (permanent), 4.x scheduling error, 5.x service error.
 *
 * @param code        the dotted status code, e.g. {@code 3.8}
 * @param description the short description
 */
public record RequestStatus(String code, String description) {
    private static final Pattern CODE = Pattern.compile("[1-5]\\.\\d{1,2}(\\.\\d{1,2})?");

    /** 2.0: the message was accepted. */
    public static final RequestStatus SUCCESS = new RequestStatus("2.0", "Success");
    /** 3.1: a property value is not valid. */
    public static final RequestStatus INVALID_PROPERTY_VALUE = new RequestStatus("3.1", "Invalid property value");
    /** 3.8: the sender may not do this. */
    public static final RequestStatus NO_AUTHORITY = new RequestStatus("3.8", "No authority");
    /** 5.1: try again later. */
    public static final RequestStatus SERVICE_UNAVAILABLE = new RequestStatus("5.1", "Service unavailable");

    /** Checks the code's shape. */
    public RequestStatus {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(description, "description");
        if (!CODE.matcher(code).matches()) {
            throw new IllegalArgumentException("not a request-status code: " + code);
        }
        if (description.isBlank() || description.indexOf(';') >= 0 || description.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("bad request-status description: " + description);
        }
    }

    /**
     * @param text a status such as {@code 3.8;No authority}
     * @return the parsed status
     * @throws IllegalArgumentException if the text has no {@code ;} or a bad code
     */
    public static RequestStatus parse(String text) {
        int semi = text.indexOf(';');
        if (semi < 0) {
            throw new IllegalArgumentException("expected CODE;Description, got: " + text);
        }
        int end = text.indexOf(';', semi + 1);
        return new RequestStatus(text.substring(0, semi).strip(),
                (end < 0 ? text.substring(semi + 1) : text.substring(semi + 1, end)).strip());
    }

    /** @return true for 2.x */
    public boolean isSuccess() {
        return code.startsWith("2.");
    }

    @Override
    public String toString() {
        return code + ";" + description;
    }
}
