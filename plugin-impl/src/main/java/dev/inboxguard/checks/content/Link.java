package dev.inboxguard.checks.content;

import java.util.Optional;

/**
 * A link found in an incoming object: where it points, where it was found, and, for an HTML link, the text it
 * shows.
 *
 * @param url      the link as written
 * @param property the property it was found in, e.g. DESCRIPTION or X-ALT-DESC
 * @param shown    the text of an HTML link, if any
 */
record Link(String url, String property, Optional<String> shown) {
}
