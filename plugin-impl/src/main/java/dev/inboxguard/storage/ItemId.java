package dev.inboxguard.storage;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Identifiers of stored items (inbox items, held items, queued mail): 128 random bits, so none can be guessed. */
public final class ItemId {
    private static final SecureRandom RANDOM = new SecureRandom();

    private ItemId() {
    }

    /** @return a new identifier, 32 hex digits */
    public static String random() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
