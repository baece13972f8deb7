package dev.inboxguard.routing;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.ReplyRoute;
import dev.inboxguard.api.ReplyRouter;
import dev.inboxguard.config.ConfigException;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.identity.CalendarUserDirectory;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Routes replies under the operator's sent-by policy: to the ORGANIZER (the default, as RFC 5546 §3.2.2.5 has it),
 * to the SENT-BY, or to both. A setting for the organizer's address overrides one for its domain, which overrides
 * the default.
 */
public final class SentByReplyRouter implements ReplyRouter {

    /** Where replies go. */
    public enum Target {
        /** To the organizer only. */
        ORGANIZER,
        /** To whoever sent for the organizer. */
        SENT_BY,
        /** To both. */
        BOTH;

        static Target parse(String where, String value) {
            return switch (value == null ? "" : value.strip().toLowerCase(Locale.ROOT)) {
                case "organizer" -> ORGANIZER;
                case "sent-by" -> SENT_BY;
                case "both" -> BOTH;
                default -> throw new ConfigException(where + ": must be organizer, sent-by or both, got " + value);
            };
        }

        String id() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    private final CalendarUserDirectory directory;
    private final Target fallback;
    private final Map<String, Target> byDomain = new HashMap<>();
    private final Map<CalendarUserAddress, Target> byUser = new HashMap<>();

    /**
     * @param settings  the {@code replies} section of the configuration
     * @param directory who is who, and whose SENT-BY is trusted
     */
    public SentByReplyRouter(GuardConfig.Replies settings, CalendarUserDirectory directory) {
        this.directory = directory;
        this.fallback = Target.parse("replies.sentBy", settings.sentBy());
        settings.domains().forEach((domain, target) -> byDomain.put(domain.toLowerCase(Locale.ROOT).replaceFirst("^@", ""),
                Target.parse("replies.domains." + domain, target)));
        settings.users().forEach((user, target) -> {
            try {
                byUser.put(CalendarUserAddress.of(user), Target.parse("replies.users." + user, target));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("replies.users: not a calendar user address: " + user);
            }
        });
    }

    @Override
    public ReplyRoute routeInbound(CalendarUserAddress addressedTo, CalendarUserAddress organizer,
                                   Optional<CalendarUserAddress> sentBy) {
        if (directory.same(addressedTo, organizer)) {
            return route(organizer, sentBy);
        }
        if (sentBy.isPresent() && directory.same(addressedTo, sentBy.get())
                && directory.mayActFor(sentBy.get(), organizer)) {
            ReplyRoute routed = route(organizer, sentBy);
            return new ReplyRoute(routed.deliverTo(), "addressed to " + addressedTo + ", trusted to act for "
                    + organizer + "; " + routed.reason());
        }
        return new ReplyRoute(List.of(addressedTo), "addressed to " + addressedTo
                + ", who is neither the organizer nor a SENT-BY trusted for them: delivered as addressed");
    }

    @Override
    public ReplyRoute route(CalendarUserAddress organizer, Optional<CalendarUserAddress> sentBy) {
        if (sentBy.isEmpty() || directory.same(sentBy.get(), organizer)) {
            return new ReplyRoute(List.of(organizer), "no SENT-BY: to the organizer");
        }
        if (!directory.mayActFor(sentBy.get(), organizer)) {
            // an invitation can name anyone in SENT-BY; replies go there only for a delegate the operator trusts
            return new ReplyRoute(List.of(organizer), "SENT-BY " + sentBy.get() + " is not configured to act for "
                    + organizer + " (identity.proxies): to the organizer only");
        }
        Target target;
        String why;
        if (byUser.containsKey(organizer)) {
            target = byUser.get(organizer);
            why = "replies.users setting for " + organizer;
        } else if (organizer.domain().map(byDomain::containsKey).orElse(false)) {
            target = byDomain.get(organizer.domain().get());
            why = "replies.domains setting for " + organizer.domain().get();
        } else {
            target = fallback;
            why = "the default (replies.sentBy)";
        }
        Set<CalendarUserAddress> to = new LinkedHashSet<>();
        if (target != Target.SENT_BY) {
            to.add(organizer);
        }
        if (target != Target.ORGANIZER) {
            to.add(sentBy.get());
        }
        return new ReplyRoute(List.copyOf(to), "SENT-BY " + sentBy.get() + " acts for " + organizer + "; "
                + target.id() + " by " + why);
    }
}
