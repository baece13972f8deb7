package dev.inboxguard.scheduling;

import dev.inboxguard.api.ReplyRouter;
import dev.inboxguard.calendar.CalendarHomes;
import dev.inboxguard.calendar.CalendarObjectRules;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.engine.Guard;
import dev.inboxguard.metrics.ServerMeters;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.storage.CalendarStore;
import dev.inboxguard.storage.PreferenceStore;
import dev.inboxguard.storage.SchedulingStore;
import java.time.Clock;

/**
 * RFC 6638 scheduling, assembled: the inbox every delivery goes through, the outbox that sends, implicit
 * scheduling, outbox POSTs and the quarantine.
 *
 * @param inbox     the one way into an inbox
 * @param outbox    sends a local user's messages
 * @param implicit  schedules after PUT and DELETE
 * @param posts     answers POSTs to an outbox
 * @param quarantine held items and decisions
 * @param store     inboxes, quarantine and audit
 * @param homes     each user's calendar home and default calendar
 * @param objectRules what a user may PUT as a scheduling object (RFC 6638 §3.2.4)
 * @param removals  removing an invitation without answering, and reporting spam
 * @param deliveries messages waiting to be delivered or mailed while the directory is hidden; its worker runs
 *                   while the server does
 */
public record Scheduling(SchedulingInbox inbox, SchedulingOutbox outbox, ImplicitScheduler implicit,
                         OutboxPost posts, Quarantine quarantine, SchedulingStore store, CalendarHomes homes,
                         SchedulingObjectRules objectRules, InvitationRemoval removals, DeliveryQueue deliveries) {

    /**
     * @param guard     the guard
     * @param reader    the bounded reader
     * @param calendars the calendars
     * @param store     inboxes, quarantine, audit
     * @param accounts  the local users
     * @param outbound  where messages for remote users go
     * @param router    where replies go under SENT-BY
     * @param settings  the scheduling settings
     * @param clock     the clock
     * @param meters    where verdicts are counted
     * @param homes     each user's first collections and default calendar
     * @param preferences each user's own invitation setting and sender lists
     * @param transactions makes multi-step changes one transaction
     * @param limiter   where each user's allowance for outgoing messages is counted
     * @param outgoing  that allowance, per user
     * @return scheduling, wired
     */
    public static Scheduling assemble(Guard guard, CalendarReader reader, CalendarStore calendars,
                                      SchedulingStore store, Accounts accounts, OutboundImip outbound,
                                      ReplyRouter router, GuardConfig.Scheduling settings, Clock clock,
                                      ServerMeters meters, CalendarHomes homes, PreferenceStore preferences,
                                      dev.inboxguard.storage.Transactions transactions,
                                      dev.inboxguard.ratelimit.RateLimiter limiter, GuardConfig.Rate outgoing) {
        CalendarObjectRules rules = new CalendarObjectRules(reader);
        AutoSchedule auto = new AutoSchedule(calendars, reader, rules, homes, clock);
        SchedulingInbox inbox = new SchedulingInbox(guard, reader, calendars, store, accounts, auto, clock, meters,
                preferences, transactions);
        DeliveryQueue deliveries = new DeliveryQueue(inbox, outbound, store, accounts, transactions, clock);
        SchedulingOutbox outbox = new SchedulingOutbox(inbox, outbound, accounts,
                homes.settings().directoryVisible(), store, clock, deliveries,
                new OutgoingAllowance(limiter, outgoing, clock));
        return new Scheduling(inbox, outbox, new ImplicitScheduler(reader, outbox, router, store, clock),
                new OutboxPost(reader, outbox, calendars, accounts, clock, homes.settings().directoryVisible()),
                new Quarantine(store, inbox, outbox, calendars, reader, rules, accounts, settings, clock), store, homes,
                new SchedulingObjectRules(reader, calendars, accounts, store, clock),
                new InvitationRemoval(store, calendars, preferences, accounts, reader, transactions, clock),
                deliveries);
    }
}
