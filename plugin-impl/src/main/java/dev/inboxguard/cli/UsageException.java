package dev.inboxguard.cli;

/** A mistake in how the command was called, or a file it cannot read: exit status 2 with one line. */
final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
        super(message);
    }
}
