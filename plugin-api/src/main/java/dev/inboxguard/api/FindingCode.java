package dev.inboxguard.api;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A stable, machine-readable finding code such as {@code party-crash}. The constants here are InboxGuard's
 * published vocabulary; a third-party check may use its own codes (for example {@code x-acme.vip-impersonation}),
 * and operators can write policy rules for them.
 *
 * @param value the code: lower case letters, digits, dots and dashes
 */
public record FindingCode(String value) {
    private static final Pattern SYNTAX = Pattern.compile("[a-z0-9][a-z0-9.-]{0,62}");

    /** Not iCalendar or MIME, or breaks the iTIP structure rules of RFC 5546 §3. */
    public static final FindingCode MALFORMED = new FindingCode("malformed");
    /** Over a size limit: bytes, components, attendees, properties, line length. */
    public static final FindingCode LIMITS_SIZE = new FindingCode("limits.size");
    /** A SECONDLY, MINUTELY or HOURLY rule with no COUNT or UNTIL. */
    public static final FindingCode RECURRENCE_UNBOUNDED = new FindingCode("recurrence.unbounded");
    /** More instances than the limit. */
    public static final FindingCode RECURRENCE_TOO_MANY = new FindingCode("recurrence.too-many");
    /** More instances per day than the limit. */
    public static final FindingCode RECURRENCE_TOO_DENSE = new FindingCode("recurrence.too-dense");
    /** Instances of one series overlap each other. */
    public static final FindingCode RECURRENCE_OVERLAPPING = new FindingCode("recurrence.overlapping");
    /** The series starts beyond the horizon (a sleeper). */
    public static final FindingCode RECURRENCE_FAR_FUTURE = new FindingCode("recurrence.far-future");
    /** Evaluating the rule hit the iteration or time budget. */
    public static final FindingCode RECURRENCE_TOO_COSTLY = new FindingCode("recurrence.too-costly");
    /** A VTIMEZONE that is itself abusive. */
    public static final FindingCode TIMEZONE_ABUSIVE = new FindingCode("timezone.abusive");
    /** A REPLY or COUNTER from an address that was not invited and is not a valid delegate. */
    public static final FindingCode PARTY_CRASH = new FindingCode("party-crash");
    /** DELEGATED-TO and DELEGATED-FROM that do not agree, loops, or PARTSTAT=DELEGATED with no delegate. */
    public static final FindingCode DELEGATION_INCONSISTENT = new FindingCode("delegation.inconsistent");
    /** A message about a UID the recipient does not hold. */
    public static final FindingCode EVENT_UNKNOWN = new FindingCode("event.unknown");
    /** SEQUENCE (then DTSTAMP) older than the stored copy. */
    public static final FindingCode EVENT_STALE = new FindingCode("event.stale");
    /** The message would replace the ORGANIZER of a stored object. */
    public static final FindingCode ORGANIZER_CHANGED = new FindingCode("organizer.changed");
    /** An organizer's method not sent by the ORGANIZER or its SENT-BY. */
    public static final FindingCode SENDER_NOT_ORGANIZER = new FindingCode("sender.not-organizer");
    /** A REPLY or COUNTER not sent by that ATTENDEE or its SENT-BY. */
    public static final FindingCode SENDER_NOT_ATTENDEE = new FindingCode("sender.not-attendee");
    /** A REFRESH from someone who is not an attendee. */
    public static final FindingCode REFRESH_NOT_ATTENDEE = new FindingCode("refresh.not-attendee");
    /** SENT-BY names someone not allowed to act for that calendar user. */
    public static final FindingCode SENDER_SENT_BY_UNAUTHORIZED = new FindingCode("sender.sent-by-unauthorized");
    /** iMIP whose sender domain has no aligned DKIM or SPF pass. */
    public static final FindingCode SENDER_UNAUTHENTICATED = new FindingCode("sender.unauthenticated");
    /** The sender is unknown to the recipient, under a known-senders policy. */
    public static final FindingCode SENDER_UNKNOWN = new FindingCode("sender.unknown");
    /** The sender is on the recipient's own block list (chosen on the approval page, or by reporting spam). */
    public static final FindingCode SENDER_BLOCKED = new FindingCode("sender.blocked");
    /** A URL with risky traits. */
    public static final FindingCode CONTENT_SUSPICIOUS_URL = new FindingCode("content.suspicious-url");
    /**
     * A telephone number to call paired with payment, invoice, refund or renewal language: call-back phishing, which
     * needs no link and often comes from a real account that was taken over.
     */
    public static final FindingCode CONTENT_CALLBACK_SCAM = new FindingCode("content.callback-scam");
    /** VALARMs were removed from the incoming object. */
    public static final FindingCode CONTENT_ALARM_REMOVED = new FindingCode("content.alarm-removed");
    /** Over a rate limit. */
    public static final FindingCode RATE_LIMITED = new FindingCode("rate.limited");
    /**
     * An e-mail whose calendar-bearing parts (text/calendar parts, {@code .ics} or {@code application/ics}
     * attachments) disagree on what they schedule, so a client could act on another part than the one judged.
     */
    public static final FindingCode MESSAGE_CONFLICTING_PARTS = new FindingCode("message.conflicting-parts");
    /**
     * Not a judgement of the message: the guard's safety net stopped an evaluation, or a check failed. Always a
     * temporary failure (REQUEST-STATUS 5.1, LMTP 451), so that the sender tries again; never decided by rules.
     */
    public static final FindingCode GUARD_OVERLOADED = new FindingCode("guard.overloaded");

    /** Checks the syntax, so codes stay usable as JSON values, metric labels and policy keys. */
    public FindingCode {
        Objects.requireNonNull(value, "value");
        if (!SYNTAX.matcher(value).matches()) {
            throw new IllegalArgumentException("not a finding code: " + value);
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
