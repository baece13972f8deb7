package dev.example;

import com.google.inject.AbstractModule;
import dev.inboxguard.api.Check;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.api.Severity;
import dev.inboxguard.engine.ChainLink;
import java.util.List;
import net.fortuna.ical4j.model.Property;

/**
 * A check as a third party would ship it: a Guice module in its own jar (here: the test classes folder), named
 * in the operator's config. It flags invitations whose summary mentions a weekend.
 */
public final class NoWeekendMeetingsModule extends AbstractModule {
    @Override
    protected void configure() {
        ChainLink.add(binder(), 450, WeekendCheck.class);
    }

    /** The check itself. */
    public static final class WeekendCheck implements Check {
        @Override
        public List<Finding> inspect(SchedulingMessage message, RecipientContext recipient) {
            return message.schedulingComponents().stream()
                    .flatMap(c -> c.<Property>getProperty(Property.SUMMARY).stream())
                    .filter(s -> s.getValue().toLowerCase().contains("saturday"))
                    .map(s -> Finding.of(new FindingCode("x-example.weekend"), Severity.MEDIUM,
                            "a meeting on a weekend").about("SUMMARY", s.getValue()))
                    .toList();
        }
    }
}
