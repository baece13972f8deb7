package dev.inboxguard.imip;

import dev.inboxguard.api.Action;
import dev.inboxguard.api.AuthenticationResult;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.ImipDelivery;
import dev.inboxguard.api.Verdict;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.metrics.ServerMeters;
import dev.inboxguard.mime.DeliveryStatusReport;
import dev.inboxguard.mime.DkimVerification;
import dev.inboxguard.mime.HeaderTrust;
import dev.inboxguard.mime.ImipMessage;
import dev.inboxguard.mime.ImipMessageReader;
import dev.inboxguard.mime.ImipRead;
import dev.inboxguard.scheduling.SchedulingInbox;
import dev.inboxguard.server.Account;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.storage.MailStore;
import dev.inboxguard.storage.Transactions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Incoming iMIP (RFC 6047): one e-mail for one local recipient, from either mail listener, becomes a scheduling
 * message for {@link SchedulingInbox}, and its verdict becomes the reply the MTA gets: 250 once it is delivered or
 * held (durably), 550 when refused, 451 when the sender should come back later.
 *
 * <p>Each message is handled once per recipient: a receipt keyed by a digest of the envelope and the bytes means
 * that an MTA retrying after a lost reply, or two nodes given the same message, get the first answer again. The
 * delivery and the receipt's answer commit in one transaction, so a crash between them cannot deliver twice.
 */
public final class ImipGateway {
    private static final Logger LOG = LoggerFactory.getLogger(ImipGateway.class);
    /** A handler that has not finished in this long has died; its claim is taken over. */
    private static final Duration STALE_CLAIM = Duration.ofMinutes(10);
    private static final CalendarUserAddress NO_SENDER = CalendarUserAddress.of("mailto:mailer-daemon@invalid");

    private final SchedulingInbox inbox;
    private final Accounts accounts;
    private final ImipMessageReader trustingReader;
    private final ImipMessageReader plainReader;
    private final Optional<DkimVerification> dkim;
    private final MailStore receipts;
    private final boolean acceptNonCalendar;
    private final dev.inboxguard.ical.Limits limits;
    private final ServerMeters meters;
    private final Transactions transactions;
    private final Clock clock;

    /**
     * @param config   the configuration: limits, trusted authserv-ids, DKIM, the non-calendar setting
     * @param inbox    where messages go
     * @param accounts the local users
     * @param receipts receipts of handled messages
     * @param clock    the clock
     */
    public ImipGateway(GuardConfig config, SchedulingInbox inbox, Accounts accounts, MailStore receipts,
                       Clock clock) {
        this(config, inbox, accounts, receipts, clock, ServerMeters.none());
    }

    /**
     * @param config   the configuration
     * @param inbox    the one way into scheduling inboxes
     * @param accounts the local users
     * @param receipts receipts that make each message count once
     * @param clock    the clock
     * @param meters   where the replies given to the MTA are counted
     */
    public ImipGateway(GuardConfig config, SchedulingInbox inbox, Accounts accounts, MailStore receipts,
                       Clock clock, ServerMeters meters) {
        this(config, inbox, accounts, receipts, Transactions.NONE, clock, meters);
    }

    /**
     * @param config       the configuration
     * @param inbox        the one way into scheduling inboxes
     * @param accounts     the local users
     * @param receipts     receipts that make each message count once
     * @param transactions makes a delivery and its receipt one transaction
     * @param clock        the clock
     * @param meters       where the replies given to the MTA are counted
     */
    public ImipGateway(GuardConfig config, SchedulingInbox inbox, Accounts accounts, MailStore receipts,
                       Transactions transactions, Clock clock, ServerMeters meters) {
        this.transactions = transactions;
        this.meters = meters;
        this.inbox = inbox;
        this.accounts = accounts;
        this.trustingReader = new ImipMessageReader(config.limits(), config.imip().headerTrust());
        this.plainReader = new ImipMessageReader(config.limits(), HeaderTrust.NONE);
        this.dkim = DkimVerification.configured(config.imip());
        this.receipts = receipts;
        this.acceptNonCalendar = config.mail().nonCalendar().equals("accept");
        this.limits = config.limits();
        this.clock = clock;
    }

    /**
     * @param address an RCPT TO address
     * @return the local user it belongs to
     */
    public Optional<Account> recipient(CalendarUserAddress address) {
        return accounts.byAddress(address);
    }

    /**
     * Handles one e-mail for one recipient.
     *
     * @param message      the e-mail as received
     * @param envelopeFrom the MAIL FROM address; empty for the null sender
     * @param recipient    the local user
     * @param addressedTo  the RCPT TO address
     * @param trustHeaders true if Authentication-Results from the trusted authserv-ids count (LMTP: the MTA in
     *                     front stamped them); false where the sender's own MTA talks to us (SMTP)
     * @return the reply for this recipient
     */
    public MailReply receive(byte[] message, Optional<CalendarUserAddress> envelopeFrom, Account recipient,
                             CalendarUserAddress addressedTo, boolean trustHeaders) {
        return receive(received(message), envelopeFrom, recipient, addressedTo, trustHeaders);
    }

    /**
     * One e-mail as received, for one recipient or many: what does not depend on the recipient (reading the MIME
     * structure, checking DKIM signatures, which may ask DNS) is done once, on first use, not once per recipient.
     * Used by one session's thread at a time.
     */
    public final class Received {
        private final byte[] bytes;
        private ImipRead trusting;
        private ImipRead plain;
        private List<AuthenticationResult> dkimResults;

        private Received(byte[] bytes) {
            this.bytes = bytes;
        }

        ImipRead read(boolean trustHeaders) {
            if (trustHeaders) {
                return trusting == null ? trusting = trustingReader.read(bytes) : trusting;
            }
            return plain == null ? plain = plainReader.read(bytes) : plain;
        }

        List<AuthenticationResult> dkim() {
            if (dkimResults == null) {
                dkimResults = dkim.map(d -> d.verify(bytes)).orElse(List.of());
                if (dkim.isPresent()) {
                    meters.dkimChecked(outcome(dkimResults));
                }
            }
            return dkimResults;
        }
    }

    /**
     * @return a message's DKIM outcome for the metric: a pass if any signature passed; otherwise a DNS failure
     *         ({@code temperror}) or a broken key record ({@code permerror}) before a plain {@code fail}, so that a
     *         resolver outage does not look like a wave of forgeries; {@code none} without a signature read
     */
    static String outcome(List<AuthenticationResult> results) {
        for (String r : List.of("pass", "temperror", "permerror")) {
            if (results.stream().anyMatch(a -> a.result().equals(r))) {
                return r;
            }
        }
        return results.isEmpty() ? "none" : "fail";
    }

    /**
     * @param message an e-mail as received
     * @return it, ready to be handled for each of its recipients
     */
    public Received received(byte[] message) {
        return new Received(message);
    }

    /**
     * Handles one e-mail for one recipient.
     *
     * @param received     the e-mail, as received for all its recipients
     * @param envelopeFrom the MAIL FROM address; empty for the null sender
     * @param recipient    the local user
     * @param addressedTo  the RCPT TO address
     * @param trustHeaders true if Authentication-Results from the trusted authserv-ids count
     * @return the reply for this recipient
     */
    public MailReply receive(Received received, Optional<CalendarUserAddress> envelopeFrom, Account recipient,
                             CalendarUserAddress addressedTo, boolean trustHeaders) {
        byte[] message = received.bytes;
        String key = receiptKey(message, envelopeFrom, addressedTo);
        long now = clock.millis();
        MailStore.Receipt receipt;
        try {
            receipt = receipts.receive(key, now, now - STALE_CLAIM.toMillis());
        } catch (RuntimeException e) {
            LOG.warn("iMIP for {}: the receipt store failed", addressedTo, e);
            return new MailReply(451, "4.3.0", "Temporary storage failure; try again later");
        }
        if (receipt instanceof MailStore.Receipt.Done done) {
            return MailReply.parse(done.reply());
        }
        if (receipt instanceof MailStore.Receipt.Busy) {
            return new MailReply(451, "4.3.0", "This message is being handled right now; try again later");
        }
        MailReply reply;
        try {
            reply = handle(received, envelopeFrom, recipient, addressedTo, trustHeaders, key);
        } catch (RuntimeException e) {
            // nothing was acknowledged: the MTA keeps the message and tries again
            LOG.warn("iMIP for {}: handling failed", addressedTo, e);
            try {
                receipts.forgetReceipt(key);
            } catch (RuntimeException again) {
                LOG.warn("iMIP for {}: could not release the receipt; it lapses in {}", addressedTo, STALE_CLAIM);
            }
            return new MailReply(451, "4.3.0", "Temporary failure; try again later");
        }
        if (reply.transientFailure()) {
            try {
                receipts.forgetReceipt(key);
            } catch (RuntimeException e) {
                // the claim lapses after STALE_CLAIM, and the MTA's retry is handled then
                LOG.warn("iMIP for {}: could not release the receipt", addressedTo, e);
            }
        }
        return reply;
    }

    /** Where delivery status notifications for our own outgoing mail go: the outbound queue. */
    public interface Bounces {
        /**
         * @param report       a delivery status notification
         * @param localAddress the local address it came to
         * @return how many of our messages it marked as failed
         */
        int bounced(DeliveryStatusReport report, String localAddress);
    }

    private volatile Optional<Bounces> bounces = Optional.empty();

    /** @param handler takes delivery status notifications (with no relay there are none of ours to take) */
    public void onBounce(Bounces handler) {
        this.bounces = Optional.of(handler);
    }

    /** Handles the message and records the receipt's answer: with the delivery, in one transaction, if there is one. */
    private MailReply handle(Received message, Optional<CalendarUserAddress> envelopeFrom, Account recipient,
                             CalendarUserAddress addressedTo, boolean trustHeaders, String key) {
        MailReply[] committed = new MailReply[1];
        MailReply reply = handle(message, envelopeFrom, recipient, addressedTo, trustHeaders, r -> {
            if (!r.transientFailure()) {
                receipts.received(key, r.line());
            }
            committed[0] = r;
        });
        if (committed[0] == null && !reply.transientFailure()) {
            // refused unread, a report, or not calendar mail: nothing was delivered, so the receipt stands alone
            receipts.received(key, reply.line());
        }
        return reply;
    }

    private MailReply handle(Received received, Optional<CalendarUserAddress> envelopeFrom, Account recipient,
                             CalendarUserAddress addressedTo, boolean trustHeaders,
                             java.util.function.Consumer<MailReply> withDelivery) {
        byte[] message = received.bytes;
        // RFC 5321 §4.5.5: notifications come from the null sender; nothing else is read as one
        if (envelopeFrom.isEmpty() && bounces.isPresent() && addressedTo.email().isPresent()) {
            Optional<DeliveryStatusReport> report = DeliveryStatusReport.read(message, limits);
            if (report.isPresent()) {
                int marked = bounces.get().bounced(report.get(), addressedTo.email().get());
                LOG.info("delivery status notification to {} about {}: {} of our messages marked as failed",
                        addressedTo, report.get().messageId(), marked);
                // accepted either way: refusing a notification only makes the MTA send one more, to its postmaster
                return new MailReply(250, "2.0.0", "Delivery status notification received");
            }
        }
        ImipRead read = received.read(trustHeaders);
        if (read instanceof ImipRead.Refused refused) {
            ImipDelivery facts = new ImipDelivery(envelopeFrom, Optional.empty(), Optional.empty(), List.of(),
                    Optional.empty(), Set.of(), List.of());
            SchedulingInbox.Incoming in = new SchedulingInbox.Incoming(new byte[0], Optional.empty(), facts,
                    envelopeFrom.orElse(NO_SENDER), recipient, addressedTo);
            if (refused.noCalendarPart() && acceptNonCalendar) {
                return new MailReply(250, "2.0.0", "Accepted; no calendar part, so nothing to schedule");
            }
            Verdict verdict = inbox.refuse(refused.findings(), in);
            boolean tooLarge = refused.findings().stream()
                    .anyMatch(f -> f.code().equals(FindingCode.LIMITS_SIZE));
            return tooLarge
                    ? new MailReply(552, "5.3.4", "Message too large: " + firstMessage(verdict))
                    : new MailReply(550, "5.6.0", "Not an iMIP message: " + firstMessage(verdict));
        }
        ImipMessage mail = ((ImipRead.Extracted) read).message();
        List<AuthenticationResult> results = new ArrayList<>(mail.authenticationResults());
        results.addAll(received.dkim());
        ImipDelivery facts = new ImipDelivery(envelopeFrom, mail.from(), mail.sender(), mail.replyTo(),
                mail.messageId(), Set.of(), results);
        CalendarUserAddress sender = mail.from().or(() -> envelopeFrom).orElse(NO_SENDER);
        // the delivery and the receipt's answer commit together: after a crash, the MTA's retry finds both or neither
        SchedulingInbox.Delivery d = inbox.deliver(new SchedulingInbox.Incoming(mail.calendar(), Optional.of(mail),
                facts, sender, recipient, addressedTo), transactions, v -> withDelivery.accept(reply(v, addressedTo)));
        Verdict verdict = d.verdict();
        LOG.info("iMIP {} {} from {} to {}: {} {}", verdict.method().map(Enum::name).orElse("?"),
                verdict.uid().orElse("?"), sender, addressedTo, verdict.action().id(), verdict.requestStatus());
        return reply(verdict, addressedTo);
    }

    /** @return the answer the MTA gets for a verdict */
    private static MailReply reply(Verdict verdict, CalendarUserAddress addressedTo) {
        if (verdict.action() != Action.REJECT) {
            return new MailReply(250, "2.0.0", "Accepted for " + addressedTo.email().orElse(addressedTo.uri()));
        }
        if (verdict.findings().stream().anyMatch(f -> f.code().equals(FindingCode.GUARD_OVERLOADED))) {
            return new MailReply(451, "4.3.0", "The calendar guard could not finish; try again later");
        }
        if (verdict.findings().stream().anyMatch(f -> f.code().equals(FindingCode.RATE_LIMITED))) {
            return new MailReply(451, "4.7.1", "Rate limited; try again later (" + verdict.requestStatus() + ")");
        }
        return new MailReply(550, "5.7.1", "Refused by the recipient's calendar guard: " + verdict.requestStatus()
                + ": " + firstMessage(verdict));
    }

    private static String firstMessage(Verdict verdict) {
        return verdict.findings().stream().map(Finding::message).findFirst().orElse("refused");
    }

    private static String receiptKey(byte[] message, Optional<CalendarUserAddress> from, CalendarUserAddress to) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(to.uri().getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(from.map(CalendarUserAddress::uri).orElse("").getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(message);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }

    /**
     * Counts the answer a listener gave the MTA for one recipient of one message.
     *
     * @param lmtp  true for the LMTP listener, false for SMTP
     * @param reply the answer
     */
    void counted(boolean lmtp, MailReply reply) {
        meters.mailReply(lmtp ? "lmtp" : "smtp", String.valueOf(reply.code()));
    }
}
