package dev.inboxguard.mime;

import java.util.Optional;

/**
 * One calendar-bearing part of an e-mail.
 *
 * @param bytes      its body, decoded and converted to UTF-8
 * @param mimeMethod the {@code method} parameter of its Content-Type, if any
 * @param name       how a person finds it in the e-mail: its position, type and file name
 */
public record CalendarPart(byte[] bytes, Optional<String> mimeMethod, String name) {
}
