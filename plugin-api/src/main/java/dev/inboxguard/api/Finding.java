package dev.inboxguard.api;

import java.util.Objects;
import java.util.Optional;

/**
 * Something a check found in a message.
 *
 * @param code          the stable code, e.g. {@link FindingCode#PARTY_CRASH}
 * @param severity      how serious the check thinks it is
 * @param message       an explanation a person understands, e.g. "a new 5-minute event every minute, forever"
 * @param property      the iCalendar property (or header) concerned, e.g. {@code ATTENDEE}; empty if none
 * @param value         the value concerned, e.g. {@code mailto:mallory@example.net}; empty if none
 * @param requestStatus the iTIP status that best describes the problem to a sender (e.g. 3.11 for a missing
 *                      property); the policy uses it when a rule rejects and names no status of its own
 */
public record Finding(FindingCode code, Severity severity, String message, Optional<String> property,
                      Optional<String> value, Optional<RequestStatus> requestStatus) {
    private static final int MAX_VALUE_LENGTH = 512;

    /** Validates and bounds the fields, since values often come straight from hostile input. */
    public Finding {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(property, "property");
        value = Objects.requireNonNull(value, "value").map(Finding::bound);
        Objects.requireNonNull(requestStatus, "requestStatus");
    }

    /**
     * @param code     the code
     * @param severity the severity
     * @param message  the explanation
     * @return a finding about no particular property
     */
    public static Finding of(FindingCode code, Severity severity, String message) {
        return new Finding(code, severity, message, Optional.empty(), Optional.empty(), Optional.empty());
    }

    /**
     * @param property the property or header name
     * @param value    its value, possibly null
     * @return a copy of this finding about that property
     */
    public Finding about(String property, String value) {
        return new Finding(code, severity, message, Optional.ofNullable(property), Optional.ofNullable(value),
                requestStatus);
    }

    /**
     * @param status the iTIP status that describes the problem
     * @return a copy of this finding carrying that status
     */
    public Finding withRequestStatus(RequestStatus status) {
        return new Finding(code, severity, message, property, value, Optional.of(status));
    }

    private static String bound(String v) {
        return v.length() <= MAX_VALUE_LENGTH ? v : v.substring(0, MAX_VALUE_LENGTH - 3) + "...";
    }
}
