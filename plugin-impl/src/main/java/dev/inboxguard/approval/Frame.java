package dev.inboxguard.approval;

/**
 * What every signed-in page shows around its content.
 *
 * @param user    the signed-in user's display name
 * @param csrf    the session's CSRF token, for the page's forms (empty for HTTP Basic callers)
 * @param session true when signed in with the form (a sign-out button makes sense)
 * @param section which page this is: {@code held} or {@code settings}
 */
public record Frame(String user, String csrf, boolean session, String section) {
}
