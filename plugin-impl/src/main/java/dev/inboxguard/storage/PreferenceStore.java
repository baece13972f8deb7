package dev.inboxguard.storage;

import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * What each user chose for themselves on the approval page: their settings, their allow and block lists, and the
 * invitations they reported as spam.
 */
public interface PreferenceStore {
    /** Entries one user may keep on their lists together: far more than a person curates, and bounded. */
    int MAX_LIST_ENTRIES = 1_000;

    /**
     * @param invitations {@code everyone}, {@code known} or {@code never}; empty for the operator's setting
     * @param timeZone    an IANA zone the page shows times in; empty for UTC
     * @param mailHeld    whether held items are announced to the user by mail
     * @param dailyDigest whether the user also gets a daily mail listing what still waits
     */
    record Preferences(String invitations, String timeZone, boolean mailHeld, boolean dailyDigest) {
        /** What a user who never chose anything has. */
        public static final Preferences DEFAULT = new Preferences("", "", true, false);

        /** Nulls become empty. */
        public Preferences {
            invitations = invitations == null ? "" : invitations;
            timeZone = timeZone == null ? "" : timeZone;
        }

        /** Settings without a daily digest. */
        public Preferences(String invitations, String timeZone, boolean mailHeld) {
            this(invitations, timeZone, mailHeld, false);
        }
    }

    /**
     * @param entry an address ({@code mailto:…}) or a domain ({@code @example.com}), lower-case
     * @param list  {@code allow} or {@code block}
     * @param added when, in epoch milliseconds
     */
    record SenderEntry(String entry, String list, long added) {
        /** The list of people the user takes invitations from. */
        public static final String ALLOW = "allow";
        /** The list of people the user takes nothing from. */
        public static final String BLOCK = "block";
    }

    /**
     * An invitation a user reported as spam.
     *
     * @param id         an unguessable identifier
     * @param owner      who reported it
     * @param sender     its organizer or sender
     * @param uid        its UID
     * @param transport  {@code caldav} or {@code imip}
     * @param data       the iCalendar text as it reached the user
     * @param provenance what brought it, as JSON (may be empty)
     * @param arrived    when it reached the user, in epoch milliseconds
     * @param reported   when it was reported
     */
    record SpamReport(String id, String owner, String sender, String uid, String transport, byte[] data,
                      String provenance, long arrived, long reported) {
    }

    /** @return the user's settings, or {@link Preferences#DEFAULT} */
    Preferences preferences(String owner);

    /** Replaces the user's settings. */
    void save(String owner, Preferences preferences);

    /** @return the user's list entries, newest first */
    List<SenderEntry> senders(String owner);

    /**
     * Puts an entry on one of the user's lists, moving it from the other if it was there.
     *
     * @return false if the user's lists are full
     */
    boolean list(String owner, String entry, String list, long at);

    /** @return true if the entry was on a list */
    boolean unlist(String owner, String entry);

    /**
     * @param keys an address and its domains, most specific first, as {@link SenderEntry#entry()} writes them
     * @return the list the most specific matching entry is on
     */
    Optional<String> listed(String owner, Collection<String> keys);

    /** Keeps a spam report. */
    void report(SpamReport report);

    /** @return reports, newest first, at most {@code limit} */
    List<SpamReport> reports(int limit);

    /** @return one report */
    Optional<SpamReport> spamReport(String id);

    /** Removes reports made before this time (retention); @return how many */
    int pruneReports(long before);

    /**
     * Claims the right to mail a user about held items now: at most one mail per {@code gap}, on any node.
     *
     * @param daily true for the daily digest, false for the hourly notice
     * @return true if this caller may send; the time is recorded
     */
    boolean claimNotice(String owner, boolean daily, long now, long gap);

    /** @return this server's secret of that name, made (random, 256 bits, hex) the first time any node asks */
    String secret(String name);

    /**
     * Uses a single-use link.
     *
     * @param linkHash the link's hash
     * @param expires  when the link expires; the record is kept until then
     * @return true the first time, false if the link was used before
     */
    boolean useLink(String linkHash, long expires);

    /** @return true if this single-use link was used */
    boolean linkUsed(String linkHash);

    /** Forgets used links that have expired; @return how many */
    int pruneLinks(long now);
}
