package dev.inboxguard.ical;

import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import net.fortuna.ical4j.data.ContentHandlerContext;
import net.fortuna.ical4j.data.DefaultContentHandler;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.PropertyBuilder;
import net.fortuna.ical4j.model.PropertyFactory;

/**
 * ical4j's content handler, with two changes: no timezone registry for VTIMEZONE components (building one expands
 * the observance rules without a bound, shared/HAZARDS.md), and {@link KnownZones} for resolving TZIDs of dates.
 */
final class ZoneSafeContentHandler extends DefaultContentHandler {
    private final ContentHandlerContext context;
    // the supplier builds a fresh list of some fifty factories on every call; one list per message is enough
    private final List<PropertyFactory<? extends Property>> factories;

    ZoneSafeContentHandler(Consumer<Calendar> consumer, ContentHandlerContext context) {
        super(consumer, null, context);
        this.context = context;
        this.factories = factories(context);
    }

    @Override
    public void startProperty(String name) {
        if (!context.getIgnoredPropertyNames().contains(name.toUpperCase(Locale.ROOT))) {
            propertyBuilder = new PropertyBuilder(factories).name(name).timeZoneRegistry(KnownZones.INSTANCE);
        } else {
            propertyBuilder = null;
        }
    }

    // ical4j's supplier and builder disagree on the wildcard; the list is the same
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static List<PropertyFactory<? extends Property>> factories(ContentHandlerContext context) {
        return List.copyOf((List) context.getPropertyFactorySupplier().get());
    }
}
