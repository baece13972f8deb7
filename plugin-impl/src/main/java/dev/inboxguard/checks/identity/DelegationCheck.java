package dev.inboxguard.checks.identity;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.Check;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.FindingCode;
import dev.inboxguard.api.ItipMethod;
import dev.inboxguard.api.RecipientContext;
import dev.inboxguard.api.SchedulingMessage;
import dev.inboxguard.api.Severity;
import dev.inboxguard.identity.CalendarUserDirectory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Property;

/**
 * Checks that delegation (RFC 5545 DELEGATED-TO and DELEGATED-FROM, RFC 5546 §4.2.4 to §4.2.6) agrees with itself
 * and with the organizer's copy: PARTSTAT=DELEGATED names a delegate; a delegate's DELEGATED-FROM names someone who
 * was invited and did delegate to them; a DELEGATED-TO in an invitation has its delegate in it; and delegations form
 * no loop and no chain longer than {@code identity.maxDelegationDepth}.
 */
public final class DelegationCheck implements Check {
    private final CalendarUserDirectory directory;
    private final int maxDepth;

    /**
     * @param directory who is who
     * @param maxDepth  the longest chain of delegations allowed
     */
    public DelegationCheck(CalendarUserDirectory directory, int maxDepth) {
        this.directory = directory;
        this.maxDepth = maxDepth;
    }

    @Override
    public List<Finding> inspect(SchedulingMessage message, RecipientContext recipient) {
        Optional<ItipMethod> method = message.method();
        if (method.isEmpty()) {
            return List.of();
        }
        Optional<StoredEvent> stored = StoredEvent.of(message, recipient);
        List<Participant> storedAttendees = stored.map(StoredEvent::attendees).orElse(List.of());
        boolean reply = method.get() == ItipMethod.REPLY || method.get() == ItipMethod.COUNTER;
        List<Finding> out = new ArrayList<>();
        for (Component c : message.schedulingComponents()) {
            List<Participant> attendees = Participant.attendees(c);
            for (Participant a : attendees) {
                if (a.delegated() && a.delegatedTo().isEmpty()) {
                    out.add(inconsistent(a.address() + " has PARTSTAT=DELEGATED but names no delegate (DELEGATED-TO)",
                            a));
                }
                for (CalendarUserAddress from : a.delegatedFrom()) {
                    if (reply) {
                        // the organizer's copy is the record of who was invited and who delegated
                        Optional<Participant> delegator = find(storedAttendees, from);
                        if (stored.isPresent() && delegator.isEmpty()) {
                            out.add(inconsistent(a.address() + " claims a delegation from " + from
                                    + ", who was never invited", a));
                        } else if (delegator.isPresent()
                                && !directory.isAmong(a.address(), delegator.get().delegatedTo())) {
                            out.add(inconsistent(a.address() + " claims a delegation from " + from + ", but "
                                    + from + " has not delegated to them", a));
                        }
                    } else {
                        Optional<Participant> delegator = find(attendees, from);
                        if (delegator.isEmpty() || !directory.isAmong(a.address(), delegator.get().delegatedTo())) {
                            out.add(inconsistent(a.address() + " claims a delegation from " + from + ", but the "
                                    + "message does not show " + from + " delegating to them", a));
                        }
                    }
                }
                if (!reply) {
                    for (CalendarUserAddress to : a.delegatedTo()) {
                        Optional<Participant> delegate = find(attendees, to);
                        if (delegate.isEmpty() || !directory.isAmong(a.address(), delegate.get().delegatedFrom())) {
                            out.add(inconsistent(a.address() + " delegated to " + to + ", but the message does not"
                                    + " list " + to + " as their delegate (DELEGATED-FROM)", a));
                        }
                    }
                }
            }
            List<Participant> all = new ArrayList<>(storedAttendees);
            all.addAll(attendees);
            chains(all).ifPresent(out::add);
        }
        return out.stream().distinct().toList();
    }

    private Optional<Participant> find(List<Participant> among, CalendarUserAddress who) {
        return among.stream().filter(p -> directory.same(p.address(), who)).findFirst();
    }

    /**
     * Follows DELEGATED-TO from every attendee: a loop, or a chain longer than the limit, is a finding. Each
     * attendee's chain length is computed once (depth-first with memory), so the work is linear in the delegations
     * however they are tangled.
     */
    private Optional<Finding> chains(List<Participant> attendees) {
        Map<CalendarUserAddress, Set<CalendarUserAddress>> edges = new HashMap<>();
        for (Participant p : attendees) {
            edges.computeIfAbsent(p.address(), k -> new LinkedHashSet<>()).addAll(p.delegatedTo());
        }
        Map<CalendarUserAddress, Integer> memo = new HashMap<>();
        for (CalendarUserAddress start : edges.keySet()) {
            LinkedHashSet<CalendarUserAddress> path = new LinkedHashSet<>();
            int length;
            try {
                length = length(start, edges, memo, path);
            } catch (LoopFound e) {
                List<String> names = new ArrayList<>();
                e.path.forEach(p -> names.add(p.uri()));
                names.add(e.closing.uri());
                return Optional.of(Finding.of(FindingCode.DELEGATION_INCONSISTENT, Severity.HIGH,
                        "delegation loops: " + String.join(" → ", names)).about(Property.ATTENDEE, e.closing.uri()));
            }
            if (length > maxDepth) {
                return Optional.of(Finding.of(FindingCode.DELEGATION_INCONSISTENT, Severity.MEDIUM, String.format(
                        "a chain of %d delegations starting at %s; the limit is %d", length, start, maxDepth))
                        .about(Property.ATTENDEE, start.uri()));
            }
        }
        return Optional.empty();
    }

    /** The number of delegations in the longest chain from this attendee. */
    private static int length(CalendarUserAddress at, Map<CalendarUserAddress, Set<CalendarUserAddress>> edges,
                              Map<CalendarUserAddress, Integer> memo, LinkedHashSet<CalendarUserAddress> path)
            throws LoopFound {
        Integer known = memo.get(at);
        if (known != null) {
            return known;
        }
        path.add(at);
        int longest = 0;
        for (CalendarUserAddress next : edges.getOrDefault(at, Set.of())) {
            if (path.contains(next)) {
                throw new LoopFound(new ArrayList<>(path), next);
            }
            longest = Math.max(longest, 1 + length(next, edges, memo, path));
        }
        path.remove(at);
        memo.put(at, longest);
        return longest;
    }

    /** A delegation chain that comes back to where it started. */
    private static final class LoopFound extends Exception {
        private static final long serialVersionUID = 1L;
        final transient List<CalendarUserAddress> path;
        final transient CalendarUserAddress closing;

        LoopFound(List<CalendarUserAddress> path, CalendarUserAddress closing) {
            super(null, null, false, false);
            this.path = path;
            this.closing = closing;
        }
    }

    private static Finding inconsistent(String message, Participant about) {
        return Finding.of(FindingCode.DELEGATION_INCONSISTENT, Severity.MEDIUM, message)
                .about(Property.ATTENDEE, about.address().uri());
    }
}
