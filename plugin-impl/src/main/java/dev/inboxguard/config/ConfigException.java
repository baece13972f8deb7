package dev.inboxguard.config;

/** The configuration cannot be used; the message is one line for the operator. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** @param message what is wrong, and where */
    public ConfigException(String message) {
        super(message);
    }
}
