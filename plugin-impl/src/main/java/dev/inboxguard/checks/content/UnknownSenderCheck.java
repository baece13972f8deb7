package dev.inboxguard.checks.content;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.Check;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.ItipMethod;
import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.api.Severity;
import dev.inboxguard.config.ConfigException;
import dev.inboxguard.config.GuardConfig;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Property;

/**
 * Calendar spam: invitations (PUBLISH, REQUEST, ADD) from organizers the recipient does not know
 * ({@code sender.unknown}), under the recipient's setting (their own, else the operator's), Google Calendar's three: add from everyone, only from
 * known senders, or never automatically. Known: the recipient's own domain, the allow list, and anyone the
 * recipient already shares an event with. Under "everyone" a stranger's invitation is still reported, at severity
 * info, so that the default policy can deliver it flagged (CalConnect's calendar-spam practice, CC/R 18003) rather
 * than hold it: holding strangers by default is what made people miss bookings.
 */
public final class UnknownSenderCheck implements Check {

    /** The three settings. */
    enum Setting {
        EVERYONE, KNOWN, NEVER;

        static Setting of(String where, String value) {
            try {
                return valueOf(value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new ConfigException(where + ": must be everyone, known or never, got " + value);
            }
        }
    }

    private final Setting fallback;
    private final Map<CalendarUserAddress, Setting> byRecipient = new HashMap<>();
    private final Map<String, Setting> byDomain = new HashMap<>();
    private final Set<CalendarUserAddress> allowed = new HashSet<>();
    private final Set<String> allowedDomains = new HashSet<>();

    /** @param settings the {@code senders} section of the configuration */
    public UnknownSenderCheck(GuardConfig.Senders settings) {
        this.fallback = Setting.of("senders.policy", settings.policy());
        settings.recipients().forEach((r, v) -> byRecipient.put(address("senders.recipients", r),
                Setting.of("senders.recipients." + r, v)));
        settings.domains().forEach((d, v) -> byDomain.put(d.toLowerCase(Locale.ROOT).replaceFirst("^@", ""),
                Setting.of("senders.domains." + d, v)));
        for (String a : settings.allow()) {
            if (a.startsWith("@") && a.length() > 1) {
                allowedDomains.add(a.substring(1).toLowerCase(Locale.ROOT));
            } else {
                allowed.add(address("senders.allow", a));
            }
        }
    }

    @Override
    public List<Finding> inspect(SchedulingMessage message, RecipientContext recipient) {
        Optional<ItipMethod> method = message.method();
        if (method.isEmpty() || !(method.get() == ItipMethod.PUBLISH || method.get() == ItipMethod.REQUEST
                || method.get() == ItipMethod.ADD)) {
            return List.of();
        }
        // the recipient's own choice on the approval page wins over the operator's; a value that is not one of the
        // three (a store edited by hand) falls back to the operator's
        Setting setting = recipient.invitations().flatMap(UnknownSenderCheck::own)
                .orElseGet(() -> settingFor(recipient.address()));
        Optional<CalendarUserAddress> organizer = message.schedulingComponents().stream()
                .flatMap(c -> c.<Property>getProperty(Property.ORGANIZER).stream())
                .map(p -> CalendarUserAddress.parse(p.getValue())).flatMap(Optional::stream).findFirst();
        if (setting == Setting.NEVER) {
            return List.of(Finding.of(FindingCode.SENDER_UNKNOWN, Severity.LOW, "the recipient adds no invitation "
                    + "automatically; it waits for them").about(Property.ORGANIZER,
                    organizer.map(CalendarUserAddress::uri).orElse(null)));
        }
        if (organizer.isEmpty() || known(organizer.get(), message, recipient)) {
            return List.of();
        }
        if (setting == Setting.EVERYONE) {
            return List.of(Finding.of(FindingCode.SENDER_UNKNOWN, Severity.INFO, "a first invitation from "
                    + organizer.get() + ", whom the recipient has not scheduled with before")
                    .about(Property.ORGANIZER, organizer.get().uri()));
        }
        return List.of(Finding.of(FindingCode.SENDER_UNKNOWN, Severity.LOW, organizer.get() + " is not someone the "
                + "recipient knows; the invitation waits for them").about(Property.ORGANIZER, organizer.get().uri()));
    }

    private boolean known(CalendarUserAddress sender, SchedulingMessage message, RecipientContext recipient) {
        Optional<String> domain = sender.domain();
        boolean sameDomain = domain.isPresent() && recipient.addresses().stream()
                .anyMatch(a -> a.domain().equals(domain));
        return sameDomain || allowed.contains(sender) || domain.map(allowedDomains::contains).orElse(false)
                || recipient.knowsSender(sender)
                || message.uid().flatMap(recipient::storedCopy).isPresent();
    }

    private static Optional<Setting> own(String value) {
        try {
            return Optional.of(Setting.valueOf(value.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private Setting settingFor(CalendarUserAddress recipient) {
        Setting s = byRecipient.get(recipient);
        if (s == null) {
            s = recipient.domain().map(byDomain::get).orElse(null);
        }
        return s == null ? fallback : s;
    }

    private static CalendarUserAddress address(String where, String text) {
        try {
            return CalendarUserAddress.of(text);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(where + ": not a calendar user address: " + text);
        }
    }
}
