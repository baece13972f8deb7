package dev.inboxguard.mime;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which {@code Authentication-Results} header fields are believed (RFC 8601 §5): those stamped with an authserv-id
 * the operator trusts, and only in the header block that the operator's own hosts wrote. Each MTA puts its
 * results above the {@code Received:} field it adds, or its milter does, so the fields above the first
 * {@code Received:} are the receiving MX's. Anything further down arrived with the message and is the sender's
 * text, whatever authserv-id it names.
 *
 * @param authservIds  trusted authserv-ids, compared without case
 * @param receivedHops how many {@code Received:} fields of the operator's own hosts (content filters between the
 *                     MX and the guard) may stand above a trusted header; 0 when the MX hands mail straight on
 */
public record HeaderTrust(Set<String> authservIds, int receivedHops) {
    /** Believes no header at all: for mail from the sender's own MTA (SMTP), and offline checks. */
    public static final HeaderTrust NONE = new HeaderTrust(Set.of(), 0);

    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

    /** Copies the ids in lower case and checks each looks like a host name, and the hop count. */
    public HeaderTrust {
        authservIds = Set.copyOf(authservIds.stream().map(s -> s.strip().toLowerCase(Locale.ROOT)).toList());
        for (String id : authservIds) {
            if (!HOST_NAME.matcher(id).matches()) {
                throw new IllegalArgumentException("a trusted authserv-id must be a host name (your MX's, as it "
                        + "writes it in Authentication-Results), got \"" + id + "\"");
            }
        }
        if (receivedHops < 0 || receivedHops > 20) {
            throw new IllegalArgumentException("imip.trustedReceivedHops must be between 0 and 20, got "
                    + receivedHops);
        }
    }

    /**
     * @param receivedAbove the {@code Received:} fields above the header, counted from the top
     * @return true if a header at that depth may be believed
     */
    boolean believesAt(int receivedAbove) {
        return !authservIds.isEmpty() && receivedAbove <= receivedHops;
    }
}
