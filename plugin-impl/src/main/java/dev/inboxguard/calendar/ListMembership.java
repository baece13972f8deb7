package dev.inboxguard.calendar;

import dev.inboxguard.api.CalendarUserAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiPredicate;
import net.fortuna.ical4j.model.Parameter;
import net.fortuna.ical4j.model.Property;

/**
 * Why someone who was not invited by name may still answer: they belong to a mailing list that was. RFC 5545
 * §3.2.11 lets an attendee say so with {@code MEMBER="mailto:list@..."}; clients that do not write it still answer
 * from an address in the list's own organization. Either way the list must be invited as {@code CUTYPE=GROUP}:
 * naming an invited person in MEMBER makes nobody a member. Membership cannot be proved here (nobody asks the list
 * server), so the answer says how strong the claim is.
 *
 * @param list       the invited list attendee
 * @param sameDomain true if the member's address is in the list's own organization
 */
public record ListMembership(CalendarUserAddress list, boolean sameDomain) {
    private static final int MAX_MEMBER_VALUES = 50;

    /**
     * @param invited the ATTENDEE lines of the stored event
     * @return the attendees invited as lists ({@code CUTYPE=GROUP}), once each
     */
    public static List<CalendarUserAddress> groups(List<Property> invited) {
        Set<CalendarUserAddress> out = new LinkedHashSet<>();
        for (Property p : invited) {
            boolean group = p.<Parameter>getParameter(Parameter.CUTYPE).map(Parameter::getValue)
                    .filter(v -> v.equalsIgnoreCase("GROUP")).isPresent();
            if (group) {
                CalendarUserAddress.parse(p.getValue()).ifPresent(out::add);
            }
        }
        return List.copyOf(out);
    }

    /**
     * @param member           the ATTENDEE line of the one answering, who is not among the invited
     * @param groups           the invited lists, from {@link #groups(List)}
     * @param sameOrganization whether two addresses belong to one organization's own domain
     * @return the invited list the answer names in MEMBER or, without MEMBER, an invited list of the member's own
     *     organization
     */
    public static Optional<ListMembership> of(Property member, List<CalendarUserAddress> groups,
                                              BiPredicate<CalendarUserAddress, CalendarUserAddress> sameOrganization) {
        Optional<CalendarUserAddress> who = CalendarUserAddress.parse(member.getValue());
        if (who.isEmpty() || groups.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> claimed = member.<Parameter>getParameter(Parameter.MEMBER).map(Parameter::getValue);
        List<CalendarUserAddress> named = claimed.map(ListMembership::addresses).orElse(List.of());
        for (CalendarUserAddress list : groups) {
            if (list.equals(who.get())) {
                continue;
            }
            boolean same = sameOrganization.test(who.get(), list);
            if (claimed.isPresent() ? named.contains(list) : same) {
                return Optional.of(new ListMembership(list, same));
            }
        }
        return Optional.empty();
    }

    /** MEMBER is a list of quoted addresses: {@code "mailto:a@x","mailto:b@x"}; only the first few are read. */
    private static List<CalendarUserAddress> addresses(String value) {
        List<CalendarUserAddress> out = new ArrayList<>();
        String[] parts = value.split(",", MAX_MEMBER_VALUES + 1);
        for (int i = 0; i < Math.min(parts.length, MAX_MEMBER_VALUES); i++) {
            CalendarUserAddress.parse(parts[i].strip().replace("\"", "")).ifPresent(out::add);
        }
        return out;
    }
}
