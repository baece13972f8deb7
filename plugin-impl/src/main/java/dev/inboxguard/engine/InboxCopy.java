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
import net.fortuna.ical4j.model.property.Transp;
import net.fortuna.ical4j.model.property.XProperty;

/**
 * The copy of a message that goes into the recipient's inbox: written from the parsed object (so nothing ical4j
 * did not understand is passed on), without the alarms {@code content.alarms} removes, without any
 * {@code X-INBOXGUARD-} property the sender wrote, and, for a flagged message, with one {@code X-INBOXGUARD-FINDING}
 * property per finding for clients to show. A flagged invitation also loses every alarm and, if the operator keeps
 * {@code policy.flaggedTransparent}, becomes {@code TRANSP:TRANSPARENT}, its own TRANSP kept in
 * {@value #ORIGINAL_TRANSP} so that accepting it restores it. Only the recipient's copy is rewritten, never an
 * organizer's stored one.
 */
public final class InboxCopy {
    /** The property that carries a finding. */
    public static final String FINDING = "X-INBOXGUARD-FINDING";
    /** The TRANSP a flagged invitation had before the guard made it transparent. */
    public static final String ORIGINAL_TRANSP = "X-INBOXGUARD-ORIGINAL-TRANSP";
    private static final String PREFIX = "X-INBOXGUARD-";
    private static final java.util.Set<String> INVITATIONS = java.util.Set.of("REQUEST", "ADD", "PUBLISH");

    private InboxCopy() {
    }

    /**
     * How delivered copies are rewritten.
     *
     * @param alarms             which incoming alarms every copy loses
     * @param flaggedTransparent make flagged invitations transparent until accepted
     */
    public record Rewrite(AlarmRemoval alarms, boolean flaggedTransparent) {
    }

    /**
     * @param calendar the parsed message
     * @param verdict  the verdict
     * @param rewrite  how to rewrite
     * @return the iCalendar text to deliver
     */
    public static byte[] of(Calendar calendar, Verdict verdict, Rewrite rewrite) {
        boolean flagged = verdict.action() == Action.FLAG;
        boolean invitation = verdict.method().map(m -> INVITATIONS.contains(m.name())).orElse(false);
        // flagged means visible but quiet: no reminder fires for it, and it blocks no time until accepted
        return of(calendar, verdict, flagged ? AlarmRemoval.STRIP : rewrite.alarms(),
                flagged && invitation && rewrite.flaggedTransparent());
    }

    /** Rewrites the message's own parsed object, which belongs to this message alone, and writes it out. */
    private static byte[] of(Calendar calendar, Verdict verdict, AlarmRemoval alarms, boolean transparent) {
        calendar.removeIf(p -> p.getName().toUpperCase(Locale.ROOT).startsWith(PREFIX));
        for (CalendarComponent c : calendar.<CalendarComponent>getComponents()) {
            rewrite(c, verdict, alarms);
            if (transparent && c.getName().equals(Component.VEVENT)) {
                String own = c.<Property>getProperty(Property.TRANSP).map(Property::getValue).orElse("OPAQUE");
                ((PropertyContainer) c).removeAll(Property.TRANSP);
                ((PropertyContainer) c).add(new Transp(Transp.VALUE_TRANSPARENT));
                ((PropertyContainer) c).add(new XProperty(ORIGINAL_TRANSP, own));
            }
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
