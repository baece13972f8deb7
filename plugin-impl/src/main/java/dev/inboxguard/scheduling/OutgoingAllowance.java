package dev.inboxguard.scheduling;

import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.ratelimit.RateLimiter;
import dev.inboxguard.server.Account;
import java.time.Clock;
import java.util.List;

/**
 * How many messages a local user may send that the guard does not judge while their request runs: mail to remote
 * addresses, and, with the directory hidden, every message, since all of them wait in the {@link DeliveryQueue}
 * first. Without it a compromised account could flood the relay, or fill the queue faster than it drains, with
 * nothing to stop it. Each bucket is the size of the guard's own for a local sender ({@code rates.local.perSender}),
 * kept apart from it: a local recipient's message, judged at once with the directory visible, counts only there.
 *
 * <p>A user has three buckets: CANCELs, REPLYs and everything else. So an organizer who has just invited as many
 * people as the allowance holds can still cancel the meeting, and an attendee's answers are not held back by their
 * own invitations; a flood is still bounded, at three times one bucket.
 */
final class OutgoingAllowance {
    private final RateLimiter limiter;
    private final GuardConfig.Rate rate;
    private final Clock clock;

    /**
     * @param limiter where the counts are kept (shared by every node on PostgreSQL)
     * @param rate    each user's allowance
     * @param clock   the clock
     */
    OutgoingAllowance(RateLimiter limiter, GuardConfig.Rate rate, Clock clock) {
        this.limiter = limiter;
        this.rate = rate;
        this.clock = clock;
    }

    /**
     * @param from   the user sending
     * @param method the message's METHOD
     * @return true if {@code from} may send one more such message now, which is then counted
     * @throws dev.inboxguard.storage.StoreFailure if the counts are in a database that fails
     */
    boolean take(Account from, String method) {
        return limiter.tryTakeAll(bucket(from, method), clock.instant()).isEmpty();
    }

    /**
     * Gives back what {@link #take} counted, for a message that then went nowhere: the queue failed to take it.
     *
     * @param from   the user sending
     * @param method the message's METHOD
     * @throws dev.inboxguard.storage.StoreFailure if the counts are in a database that fails
     */
    void giveBack(Account from, String method) {
        limiter.giveBack(bucket(from, method), clock.instant());
    }

    private List<RateLimiter.Limit> bucket(Account from, String method) {
        String kind = switch (method) {
            case "CANCEL" -> "cancel";
            case "REPLY" -> "reply";
            default -> "request";
        };
        return List.of(new RateLimiter.Limit("local-outgoing-" + kind + ":" + from.name(), rate.burst(),
                rate.perHour()));
    }
}
