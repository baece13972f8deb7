package dev.inboxguard.checks.rate;

import dev.inboxguard.api.CaldavSubmission;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.Check;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.ImipDelivery;
import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.api.RequestStatus;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.api.Severity;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.ratelimit.RateLimiter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Floods: counts each message against its sender address, the sender's domain, the recipient and the
 * sender-recipient pair ({@code rate.limited} when any is over). Rejected with 5.1, a temporary failure, so
 * well-behaved senders retry later.
 */
public final class RateLimitCheck implements Check {
    private static final RequestStatus TRY_LATER = RequestStatus.SERVICE_UNAVAILABLE;

    private final RateLimiter limiter;
    private final GuardConfig.Rates rates;

    /**
     * @param limiter where counts are kept
     * @param rates   the limits
     */
    public RateLimitCheck(RateLimiter limiter, GuardConfig.Rates rates) {
        this.limiter = limiter;
        this.rates = rates;
    }

    /** A message over a limit is refused whatever else it holds, so nothing after this check needs to run. */
    @Override
    public boolean isGate() {
        return true;
    }

    @Override
    public List<Finding> inspect(SchedulingMessage message, RecipientContext recipient) {
        Instant now = recipient.clock().instant();
        Optional<CalendarUserAddress> sender = sender(message);
        List<Finding> out = new ArrayList<>();
        if (sender.isPresent()) {
            take("sender:" + sender.get(), rates.perSender(), now, "sender " + sender.get(), out);
            sender.get().domain().ifPresent(d -> take("domain:" + d, rates.perSenderDomain(), now,
                    "sender domain " + d, out));
            take("pair:" + sender.get() + ">" + recipient.address(), rates.perPair(), now,
                    "messages from " + sender.get() + " to " + recipient.address(), out);
        }
        take("recipient:" + recipient.address(), rates.perRecipient(), now, "recipient " + recipient.address(), out);
        return out;
    }

    private void take(String key, GuardConfig.Rate rate, Instant now, String what, List<Finding> out) {
        if (!limiter.tryTake(key, rate.burst(), rate.perHour(), now)) {
            out.add(Finding.of(FindingCode.RATE_LIMITED, Severity.MEDIUM, "over the limit for " + what + ": "
                    + rate.burst() + " at once, " + rate.perHour() + " an hour; try again later")
                    .about(null, key).withRequestStatus(TRY_LATER));
        }
    }

    /** Who sent it, as the transport says: the envelope sender or From for mail, the principal for CalDAV. */
    private static Optional<CalendarUserAddress> sender(SchedulingMessage message) {
        if (message.transport() instanceof ImipDelivery imip) {
            return imip.envelopeSender().or(imip::from);
        }
        if (message.transport() instanceof CaldavSubmission caldav) {
            return caldav.principalAddresses().stream().sorted((a, b) -> a.uri().compareTo(b.uri())).findFirst();
        }
        return Optional.empty();
    }
}
