package dev.inboxguard.storage;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Identifiers of stored items (inbox items, attendees' copies of events, held items, queued mail): 128 random bits,
 * so none can be guessed.
 */
public final class ItemId {
    private static final SecureRandom RANDOM = new SecureRandom();

    private ItemId() {
    }

    /**
     * An identifier that sorts after those made earlier: the time in milliseconds (12 hex digits), then 128 random
     * bits. For names that are part of a table's key: a new name lands at the end of its owner's range of the key's
     * B-tree, so a commit rewrites the page there, which the next one rewrites again, rather than a page anywhere in
     * the tree. Each page so left behind in an older chunk of the embedded store is work for its compaction, which under
     * load was more than half of what H2 compressed.
     *
     * @param millis the time now, as {@link java.time.Clock#millis()}
     * @return a new identifier, 44 hex digits
     */
    public static String ordered(long millis) {
        return String.format("%012x", Math.max(0, millis)) + random();
    }

    /** @return a new identifier, 32 hex digits */
    public static String random() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
