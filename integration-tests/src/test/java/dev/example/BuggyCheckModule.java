package dev.example;

import com.google.inject.AbstractModule;
import dev.inboxguard.api.Check;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.engine.ChainLink;
import java.util.List;
import net.fortuna.ical4j.model.Property;

/**
 * A third-party check with a bug: it fails on any message whose summary mentions a "budget". The guard must answer
 * such messages with a temporary failure, never a judgement.
 */
public final class BuggyCheckModule extends AbstractModule {
    @Override
    protected void configure() {
        ChainLink.add(binder(), 460, BuggyCheck.class);
    }

    /** The check itself. */
    public static final class BuggyCheck implements Check {
        @Override
        public List<Finding> inspect(SchedulingMessage message, RecipientContext recipient) {
            boolean budget = message.schedulingComponents().stream()
                    .flatMap(c -> c.<Property>getProperty(Property.SUMMARY).stream())
                    .anyMatch(s -> s.getValue().toLowerCase().contains("budget"));
            if (budget) {
                throw new IllegalStateException("secret internal detail: index 7 out of bounds");
            }
            return List.of();
        }
    }
}
