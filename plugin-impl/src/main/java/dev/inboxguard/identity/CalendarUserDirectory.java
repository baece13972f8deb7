package dev.inboxguard.identity;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.config.ConfigException;
import dev.inboxguard.config.GuardConfig;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who is who: the addresses that belong to one calendar user (the CalDAV calendar-user-address-set), and who may
 * act for whom (CalDAV proxies; on iMIP, the SENT-BY pairs the operator trusts). Built from configuration now; the
 * server's user store feeds the same structure later.
 */
public final class CalendarUserDirectory {
    private final Map<CalendarUserAddress, Set<CalendarUserAddress>> aliases = new HashMap<>();
    private final Map<CalendarUserAddress, Set<CalendarUserAddress>> actsFor = new HashMap<>();
    private final Map<CalendarUserAddress, Set<String>> actsForDomains = new HashMap<>();
    private final Set<String> publicDomains = new HashSet<>();

    /**
     * @param users   alias sets: each inner list is one calendar user's addresses
     * @param proxies who may act for whom
     */
    public CalendarUserDirectory(List<List<String>> users, List<GuardConfig.Proxy> proxies) {
        this(users, proxies, List.of());
    }

    /**
     * @param users         alias sets: each inner list is one calendar user's addresses
     * @param proxies       who may act for whom
     * @param publicDomains mailbox providers whose users share a domain without being one organization
     */
    public CalendarUserDirectory(List<List<String>> users, List<GuardConfig.Proxy> proxies,
                                 List<String> publicDomains) {
        for (String d : publicDomains) {
            this.publicDomains.add(d.strip().toLowerCase(Locale.ROOT).replaceFirst("^@", ""));
        }
        for (int i = 0; i < users.size(); i++) {
            Set<CalendarUserAddress> set = new HashSet<>();
            for (String a : users.get(i)) {
                set.add(address("identity.users[" + i + "]", a));
            }
            for (CalendarUserAddress a : set) {
                aliases.computeIfAbsent(a, k -> new HashSet<>()).addAll(set);
            }
        }
        for (int i = 0; i < proxies.size(); i++) {
            GuardConfig.Proxy p = proxies.get(i);
            String where = "identity.proxies[" + i + "]";
            CalendarUserAddress delegate = address(where + ".delegate", p.delegate());
            for (String target : p.actsFor()) {
                if (target.startsWith("@") && target.length() > 1) {
                    actsForDomains.computeIfAbsent(delegate, k -> new HashSet<>())
                            .add(target.substring(1).toLowerCase(Locale.ROOT));
                } else {
                    actsFor.computeIfAbsent(delegate, k -> new HashSet<>()).add(address(where + ".actsFor", target));
                }
            }
        }
    }

    /**
     * Two addresses of one organization: the same domain (compared exactly, without case), and not a public mailbox
     * provider's, where a shared domain says nothing about who the people are.
     *
     * @param a an address
     * @param b another
     * @return true if both are in one organization's own domain
     */
    public boolean sameOrganization(CalendarUserAddress a, CalendarUserAddress b) {
        Optional<String> da = a.domain().map(d -> d.toLowerCase(Locale.ROOT));
        return da.isPresent() && da.equals(b.domain().map(d -> d.toLowerCase(Locale.ROOT)))
                && !publicDomains.contains(da.get());
    }

    /** @return a directory that knows no aliases and no proxies */
    public static CalendarUserDirectory empty() {
        return new CalendarUserDirectory(List.of(), List.of());
    }

    /**
     * @param a an address
     * @param b another
     * @return true if both name the same calendar user
     */
    public boolean same(CalendarUserAddress a, CalendarUserAddress b) {
        return a.equals(b) || aliases.getOrDefault(a, Set.of()).contains(b);
    }

    /**
     * @param address an address
     * @param among   some addresses
     * @return true if the address names the same user as one of them
     */
    public boolean isAmong(CalendarUserAddress address, Iterable<CalendarUserAddress> among) {
        for (CalendarUserAddress a : among) {
            if (same(address, a)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The same as {@link #isAmong(CalendarUserAddress, Iterable)}, in time proportional to the address's aliases
     * rather than to the set: an event may have thousands of attendees.
     *
     * @param address an address
     * @param among   some addresses
     * @return true if the address names the same user as one of them
     */
    public boolean isAmong(CalendarUserAddress address, Set<CalendarUserAddress> among) {
        return among.contains(address) || aliases.getOrDefault(address, Set.of()).stream().anyMatch(among::contains);
    }

    /**
     * @param delegate  who acts
     * @param principal for whom
     * @return true if the delegate (under any alias) may act for the principal (under any alias)
     */
    public boolean mayActFor(CalendarUserAddress delegate, CalendarUserAddress principal) {
        for (CalendarUserAddress d : withAliases(delegate)) {
            for (CalendarUserAddress target : actsFor.getOrDefault(d, Set.of())) {
                if (same(target, principal)) {
                    return true;
                }
            }
            if (principal.domain().map(actsForDomains.getOrDefault(d, Set.of())::contains).orElse(false)) {
                return true;
            }
        }
        return false;
    }

    private Set<CalendarUserAddress> withAliases(CalendarUserAddress a) {
        Set<CalendarUserAddress> all = new HashSet<>(aliases.getOrDefault(a, Set.of()));
        all.add(a);
        return all;
    }

    private static CalendarUserAddress address(String where, String text) {
        try {
            return CalendarUserAddress.of(text);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ConfigException(where + ": not a calendar user address: " + text);
        }
    }
}
