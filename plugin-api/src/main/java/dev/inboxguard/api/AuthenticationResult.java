package dev.inboxguard.api;

import java.util.Locale;
import java.util.Objects;

/**
 * One authentication result about an iMIP message (RFC 8601), taken only from a source the guard trusts: an
 * {@code Authentication-Results} header with a configured authserv-id, or the guard's own verification.
 *
 * @param method     the method, lower case: {@code dkim}, {@code spf}, {@code dmarc}, ...
 * @param result     the result, lower case: {@code pass}, {@code fail}, {@code none}, ...
 * @param domain     the domain the result is about (DKIM {@code header.d}, SPF {@code smtp.mailfrom} domain,
 *                   DMARC {@code header.from}); empty if the result names none
 * @param authservId who produced the result
 */
public record AuthenticationResult(String method, String result, String domain, String authservId) {

    /** Normalises case, so results compare simply. */
    public AuthenticationResult {
        method = Objects.requireNonNull(method, "method").toLowerCase(Locale.ROOT);
        result = Objects.requireNonNull(result, "result").toLowerCase(Locale.ROOT);
        domain = Objects.requireNonNull(domain, "domain").toLowerCase(Locale.ROOT);
        Objects.requireNonNull(authservId, "authservId");
    }

    /** @return true if this result is a pass that authenticates {@link #domain()} */
    public boolean passed() {
        return result.equals("pass") && !domain.isEmpty();
    }
}
