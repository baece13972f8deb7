package dev.inboxguard.mime;

import dev.inboxguard.api.AuthenticationResult;
import dev.inboxguard.api.CalendarUserAddress;
import java.util.List;
import java.util.Optional;

/**
 * What the guard takes from one e-mail: the calendar part and the header facts. Nothing else of the message is
 * kept.
 *
 * @param calendar              the text/calendar part, decoded and converted to UTF-8
 * @param mimeMethod            the {@code method} parameter of its Content-Type, if any (RFC 6047 §2.4)
 * @param otherCalendarParts    the e-mail's other calendar-bearing parts, which a client might act on instead
 * @param returnPath            the Return-Path header (the envelope sender, as the final MTA recorded it)
 * @param from                  the first From address
 * @param sender                the Sender address
 * @param replyTo               the Reply-To addresses
 * @param to                    the To, Cc and Delivered-To addresses, for guessing the recipient offline
 * @param messageId             the Message-ID
 * @param authenticationResults results from trusted Authentication-Results headers
 * @param texts                 the e-mail's own text/plain and text/html bodies (inline, capped), whose links the
 *                              guard also judges
 */
public record ImipMessage(byte[] calendar, Optional<String> mimeMethod, List<CalendarPart> otherCalendarParts,
                          Optional<CalendarUserAddress> returnPath,
                          Optional<CalendarUserAddress> from, Optional<CalendarUserAddress> sender,
                          List<CalendarUserAddress> replyTo, List<CalendarUserAddress> to,
                          Optional<String> messageId, List<AuthenticationResult> authenticationResults,
                          List<MailText> texts) {

    /** Copies the lists. */
    public ImipMessage {
        otherCalendarParts = List.copyOf(otherCalendarParts);
        replyTo = List.copyOf(replyTo);
        to = List.copyOf(to);
        authenticationResults = List.copyOf(authenticationResults);
        texts = List.copyOf(texts);
    }

    /**
     * One inline text body of the e-mail.
     *
     * @param html true for text/html, false for text/plain
     * @param text the decoded text, at most {@link ImipMessageReader#MAX_TEXT_CHARS} characters
     */
    public record MailText(boolean html, String text) {
    }
}
