package dev.inboxguard.engine;

import com.google.inject.AbstractModule;
import dev.inboxguard.api.Check;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.api.Severity;
import java.util.List;
import net.fortuna.ical4j.model.Property;

/** A third party's module, as an operator names it in checks.modules: one check, placed by position. */
public final class UrgentWireTransferModule extends AbstractModule {
    @Override
    protected void configure() {
        ChainLink.add(binder(), 350, UrgentWireTransferCheck.class);
    }

    /** Reports invitations whose summary pushes for an urgent payment. */
    public static final class UrgentWireTransferCheck implements Check {
        @Override
        public List<Finding> inspect(SchedulingMessage message, RecipientContext recipient) {
            return message.schedulingComponents().stream()
                    .flatMap(c -> c.<Property>getProperty(Property.SUMMARY).stream())
                    .filter(s -> s.getValue().toLowerCase().contains("urgent wire transfer"))
                    .map(s -> Finding.of(new FindingCode("x-acme.urgent-payment"), Severity.CRITICAL,
                            "the summary asks for an urgent payment").about("SUMMARY", s.getValue()))
                    .toList();
        }
    }
}
