package dev.inboxguard.calendar;

import dev.inboxguard.api.CalendarUserAddress;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import net.fortuna.ical4j.model.Parameter;
import net.fortuna.ical4j.model.Property;

/**
 * Why someone who was not invited by name may still answer: they belong to a mailing list that was. RFC 5545
 * §3.2.11 lets an attendee say so with {@code MEMBER="mailto:list@..."}; clients that do not write it still answer
 * from an address in the list's own domain, and the list is invited as {@code CUTYPE=GROUP}. Membership cannot be
 * proved here (nobody asks the list server), so the answer says how strong the claim is.
 *
 * @param list       the invited list attendee
 * @param sameDomain true if the member's address is in the list's domain
 */
public record ListMembership(CalendarUserAddress list, boolean sameDomain) {

    /**
     * @param member    the ATTENDEE line of the one answering, who is not among the invited
     * @param invited   the ATTENDEE lines of the stored event
     * @return the invited list the answer claims (MEMBER) or, without MEMBER, an invited group in the member's domain
     */
    public static Optional<ListMembership> of(Property member, List<Property> invited) {
        Optional<CalendarUserAddress> who = CalendarUserAddress.parse(member.getValue());
        if (who.isEmpty()) {
            return Optional.empty();
        }
        Optional<String> claimed = member.<Parameter>getParameter(Parameter.MEMBER).map(Parameter::getValue);
        for (Property p : invited) {
            Optional<CalendarUserAddress> list = CalendarUserAddress.parse(p.getValue());
            if (list.isEmpty() || list.get().equals(who.get())) {
                continue;
            }
            boolean sameDomain = domain(list.get()).isPresent() && domain(list.get()).equals(domain(who.get()));
            boolean named = claimed.isPresent() && names(claimed.get(), list.get());
            boolean group = p.<Parameter>getParameter(Parameter.CUTYPE).map(Parameter::getValue)
                    .filter(v -> v.equalsIgnoreCase("GROUP")).isPresent();
            if (named || (claimed.isEmpty() && group && sameDomain)) {
                return Optional.of(new ListMembership(list.get(), sameDomain));
            }
        }
        return Optional.empty();
    }

    /** MEMBER is a list of quoted addresses: {@code "mailto:a@x","mailto:b@x"}. */
    private static boolean names(String value, CalendarUserAddress list) {
        for (String part : value.split(",", 50)) {
            if (CalendarUserAddress.parse(part.strip().replace("\"", "")).filter(list::equals).isPresent()) {
                return true;
            }
        }
        return false;
    }

    private static Optional<String> domain(CalendarUserAddress a) {
        return a.domain().map(d -> d.toLowerCase(Locale.ROOT));
    }
}
