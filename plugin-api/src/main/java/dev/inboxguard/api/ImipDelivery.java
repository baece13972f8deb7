package dev.inboxguard.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Transport facts of a message that arrived by e-mail (iMIP, RFC 6047).
 *
 * @param envelopeSender        the SMTP envelope sender (MAIL FROM, or the Return-Path header); empty for a null
 *                              sender
 * @param from                  the first address of the From header
 * @param sender                the Sender header address
 * @param replyTo               the Reply-To addresses
 * @param messageId             the Message-ID header
 * @param authenticatedDomains  domains that a trusted party outside the message asserts are authenticated (an
 *                              MTA's verdict, or {@code check --authenticated}); they count for the envelope
 *                              sender and the From address alike
 * @param authenticationResults trusted per-mechanism results (from Authentication-Results headers with a trusted
 *                              authserv-id, or the guard's own DKIM verification); the guard ties each to the
 *                              identity it authenticates
 */
public record ImipDelivery(Optional<CalendarUserAddress> envelopeSender,
                           Optional<CalendarUserAddress> from,
                           Optional<CalendarUserAddress> sender,
                           List<CalendarUserAddress> replyTo,
                           Optional<String> messageId,
                           Set<String> authenticatedDomains,
                           List<AuthenticationResult> authenticationResults) implements TransportFacts {

    /** Copies every collection, so the facts cannot change after construction. */
    public ImipDelivery {
        Objects.requireNonNull(envelopeSender, "envelopeSender");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(messageId, "messageId");
        replyTo = List.copyOf(replyTo);
        authenticatedDomains = Set.copyOf(authenticatedDomains);
        authenticationResults = List.copyOf(authenticationResults);
    }

    @Override
    public Transport transport() {
        return Transport.IMIP;
    }
}
