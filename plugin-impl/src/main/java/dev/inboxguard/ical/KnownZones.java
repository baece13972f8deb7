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

/**
 * A lookup-only time-zone registry for ical4j: it resolves a TZID to ical4j's bundled zone of that name or alias,
 * and remembers the answer. It never registers anything from a message (a message's VTIMEZONE is never turned
 * into rules), so nothing a message sends can change what another message's TZIDs mean. The memo holds only
 * answers computed from bundled data, and is capped.
 *
 * <p>Why it exists: without a registry, ical4j resolves a TZID by scanning its whole alias table on every date
 * access; with this one, once per zone name per JVM.
 */
public final class KnownZones implements TimeZoneRegistry {
    /** The one instance: it holds nothing from messages. */
    public static final KnownZones INSTANCE = new KnownZones();
    private static final int MAX_REMEMBERED = 4096;
    // non-empty, so that ical4j asks this registry before its own global lookup
    private static final Map<String, ZoneRules> MARKER = Map.of("inboxguard-known-zones", ZoneOffset.UTC.getRules());

    private final Map<String, Optional<ZoneId>> remembered = new ConcurrentHashMap<>();

    private KnownZones() {
    }

    @Override
    public ZoneId getZoneId(String tzId) {
        Optional<ZoneId> zone = remembered.get(tzId);
        if (zone == null) {
            zone = resolve(tzId);
            // only answers found in the bundled data are kept: made-up names cannot fill the memo
            if (zone.isPresent() && remembered.size() < MAX_REMEMBERED) {
                remembered.put(tzId, zone);
            }
        }
        return zone.orElseThrow(() -> new DateTimeException("Unknown timezone identifier [" + tzId + "]"));
    }

    /**
     * @param tzId a TZID
     * @return true if ical4j's bundled data knows the zone (by name or alias)
     */
    public static boolean isKnown(String tzId) {
        try {
            INSTANCE.getZoneId(tzId);
            return true;
        } catch (DateTimeException e) {
            return false;
        }
    }

    private static Optional<ZoneId> resolve(String tzId) {
        try {
            return Optional.of(TimeZoneRegistry.getGlobalZoneId(tzId));
        } catch (DateTimeException | IllegalArgumentException e) {
            return Optional.empty();
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
