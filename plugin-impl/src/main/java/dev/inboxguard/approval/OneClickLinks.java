package dev.inboxguard.approval;

import dev.inboxguard.storage.PreferenceStore;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The links in mail about held items: each names one user, one held item and one action, expires, and is signed
 * with HMAC-SHA256 under a key every node shares (kept in the database). A link only ever opens a page that asks
 * to confirm; the decision is the confirming POST, and a decision link works once.
 */
final class OneClickLinks {
    /** How long a link in a mail works: long enough for a weekend away, shorter than retention keeps held items. */
    static final Duration LIFETIME = Duration.ofDays(7);
    /** How long an unsubscribe link works: a mail program offers its button as long as the mail is kept. */
    static final Duration UNSUBSCRIBE_LIFETIME = Duration.ofDays(365);
    /** The actions a link can carry. */
    static final List<String> ACTIONS = List.of("approve", "deny", "spam", "unsubscribe");
    private static final int MAX_TOKEN = 600;

    /**
     * A verified link.
     *
     * @param user    the user it acts for
     * @param heldId  the held item, or {@code -} for unsubscribing
     * @param action  approve, deny, spam or unsubscribe
     * @param expires when it stops working, in epoch seconds
     * @param hash    the link's signature in hex (unique to it), to record its single use
     */
    record Link(String user, String heldId, String action, long expires, String hash) {
    }

    /** Why a link was not taken. */
    enum Refusal { FORGED, EXPIRED }

    private final PreferenceStore store;
    private final Clock clock;
    private volatile byte[] key;

    OneClickLinks(PreferenceStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** @return a token for this user, item and action, valid for {@link #LIFETIME} (unsubscribing: a year) */
    String sign(String user, String heldId, String action) {
        long expires = clock.instant().plus(action.equals("unsubscribe") ? UNSUBSCRIBE_LIFETIME : LIFETIME)
                .getEpochSecond();
        String payload = user + "\n" + heldId + "\n" + action + "\n" + expires;
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + b64.encodeToString(mac(payload));
    }

    /** @return the link a token carries, if this server signed it (in this very spelling); the refusal otherwise */
    Verified verify(String token) {
        if (token == null || token.length() > MAX_TOKEN || token.indexOf('.') < 0) {
            return new Verified(Optional.empty(), Optional.of(Refusal.FORGED));
        }
        try {
            String[] parts = token.split("\\.", 2);
            byte[] payloadBytes = Base64.getUrlDecoder().decode(parts[0]);
            byte[] signature = Base64.getUrlDecoder().decode(parts[1]);
            // one spelling per link: Base64 ignores a last character's spare bits, and a second spelling of the same
            // bytes would be a second link to the single-use record
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            if (!b64.encodeToString(payloadBytes).equals(parts[0]) || !b64.encodeToString(signature).equals(parts[1])) {
                return new Verified(Optional.empty(), Optional.of(Refusal.FORGED));
            }
            String payload = new String(payloadBytes, StandardCharsets.UTF_8);
            if (!MessageDigest.isEqual(mac(payload), signature)) {
                return new Verified(Optional.empty(), Optional.of(Refusal.FORGED));
            }
            String[] f = payload.split("\n", -1);
            if (f.length != 4 || !ACTIONS.contains(f[2])) {
                return new Verified(Optional.empty(), Optional.of(Refusal.FORGED));
            }
            long expires = Long.parseLong(f[3]);
            if (clock.instant().getEpochSecond() > expires) {
                return new Verified(Optional.empty(), Optional.of(Refusal.EXPIRED));
            }
            return new Verified(Optional.of(new Link(f[0], f[1], f[2], expires,
                    HexFormat.of().formatHex(signature))), Optional.empty());
        } catch (IllegalArgumentException e) {
            return new Verified(Optional.empty(), Optional.of(Refusal.FORGED));
        }
    }

    /**
     * @param link    the link, if it verified
     * @param refusal why not, if it did not
     */
    record Verified(Optional<Link> link, Optional<Refusal> refusal) {
    }

    private byte[] mac(String payload) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key(), "HmacSHA256"));
            return mac.doFinal(payload.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 is missing", e);
        }
    }

    private byte[] key() {
        byte[] k = key;
        if (k == null) {
            k = HexFormat.of().parseHex(store.secret("one-click-links"));
            key = k;
        }
        return k;
    }
}
