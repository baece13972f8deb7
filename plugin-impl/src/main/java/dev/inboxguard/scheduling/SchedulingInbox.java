package dev.inboxguard.scheduling;

import dev.inboxguard.api.Action;
import dev.inboxguard.api.Approver;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.Severity;
import dev.inboxguard.api.TransportFacts;
import dev.inboxguard.api.Verdict;
import dev.inboxguard.engine.Guard;
import dev.inboxguard.engine.VerdictJson;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.metrics.ServerMeters;
import dev.inboxguard.mime.ImipMessage;
import dev.inboxguard.server.Account;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.storage.AuditEntry;
import dev.inboxguard.storage.CalendarStore;
import dev.inboxguard.storage.HeldItem;
import dev.inboxguard.storage.InboxItem;
import dev.inboxguard.storage.ItemId;
import dev.inboxguard.storage.SchedulingStore;
import dev.inboxguard.storage.Transactions;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The one way into a scheduling inbox. Implicit scheduling, POSTs to an outbox and iMIP all hand their message
 * here; the guard screens it for this recipient and the verdict is carried out: delivered (and the recipient's
 * calendar updated), delivered with its findings beside it, held in quarantine for the person the policy names,
 * or refused with a REQUEST-STATUS for the sender. Every verdict goes into the audit trail.
 */
public final class SchedulingInbox {
    private static final int SUMMARY_CHARS = 200;
    /** Refusals for a rate limit are counted on one audit row per limit, recipient and this window. */
    private static final long FLOOD_WINDOW_MILLIS = java.time.Duration.ofHours(1).toMillis();
    private static final org.slf4j.Logger VERDICTS = org.slf4j.LoggerFactory.getLogger("dev.inboxguard.verdicts");

    private final Guard guard;
    private final CalendarReader reader;
    private final CalendarStore calendars;
    private final SchedulingStore store;
    private final Accounts accounts;
    private final AutoSchedule autoSchedule;
    private final Clock clock;
    private final ServerMeters meters;
    private final dev.inboxguard.storage.PreferenceStore preferences;
    private final Transactions transactions;

    /**
     * @param guard        the guard
     * @param reader       the bounded reader
     * @param calendars    the calendars
     * @param store        inboxes, quarantine and audit
     * @param accounts     the local users
     * @param autoSchedule how delivered messages update calendars
     * @param clock        the clock
     * @param meters       where verdicts are counted
     * @param preferences  each user's invitation setting and sender lists
     * @param transactions makes one delivery's writes (inbox item, calendar copy, audit line) one transaction
     */
    SchedulingInbox(Guard guard, CalendarReader reader, CalendarStore calendars, SchedulingStore store,
                    Accounts accounts, AutoSchedule autoSchedule, Clock clock, ServerMeters meters,
                    dev.inboxguard.storage.PreferenceStore preferences, Transactions transactions) {
        this.transactions = transactions;
        this.meters = meters;
        this.preferences = preferences;
        this.guard = guard;
        this.reader = reader;
        this.calendars = calendars;
        this.store = store;
        this.accounts = accounts;
        this.autoSchedule = autoSchedule;
        this.clock = clock;
    }

    /**
     * A message for one local recipient.
     *
     * @param calendar    the iTIP object as received
     * @param mail        the e-mail it came in, for iMIP
     * @param facts       how it arrived
     * @param sender      who sent it, for the audit trail and the quarantine list
     * @param recipient   the local user
     * @param addressedTo the address it was sent to
     */
    public record Incoming(byte[] calendar, Optional<ImipMessage> mail, TransportFacts facts,
                           CalendarUserAddress sender, Account recipient, CalendarUserAddress addressedTo) {
    }

    /**
     * What became of a message.
     *
     * @param verdict        the guard's verdict
     * @param scheduleStatus the SCHEDULE-STATUS code for the sender (RFC 6638 §3.2.9): 1.2 delivered, 1.0 held
     *                       (pending), or the verdict's REQUEST-STATUS code when refused
     * @param heldId         the quarantine item, when held
     */
    public record Delivery(Verdict verdict, String scheduleStatus, Optional<String> heldId) {
    }

    /**
     * Screens and delivers a message. Its writes are one transaction, so that a crash leaves the inbox item, the
     * calendar copy and the audit line all there or none of them, and they wait for the file once, not three times.
     *
     * @param in the message
     * @return what became of it
     */
    public Delivery deliver(Incoming in) {
        return deliver(in, transactions, v -> { });
    }

    /**
     * Judges a message, then carries out the verdict in one transaction with the caller's own record of it: the
     * judging (checks, DNS, rate limits) happens before, so the transaction holds a connection only for the writes.
     *
     * @param in           the message
     * @param transactions makes the writes one transaction
     * @param alsoCommit   told the verdict inside the transaction, to write what must commit with the delivery
     *                     (the iMIP gateway's receipt)
     * @return what became of it
     */
    public Delivery deliver(Incoming in, Transactions transactions, java.util.function.Consumer<Verdict> alsoCommit) {
        // the recipient's home is made before the transaction: made inside one that rolls back, it would be gone
        // while remembered as made
        autoSchedule.prepare(in.recipient());
        Optional<Account> signedIn = in.facts().transport() == dev.inboxguard.api.Transport.CALDAV
                ? accounts.byAddress(in.sender()) : Optional.empty();
        LocalRecipient context = new LocalRecipient(in.recipient(), in.addressedTo(), calendars, store, reader, clock,
                signedIn, accounts, preferences);
        Delivery delivery;
        Verdict verdict;
        try (dev.inboxguard.ratelimit.RateLedger.Scope counted = dev.inboxguard.ratelimit.RateLedger.open()) {
            Guard.Screening screening = in.mail().isPresent()
                    ? guard.screenEmail(in.mail().get(), in.facts(), context)
                    : guard.screen(in.calendar(), in.facts(), context);
            verdict = screening.verdict();
            try {
                delivery = transactions.atomically(() -> {
                    Delivery d = carryOut(in, screening, verdict);
                    alsoCommit.accept(verdict);
                    return d;
                });
            } catch (dev.inboxguard.storage.StoreFailure e) {
                // rolled back for a reason of the database's own: nothing was delivered, and the attempt that comes
                // next (the queue's, the MTA's after its 451) is counted afresh. Not for a failure that would recur
                // with this message (a value too wide, a broken constraint): such a message, sent again and again,
                // would never meet the flood limit that sheds it before the costlier checks. Not once the commit
                // was made, either: the delivery stands
                if (e.isTransient() && !e.committed()) {
                    counted.giveBack(clock.instant());
                }
                throw e;
            }
            if (screening.refusedForNow()) {
                // asked to come back (the MTA's 451): the retries do not use up the recipient's allowance, which
                // every sender shares. The sender's own still counts them, so that a sender whose lookups never
                // answer is still shed as a flood before the costlier checks
                counted.giveBack(clock.instant(), dev.inboxguard.checks.rate.RateLimitCheck::isTheRecipients);
            }
        }
        // counted and logged once committed: a delivery rolled back is not one
        announce(verdict, in, delivery.heldId().orElse(""));
        return delivery;
    }

    private Delivery carryOut(Incoming in, Guard.Screening screening, Verdict verdict) {
        String findings = VerdictJson.findingsJson(verdict);
        long now = clock.millis();
        String method = verdict.method().map(Enum::name).orElse("");
        String uid = verdict.uid().orElse("");
        Delivery delivery;
        String heldId = "";
        if (verdict.action() == Action.REJECT || screening.inboxCopy().isEmpty()) {
            delivery = new Delivery(verdict, verdict.requestStatus().code(), Optional.empty());
        } else if (verdict.action() == Action.HOLD) {
            byte[] copy = screening.inboxCopy().get();
            Optional<ScheduledObject> read = screening.copyModel().map(ScheduledObject::of)
                    .or(() -> ScheduledObject.read(reader, copy));
            String decider = decider(verdict, read, in.recipient());
            heldId = ItemId.random();
            store.hold(new HeldItem(heldId, in.recipient().name(), in.addressedTo().uri(), decider,
                    verdict.approver().orElse(Approver.RECIPIENT).id(), method, uid, in.sender().uri(),
                    read.flatMap(ScheduledObject::summary).map(SchedulingInbox::shorten).orElse(""),
                    in.facts().transport().name().toLowerCase(java.util.Locale.ROOT), copy, findings, now,
                    HeldItem.HELD, "", 0, Provenance.of(in.facts()).json()));
            delivery = new Delivery(verdict, "1.0", Optional.of(heldId));
        } else {
            putInInbox(in.recipient(), method, uid, screening.inboxCopy().get(), screening.copyModel(),
                    verdict.action().id(), findings, new AutoSchedule.Admitted(false, listMembers(verdict)),
                    Provenance.of(in.facts()).json());
            delivery = new Delivery(verdict, "1.2", Optional.empty());
        }
        audit(verdict, in, findings, heldId);
        return delivery;
    }

    /**
     * Refuses a message that could not be read at all (an e-mail too large, not MIME, or without a calendar part):
     * the policy decides on the reading's findings alone, and the refusal goes into the audit trail.
     *
     * @param findings why it could not be read
     * @param in       the message; its calendar bytes are not read
     * @return the verdict
     */
    public Verdict refuse(List<Finding> findings, Incoming in) {
        Verdict verdict = guard.refuse(findings, in.facts().transport(), in.addressedTo());
        audit(verdict, in, VerdictJson.findingsJson(verdict), "");
        announce(verdict, in, "");
        return verdict;
    }

    /** Counts the verdict and logs its line. */
    private void announce(Verdict verdict, Incoming in, String heldId) {
        meters.verdict(verdict, in.facts().transport());
        if (VERDICTS.isInfoEnabled()) {
            // one line per verdict, so that someone watching the log sees every hold and refusal as it happens
            VERDICTS.info("verdict transport={} sender={} recipient={} method={} uid={} action={} status={} codes={}{}",
                    in.facts().transport().name().toLowerCase(java.util.Locale.ROOT), logValue(in.sender().uri()),
                    logValue(in.addressedTo().uri()), verdict.method().map(Enum::name).orElse("-"),
                    logValue(verdict.uid().orElse("-")), verdict.action().id(),
                    logValue(verdict.requestStatus().code()),
                    verdict.findings().isEmpty() ? "-" : String.join(",", verdict.findings().stream()
                            .map(f -> f.code().value()).distinct().toList()),
                    verdict.monitored().map(m -> " monitor=" + m.action().id()).orElse("")
                            + (heldId.isEmpty() ? "" : " held=" + heldId));
        }
    }

    private void audit(Verdict verdict, Incoming in, String findings, String heldId) {
        audit("verdict", verdict.action().id(), verdict.requestStatus().toString(), verdict, in, findings, heldId);
        // a rule in monitor mode would have decided otherwise: a second row says what, so operators can count it
        verdict.monitored().ifPresent(m -> audit("monitor", m.action().id(), m.requestStatus().toString(), verdict,
                in, findings, ""));
    }

    private void audit(String event, String action, String requestStatus, Verdict verdict, Incoming in,
                       String findings, String heldId) {
        long now = clock.millis();
        AuditEntry entry = new AuditEntry(0, now, event,
                in.facts().transport().name().toLowerCase(java.util.Locale.ROOT), in.sender().uri(),
                accounts.byAddress(in.sender()).map(Account::name).orElse(""), in.addressedTo().uri(),
                in.recipient().name(), verdict.method().map(Enum::name).orElse(""), verdict.uid().orElse(""),
                action, requestStatus, findings, heldId, in.sender().uri());
        if (event.equals("verdict") && verdict.action() == Action.REJECT && verdict.findings().stream()
                .anyMatch(f -> f.code().equals(FindingCode.RATE_LIMITED))) {
            // a flood and the MTA's retries of it: one row per limit that refused, recipient and hour, with a count.
            // Keyed on the limit, not on the From address, so that a sender who varies From still fills one row
            // once the recipient's or the domain's limit is the one refusing
            store.auditRepeat(entry, floodKey(verdict, in), now - Math.floorMod(now, FLOOD_WINDOW_MILLIS));
        } else {
            store.audit(entry);
        }
    }

    private static String floodKey(Verdict verdict, Incoming in) {
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            verdict.findings().stream().filter(f -> f.code().equals(FindingCode.RATE_LIMITED))
                    .map(f -> f.value().orElse("")).sorted().forEach(limit -> {
                        sha.update(limit.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                        sha.update((byte) 0);
                    });
            sha.update(in.addressedTo().uri().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "rate:" + java.util.HexFormat.of().formatHex(sha.digest(), 0, 24);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }

    /** Delivers an approved item as the verdict would have, adding a party crasher to the organizer's copy. */
    void release(HeldItem item, Account recipient) {
        putInInbox(recipient, item.method(), item.uid(), item.data(), Optional.empty(), Action.FLAG.id(),
                item.findings(),
                item.approver().equals(Approver.ORGANIZER.id()) ? new AutoSchedule.Admitted(true, Set.of())
                        : AutoSchedule.Admitted.NOBODY, item.provenance());
        store.remember(recipient.name(), item.sender());
    }

    /**
     * The members of invited lists whose answers this verdict let through: the party-crash findings graded info
     * (PartyCrashCheck's "member of the invited list, from its own organization"), and only if delivered.
     */
    private static Set<CalendarUserAddress> listMembers(Verdict verdict) {
        Set<CalendarUserAddress> out = new java.util.HashSet<>();
        for (Finding f : verdict.findings()) {
            if (f.code().equals(FindingCode.PARTY_CRASH) && f.severity() == Severity.INFO) {
                f.value().flatMap(CalendarUserAddress::parse).ifPresent(out::add);
            }
        }
        return out;
    }

    /** @param model the copy as read, if at hand (the guard's), which the calendar update may use up */
    private void putInInbox(Account recipient, String method, String uid, byte[] copy,
                            Optional<net.fortuna.ical4j.model.Calendar> model, String action, String findings,
                            AutoSchedule.Admitted admitted, String provenance) {
        long now = clock.millis();
        // in the order they come: the inbox's key is its names (ItemId.ordered)
        store.addToInbox(new InboxItem(recipient.name(), ItemId.ordered(now) + ".ics", uid, method, copy, action,
                findings, now, provenance));
        autoSchedule.apply(recipient, copy, model, admitted);
    }

    /**
     * Who decides a held item. The organizer decides party crashes on their own events; if the organizer is not a
     * local user, nobody here can act for them and the recipient decides.
     */
    private String decider(Verdict verdict, Optional<ScheduledObject> message, Account recipient) {
        if (verdict.approver().orElse(Approver.RECIPIENT) == Approver.ORGANIZER) {
            Optional<Account> organizer = message.flatMap(ScheduledObject::organizer).flatMap(accounts::byAddress);
            if (organizer.isPresent()) {
                return organizer.get().name();
            }
        }
        return recipient.name();
    }

    /**
     * A value from a message, safe on one log line: no line breaks or control characters a sender could use to
     * forge a line, quoted if it has spaces, and at most 200 characters.
     */
    static String logValue(String v) {
        StringBuilder sb = new StringBuilder(Math.min(v.length(), 200) + 2);
        for (int i = 0; i < v.length() && sb.length() < 200; i++) {
            char c = v.charAt(i);
            sb.append(Character.isISOControl(c) || c == '"' || c == '\\' ? '?' : c);
        }
        String out = sb.length() < v.length() ? sb + "…" : sb.toString();
        return out.isEmpty() || out.chars().anyMatch(Character::isWhitespace) ? "\"" + out + "\"" : out;
    }

    private static String shorten(String s) {
        return s.length() <= SUMMARY_CHARS ? s : s.substring(0, SUMMARY_CHARS) + "…";
    }

}
