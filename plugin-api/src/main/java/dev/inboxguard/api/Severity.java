package dev.inboxguard.api;

import java.util.Locale;

/** How serious a finding is, from the check's point of view. The policy may still decide otherwise. */
public enum Severity {
    /** Worth knowing; no harm expected. */
    INFO,
    /** Unusual but probably harmless. */
    LOW,
    /** Could mislead or inconvenience the recipient. */
    MEDIUM,
    /** Likely an attack or a serious error. */
    HIGH,
    /** The message could harm the recipient or the server. */
    CRITICAL;

    /** @return the lower-case name used in configuration and JSON */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
