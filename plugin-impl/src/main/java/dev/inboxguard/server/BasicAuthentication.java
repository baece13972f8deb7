package dev.inboxguard.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import javax.servlet.Filter;
import javax.servlet.FilterChain;
import javax.servlet.ServletException;
import javax.servlet.ServletRequest;
import javax.servlet.ServletResponse;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * HTTP Basic authentication (RFC 7617) in front of everything but the health check. The authenticated
 * {@link Account} is put in the request attribute {@link #ACCOUNT}; a request without valid credentials gets 401
 * and a challenge that asks for UTF-8.
 */
public final class BasicAuthentication implements Filter {
    /** The request attribute that holds the authenticated account. */
    public static final String ACCOUNT = "dev.inboxguard.account";
    /** The WWW-Authenticate challenge. */
    public static final String CHALLENGE = "Basic realm=\"InboxGuard\", charset=\"UTF-8\"";
    private static final int MAX_HEADER = 1024;

    private final Accounts accounts;

    /** @param accounts the users */
    public BasicAuthentication(Accounts accounts) {
        this.accounts = accounts;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        HttpServletRequest request = (HttpServletRequest) req;
        HttpServletResponse response = (HttpServletResponse) res;
        Optional<Account> account;
        try {
            account = authenticate(accounts, request.getHeader("Authorization"));
        } catch (Accounts.Busy e) {
            response.setHeader("Retry-After", "1");
            response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "Too many logins at once; try again");
            return;
        }
        if (account.isEmpty()) {
            response.setHeader("WWW-Authenticate", CHALLENGE);
            response.sendError(HttpServletResponse.SC_UNAUTHORIZED, "Authentication required");
            return;
        }
        request.setAttribute(ACCOUNT, account.get());
        chain.doFilter(request, response);
    }

    /**
     * @param accounts the users
     * @param header   an Authorization header, or null
     * @return the account, if the header holds well-formed Basic credentials that are right
     * @throws Accounts.Busy when too many passwords are being checked at once
     */
    public static Optional<Account> authenticate(Accounts accounts, String header) {
        return credentials(header).flatMap(c -> accounts.authenticate(c[0], c[1]));
    }

    /** @return user and password, if the header is well-formed Basic credentials */
    static Optional<String[]> credentials(String header) {
        if (header == null || header.length() > MAX_HEADER || header.length() < 6
                || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        return Optional.of(new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)});
    }
}
