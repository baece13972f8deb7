package dev.inboxguard.checks.identity;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.Check;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.ItipMethod;
import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.api.RequestStatus;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.api.Severity;
import dev.inboxguard.calendar.ListMembership;
import dev.inboxguard.identity.CalendarUserDirectory;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Property;

/**
 * Answers from people who were not invited. A REPLY or COUNTER from an attendee who is not in the organizer's copy
 * and does not claim to be a delegate of an invited attendee is a party crash: RFC 5546 §3.2.3 leaves the decision
 * to the organizer, so the default policy holds it for them. A REFRESH from someone not invited would leak the event
 * ({@code refresh.not-attendee}). A member of an invited mailing list is still a {@code party-crash}, graded lower
 * and named as such ({@link ListMembership}).
 */
public final class PartyCrashCheck implements Check {
    private final CalendarUserDirectory directory;

    /** @param directory who is who */
    @Inject
    public PartyCrashCheck(CalendarUserDirectory directory) {
        this.directory = directory;
    }

    @Override
    public List<Finding> inspect(SchedulingMessage message, RecipientContext recipient) {
        Optional<ItipMethod> method = message.method();
        if (method.isEmpty() || !(method.get() == ItipMethod.REPLY || method.get() == ItipMethod.COUNTER
                || method.get() == ItipMethod.REFRESH)) {
            return List.of();
        }
        Optional<StoredEvent> stored = StoredEvent.of(message, recipient);
        if (stored.isEmpty()) {
            return List.of(); // event.unknown says so
        }
        Set<CalendarUserAddress> invited = stored.get().attendees().stream().map(Participant::address)
                .collect(Collectors.toSet());
        String summary = stored.get().master().<Property>getProperty(Property.SUMMARY).map(Property::getValue)
                .map(s -> "\"" + (s.length() <= 60 ? s : s.substring(0, 57) + "...") + "\"").orElse("the event");
        List<Finding> out = new ArrayList<>();
        List<Property> invitedLines = new ArrayList<>();
        for (Component s : stored.get().components()) {
            invitedLines.addAll(s.getProperties(Property.ATTENDEE));
        }
        List<CalendarUserAddress> groups = ListMembership.groups(invitedLines); // once per message
        Map<CalendarUserAddress, Optional<ListMembership>> memberships = new HashMap<>();
        for (Component c : message.schedulingComponents()) {
            for (Participant author : SenderCheck.authors(c, method.get(), message)) {
                if (directory.isAmong(author.address(), invited)) {
                    continue;
                }
                if (method.get() == ItipMethod.REFRESH) {
                    out.add(Finding.of(FindingCode.REFRESH_NOT_ATTENDEE, Severity.HIGH, author.address()
                            + " asked for the latest version of " + summary + " but is not invited; answering would"
                            + " disclose the event").about(Property.ATTENDEE, author.address().uri())
                            .withRequestStatus(RequestStatus.NO_AUTHORITY));
                } else if (author.delegatedFrom().stream().noneMatch(d -> directory.isAmong(d, invited))) {
                    Optional<ListMembership> list = memberships.computeIfAbsent(author.address(),
                            a -> membership(c, author, groups));
                    if (list.isPresent()) {
                        out.add(listMember(author, list.get(), summary, method.get()));
                        continue;
                    }
                    out.add(Finding.of(FindingCode.PARTY_CRASH, Severity.MEDIUM, author.address() + " answered "
                            + summary + " (" + (author.partstat().isEmpty() ? method.get().name()
                            : author.partstat()) + ") but was not invited; the organizer decides whether to add them")
                            .about(Property.ATTENDEE, author.address().uri()));
                }
            }
        }
        return out.stream().distinct().toList();
    }

    private Optional<ListMembership> membership(Component c, Participant author, List<CalendarUserAddress> groups) {
        for (Property p : c.<Property>getProperties(Property.ATTENDEE)) {
            if (CalendarUserAddress.parse(p.getValue()).filter(author.address()::equals).isPresent()) {
                return ListMembership.of(p, groups, directory::sameOrganization);
            }
        }
        return Optional.empty();
    }

    /**
     * A member of an invited mailing list answering for themselves (RFC 5545 MEMBER). Answering from the list's
     * own domain is the everyday case (info); a claim from another domain is the organizer's to judge (low). Either
     * way the organizer reads "member of list X", not "a stranger".
     */
    private static Finding listMember(Participant author, ListMembership list, String summary, ItipMethod method) {
        String answer = author.partstat().isEmpty() ? method.name() : author.partstat();
        if (list.sameDomain()) {
            return Finding.of(FindingCode.PARTY_CRASH, Severity.INFO, author.address() + " answered " + summary
                    + " (" + answer + ") as a member of the invited list " + list.list()
                    + "; they join the attendees").about(Property.ATTENDEE, author.address().uri());
        }
        return Finding.of(FindingCode.PARTY_CRASH, Severity.LOW, author.address() + " answered " + summary + " ("
                + answer + ") and says they are a member of the invited list " + list.list() + ", from another "
                + "domain; the organizer decides whether to add them").about(Property.ATTENDEE,
                author.address().uri());
    }
}
