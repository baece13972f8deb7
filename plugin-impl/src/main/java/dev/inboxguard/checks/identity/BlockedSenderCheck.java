package dev.inboxguard.checks.identity;

import dev.inboxguard.api.CaldavSubmission;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.Check;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.ImipDelivery;
import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.api.Severity;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import net.fortuna.ical4j.model.Property;

/**
 * The recipient's own block list ({@code sender.blocked}): a message whose organizer, or whose sender by the
 * transport's account (the signed-in principal's addresses, the envelope sender, the From address), is on it. The
 * list is the recipient's choice, made on the approval page or by reporting spam, so there is nothing to weigh:
 * one match is enough.
 */
public final class BlockedSenderCheck implements Check {

    @Override
    public List<Finding> inspect(SchedulingMessage message, RecipientContext recipient) {
        Set<CalendarUserAddress> who = new LinkedHashSet<>();
        message.schedulingComponents().stream()
                .flatMap(c -> c.<Property>getProperty(Property.ORGANIZER).stream())
                .map(p -> CalendarUserAddress.parse(p.getValue())).forEach(o -> o.ifPresent(who::add));
        if (message.transport() instanceof CaldavSubmission c) {
            who.addAll(c.principalAddresses());
        } else if (message.transport() instanceof ImipDelivery m) {
            m.envelopeSender().ifPresent(who::add);
            m.from().ifPresent(who::add);
        }
        // the recipient cannot block themselves out of their own events
        who.removeAll(recipient.addresses());
        for (CalendarUserAddress a : who) {
            if (recipient.blocks(a)) {
                return List.of(Finding.of(FindingCode.SENDER_BLOCKED, Severity.HIGH, "the recipient takes no "
                        + "calendar messages from this sender").about(Property.ORGANIZER, a.uri()));
            }
        }
        return List.of();
    }
}
