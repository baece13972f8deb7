package dev.inboxguard.engine;

import dev.inboxguard.api.Action;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.Verdict;
import dev.inboxguard.checks.content.AlarmRemoval;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import net.fortuna.ical4j.data.CalendarOutputter;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.ComponentContainer;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.PropertyContainer;
import net.fortuna.ical4j.model.parameter.XParameter;
import net.fortuna.ical4j.model.component.CalendarComponent;
import net.fortuna.ical4j.model.property.XProperty;

/**
 * The copy of a message that goes into the recipient's inbox: written from the parsed object (so nothing ical4j
 * did not understand is passed on), without the alarms {@code content.alarms} removes, without any
 * {@code X-INBOXGUARD-} property the sender wrote, and, for a flagged message, with one {@code X-INBOXGUARD-FINDING}
 * property per finding for clients to show. Only the recipient's copy is rewritten, never an organizer's stored one.
 */
public final class InboxCopy {
    /** The property that carries a finding. */
    public static final String FINDING = "X-INBOXGUARD-FINDING";
    private static final String PREFIX = "X-INBOXGUARD-";

    private InboxCopy() {
    }

    /**
     * Rewrites the message's own parsed object, which belongs to this message alone, and writes it out.
     *
     * @param calendar the parsed message
     * @param verdict  the verdict
     * @param alarms   which alarms to remove
     * @return the iCalendar text to deliver
     */
    public static byte[] of(Calendar calendar, Verdict verdict, AlarmRemoval alarms) {
        calendar.removeIf(p -> p.getName().toUpperCase(Locale.ROOT).startsWith(PREFIX));
        for (CalendarComponent c : calendar.<CalendarComponent>getComponents()) {
            rewrite(c, verdict, alarms);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStreamWriter writer = new OutputStreamWriter(bytes, StandardCharsets.UTF_8)) {
            new CalendarOutputter(false).output(calendar, writer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Removes the guard's own properties from a component and everything inside it. */
    private static void strip(Component c) {
        ((PropertyContainer) c).removeIf(p -> p.getName().toUpperCase(Locale.ROOT).startsWith(PREFIX));
        if (c instanceof ComponentContainer<?> container) {
            for (Object child : container.getComponentList().getAll()) {
                strip((Component) child);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static void rewrite(Component c, Verdict verdict, AlarmRemoval alarms) {
        PropertyContainer props = c;
        props.removeIf(p -> p.getName().toUpperCase(Locale.ROOT).startsWith(PREFIX));
        boolean scheduling = List.of(Component.VEVENT, Component.VTODO, Component.VJOURNAL).contains(c.getName());
        if (scheduling && verdict.action() == Action.FLAG) {
            for (Finding f : verdict.findings()) {
                XProperty p = new XProperty(FINDING, f.message());
                p.add(new XParameter("X-INBOXGUARD-CODE", f.code().value()));
                props.add(p);
            }
        }
        if (c instanceof ComponentContainer<?> container) {
            ComponentContainer<Component> children = (ComponentContainer<Component>) container;
            for (Component child : new ArrayList<>(children.getComponentList().getAll())) {
                if (child.getName().equals(Component.VALARM) && alarms.removes(child)) {
                    children.remove(child);
                } else {
                    strip(child); // a kept alarm, an observance or a VLOCATION may carry forged annotations too
                }
            }
        }
    }
}
