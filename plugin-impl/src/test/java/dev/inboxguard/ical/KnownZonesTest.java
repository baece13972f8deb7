package dev.inboxguard.ical;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.fortuna.ical4j.model.TimeZoneRegistry;
import org.junit.jupiter.api.Test;

/**
 * KnownZones takes a zone's rules from the JDK instead of ical4j's bundled VTIMEZONE files: the same TZIDs are
 * known, and they mean today's offsets.
 */
class KnownZonesTest {

    @Test
    void namesAndAliasesResolveToTheJdksZones() {
        assertEquals(ZoneId.of("Europe/Berlin"), KnownZones.INSTANCE.getZoneId("Europe/Berlin"));
        // Outlook's Windows name, through ical4j's alias table
        assertEquals(ZoneId.of("America/New_York").getRules(),
                KnownZones.INSTANCE.getZoneId("Eastern Standard Time").getRules());
        assertFalse(KnownZones.isKnown("Mars/Olympus_Mons"));
        assertFalse(KnownZones.isKnown("../../etc/passwd"));
        assertFalse(KnownZones.isKnown(""));
    }

    @Test
    void theSameTzidsAreKnownAsToIcal4jsOwnLookup() throws Exception {
        Set<String> tzids = new TreeSet<>(bundledNames());
        KnownZones.isKnown("UTC"); // loads ical4j's alias table
        tzids.addAll(TimeZoneRegistry.ZONE_ALIASES.keySet());
        tzids.addAll(List.of("Mars/Olympus_Mons", "Europe/Berlin ", "EST5EDT", "GMT+01:00", "+01:00", "Z", "UTC",
                "/mozilla.org/20050126_1/Europe/Berlin", "America/Argentina/ComodRivadavia"));
        List<String> differences = new ArrayList<>();
        for (String tzid : tzids) {
            boolean toIcal4j;
            try {
                TimeZoneRegistry.getGlobalZoneId(tzid);
                toIcal4j = true;
            } catch (DateTimeException | IllegalArgumentException e) {
                toIcal4j = false;
            }
            if (KnownZones.isKnown(tzid) != toIcal4j) {
                differences.add(tzid + ": known to ical4j " + toIcal4j);
            }
        }
        assertEquals(List.of(), differences);
        assertTrue(tzids.size() > 400, tzids.size() + " TZIDs");
    }

    /**
     * Zones whose rules changed in the last decade. The rules ical4j 4.4.0 builds from its bundled VTIMEZONE files
     * gave each of these the old offset (ical4j/ical4j#903), and differed from the JDK for 2026-2029 in 123 of the
     * TZIDs above.
     */
    @Test
    void zonesWhoseRulesChangedHaveTodaysOffsets() {
        // Turkey: +03:00 all year since September 2016
        assertOffset("Europe/Istanbul", "2027-01-15T07:00:00Z", "+03:00");
        // Brazil: no daylight saving time since 2019
        assertOffset("America/Sao_Paulo", "2027-01-15T13:00:00Z", "-03:00");
        // the Northern Territory has never kept daylight saving time; Outlook's name for it
        assertOffset("AUS Central Standard Time", "2027-01-15T00:30:00Z", "+09:30");
        // Russia: no daylight saving time since 2014
        assertOffset("Europe/Moscow", "2027-04-15T09:00:00Z", "+03:00");
        // Chihuahua: central time without daylight saving time since late 2022
        assertOffset("America/Chihuahua", "2027-01-15T16:00:00Z", "-06:00");
    }

    private static void assertOffset(String tzid, String instant, String offset) {
        assertEquals(ZoneOffset.of(offset), KnownZones.INSTANCE.getZoneId(tzid).getRules()
                .getOffset(Instant.parse(instant)), tzid + " at " + instant);
    }

    private static List<String> bundledNames() throws Exception {
        try (var in = TimeZoneRegistry.class.getClassLoader().getResourceAsStream("zoneinfo/tz.availableIds");
             var reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return reader.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
        }
    }
}
