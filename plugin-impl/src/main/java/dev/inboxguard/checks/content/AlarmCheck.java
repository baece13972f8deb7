package dev.inboxguard.checks.content;

import dev.inboxguard.api.Check;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.api.RequestStatus;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.api.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.ComponentContainer;
import net.fortuna.ical4j.model.Property;

/**
 * Reports the VALARMs that the delivered copy will not carry ({@code content.alarm-removed}). An EMAIL alarm would
 * make the recipient's calendar send mail to addresses the sender chose; AUDIO and PROCEDURE alarms carry
 * attachments the sender chose. What to strip is {@code content.alarms}: all, or all but DISPLAY.
 */
public final class AlarmCheck implements Check {
    private final AlarmRemoval removal;

    /** @param removal which alarms the delivered copy loses */
    public AlarmCheck(AlarmRemoval removal) {
        this.removal = removal;
    }

    /**
     * RFC 5545 §3.8.6.2: REPEAT counts extra firings after the first. Real reminders repeat a handful of times
     * (snoozes); a hundred million firings would make a client that honours them its own denial of service.
     */
    static final int MAX_REPEAT = 100;

    @Override
    public List<Finding> inspect(SchedulingMessage message, RecipientContext recipient) {
        List<String> removed = new ArrayList<>();
        List<Finding> out = new ArrayList<>();
        for (Component c : message.schedulingComponents()) {
            if (c instanceof ComponentContainer<?> container) {
                for (Object child : container.getComponentList().getAll()) {
                    Component alarm = (Component) child;
                    repeats(alarm).filter(n -> n > MAX_REPEAT).ifPresent(n -> out.add(Finding.of(
                            FindingCode.LIMITS_SIZE, Severity.HIGH, String.format(Locale.ROOT,
                                    "an alarm repeats %,d times; the limit is %,d", n, MAX_REPEAT))
                            .withRequestStatus(new RequestStatus("3.10", "Request entity too large"))
                            .about(Property.REPEAT, Long.toString(n))));
                    if (alarm.getName().equals(Component.VALARM) && removal.removes(alarm)) {
                        removed.add(alarm.<Property>getProperty(Property.ACTION).map(Property::getValue)
                                .map(v -> v.toUpperCase(Locale.ROOT)).orElse("(no ACTION)"));
                    }
                }
            }
        }
        if (removed.isEmpty()) {
            return out;
        }
        boolean risky = removed.stream().anyMatch(a -> !a.equals("DISPLAY"));
        out.add(Finding.of(FindingCode.CONTENT_ALARM_REMOVED, risky ? Severity.LOW : Severity.INFO,
                removed.size() + " alarm" + (removed.size() == 1 ? "" : "s") + " removed (" + String.join(", ", removed)
                        + "); the recipient's own reminders apply").about(Component.VALARM, String.join(",", removed)));
        return out;
    }

    /** REPEAT as a number; an unreadable or absurdly long one counts as the most there is. */
    private static java.util.Optional<Long> repeats(Component alarm) {
        return alarm.<Property>getProperty(Property.REPEAT).map(Property::getValue).map(String::strip).map(v -> {
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                return v.matches("\\d+") ? Long.MAX_VALUE : 0L;
            }
        });
    }
}
