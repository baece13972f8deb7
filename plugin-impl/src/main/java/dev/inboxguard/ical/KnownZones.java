package dev.inboxguard.ical;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneRules;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import net.fortuna.ical4j.model.TimeZone;
import net.fortuna.ical4j.model.TimeZoneRegistry;
import net.fortuna.ical4j.model.TimeZoneRegistryImpl;

/**
 * A lookup-only time-zone registry for ical4j: it resolves a TZID, by name or by one of ical4j's aliases, to the
 * JDK's zone, and remembers the answer. It never registers anything from a message (a message's VTIMEZONE is never
 * turned into rules), so nothing a message sends can change what another message's TZIDs mean. The memo holds only
 * answers computed from the JDK's and ical4j's own data, and is capped.
 *
 * <p>Why it exists: without a registry, ical4j resolves a TZID by scanning its whole alias table on every date
 * access; with this one, once per zone name per JVM.
 */
public final class KnownZones implements TimeZoneRegistry {
    /** The one instance: it holds nothing from messages. */
    public static final KnownZones INSTANCE = new KnownZones();
    private static final int MAX_REMEMBERED = 4096;
    // non-empty, so that ical4j asks this registry first; ical4j tries its own global lookup only for a TZID this
    // registry does not know, and that lookup does not know it either (KnownZonesTest)
    private static final Map<String, ZoneRules> MARKER = Map.of("inboxguard-known-zones", ZoneOffset.UTC.getRules());

    private final Map<String, Optional<ZoneId>> remembered = new ConcurrentHashMap<>();

    private KnownZones() {
    }

    @Override
    public ZoneId getZoneId(String tzId) {
        Optional<ZoneId> zone = remembered.get(tzId);
        if (zone == null) {
            zone = resolve(tzId);
            // only zones known by name or alias are kept: made-up names cannot fill the memo
            if (zone.isPresent() && remembered.size() < MAX_REMEMBERED) {
                remembered.put(tzId, zone);
            }
        }
        return zone.orElseThrow(() -> new DateTimeException("Unknown timezone identifier [" + tzId + "]"));
    }

    /**
     * @param tzId a TZID
     * @return true if the zone is known, by its IANA name or one of ical4j's aliases
     */
    public static boolean isKnown(String tzId) {
        try {
            INSTANCE.getZoneId(tzId);
            return true;
        } catch (DateTimeException e) {
            return false;
        }
    }

    /**
     * The zone as ical4j's global lookup names it, with the rules from the JDK's time-zone database. ical4j maps a
     * TZID through its alias tables (Windows names, renamed zones) to an IANA name the JDK must know, and then, for
     * the names it bundles, swaps in its own copy of the same IANA zone, parsed from a VTIMEZONE file: about 0.15 s
     * for the first zone a process sees, a quarter of {@code inboxguard check}. The set of TZIDs known is the same
     * either way; the JDK's data is also what java.time elsewhere in the server uses, and is updated with the JDK.
     */
    private static Optional<ZoneId> resolve(String tzId) {
        try {
            return Optional.of(ZoneId.of(tzId, Aliases.TABLE));
        } catch (DateTimeException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** ical4j's alias table, which its registry's class fills as it is initialised. */
    private static final class Aliases {
        static final Map<String, String> TABLE = load();

        private static Map<String, String> load() {
            try {
                Class.forName(TimeZoneRegistryImpl.class.getName(), true, TimeZoneRegistryImpl.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException("ical4j's time-zone registry is missing", e);
            }
            return Map.copyOf(TimeZoneRegistry.ZONE_ALIASES);
        }
    }

    @Override
    public void register(TimeZone timezone) {
        // never: building a message's zone rules is the hazard this registry exists to avoid
    }

    @Override
    public void register(TimeZone timezone, boolean update) {
        // never, as above
    }

    @Override
    public void clear() {
        // nothing from messages is kept
    }

    @Override
    public TimeZone getTimeZone(String id) {
        return null;
    }

    @Override
    public Map<String, ZoneRules> getZoneRules() {
        return MARKER;
    }

    @Override
    public String getTzId(String zoneId) {
        return null;
    }
}
