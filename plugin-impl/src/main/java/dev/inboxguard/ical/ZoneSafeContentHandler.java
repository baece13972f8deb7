package dev.inboxguard.ical;

import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import net.fortuna.ical4j.data.ContentHandlerContext;
import net.fortuna.ical4j.data.DefaultComponentFactorySupplier;
import net.fortuna.ical4j.data.DefaultContentHandler;
import net.fortuna.ical4j.data.DefaultParameterFactorySupplier;
import net.fortuna.ical4j.data.DefaultPropertyFactorySupplier;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.ComponentFactory;
import net.fortuna.ical4j.model.ParameterFactory;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.PropertyBuilder;
import net.fortuna.ical4j.model.PropertyFactory;

/**
 * ical4j's content handler, with two changes: no timezone registry for VTIMEZONE components (building one expands
 * the observance rules without a bound, shared/HAZARDS.md), and {@link KnownZones} for resolving TZIDs of dates.
 */
final class ZoneSafeContentHandler extends DefaultContentHandler {
    // ical4j's suppliers build fresh lists of every factory on each call: once per component, property and
    // parameter, a fifth of a small object's parse. The factories keep no state (final fields only), so one list
    // of each serves every parse on every thread
    private static final List<ParameterFactory<?>> PARAMETERS = List.copyOf(
            new DefaultParameterFactorySupplier().get());
    private static final List<PropertyFactory<? extends Property>> PROPERTIES = List.copyOf(
            new DefaultPropertyFactorySupplier().get());
    private static final List<ComponentFactory<?>> COMPONENTS = List.copyOf(
            new DefaultComponentFactorySupplier().get());

    private final ContentHandlerContext context;

    /** @param consumer told the calendar once it is read */
    ZoneSafeContentHandler(Consumer<Calendar> consumer) {
        this(consumer, context());
    }

    private ZoneSafeContentHandler(Consumer<Calendar> consumer, ContentHandlerContext context) {
        super(consumer, null, context);
        this.context = context;
    }

    // ical4j's supplier types and its lists disagree on the wildcard; the lists are the same
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ContentHandlerContext context() {
        return new ContentHandlerContext().withParameterFactorySupplier(() -> PARAMETERS)
                .withPropertyFactorySupplier(() -> (List) PROPERTIES).withComponentFactorySupplier(() -> COMPONENTS);
    }

    @Override
    public void startProperty(String name) {
        if (!context.getIgnoredPropertyNames().contains(name.toUpperCase(Locale.ROOT))) {
            propertyBuilder = new PropertyBuilder(PROPERTIES).name(name).timeZoneRegistry(KnownZones.INSTANCE);
        } else {
            propertyBuilder = null;
        }
    }
}
