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

    private static final String RECIPIENT = "recipient:";
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
        List<RateLimiter.Limit> limits = new ArrayList<>();
        Optional<Sender> sender = sender(message);
        sender.ifPresent(s -> {
            if (s.local()) {
                // a signed-in local user: their own, larger allowance, and their organization is not one sender
                limits.add(limit("local-sender:" + s.address(), rates.local().perSender()));
                limits.add(limit("local-pair:" + s.address() + ">" + recipient.address(), rates.local().perPair()));
                return;
            }
            // a forged address must not use up the real sender's allowance: unauthenticated senders have their own
            String prefix = s.authenticated() ? "" : "unauthenticated-";
            limits.add(limit(prefix + "sender:" + s.address(), rates.perSender()));
            s.address().domain().ifPresent(d -> limits.add(limit(prefix + "domain:" + d, rates.perSenderDomain())));
            limits.add(limit(prefix + "pair:" + s.address() + ">" + recipient.address(), rates.perPair()));
        });
        limits.add(limit(RECIPIENT + recipient.address(), rates.perRecipient()));
        List<Finding> out = new ArrayList<>();
        for (RateLimiter.Limit over : limiter.tryTakeAll(limits, now)) {
            out.add(Finding.of(FindingCode.RATE_LIMITED, Severity.MEDIUM, "over the limit for " + describe(over.key())
                    + ": " + over.burst() + " at once, " + over.perHour() + " an hour; try again later")
                    .about(null, over.key()).withRequestStatus(TRY_LATER));
        }
        return out;
    }

    /**
     * @param key a limit's key, as this check counts it
     * @return whether it is a recipient's allowance, which every sender to that recipient shares
     */
    public static boolean isTheRecipients(String key) {
        return key.startsWith(RECIPIENT);
    }

    private static RateLimiter.Limit limit(String key, GuardConfig.Rate rate) {
        return new RateLimiter.Limit(key, rate.burst(), rate.perHour());
    }

    private static String describe(String key) {
        String what = key.substring(key.indexOf(':') + 1);
        String kind = key.substring(0, key.indexOf(':'));
        return switch (kind.replace("unauthenticated-", "").replace("local-", "")) {
            case "sender" -> "sender " + what;
            case "domain" -> "sender domain " + what;
            case "pair" -> "messages " + what.replace(">", " to ");
            default -> "recipient " + what;
        } + (kind.startsWith("unauthenticated-") ? " (unauthenticated)" : "");
    }

    /** Who sent it, as the transport says, and whether anything authenticates that. */
    private record Sender(CalendarUserAddress address, boolean authenticated, boolean local) {
    }

    private static Optional<Sender> sender(SchedulingMessage message) {
        if (message.transport() instanceof ImipDelivery imip) {
            Optional<CalendarUserAddress> a = imip.envelopeSender().or(imip::from);
            return a.map(x -> new Sender(x, x.domain().map(d -> imip.authenticatedDomains().contains(d)
                    || imip.authenticationResults().stream().anyMatch(r -> r.passed() && r.domain().equals(d)))
                    .orElse(false), false));
        }
        if (message.transport() instanceof CaldavSubmission caldav) {
            // the server authenticated the principal
            return caldav.principalAddresses().stream().sorted((a, b) -> a.uri().compareTo(b.uri())).findFirst()
                    .map(a -> new Sender(a, true, true));
        }
        return Optional.empty();
    }
}
