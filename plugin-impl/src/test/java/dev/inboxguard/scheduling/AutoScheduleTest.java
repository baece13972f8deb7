package dev.inboxguard.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.calendar.CalendarHomes;
import dev.inboxguard.calendar.CalendarObjectRules;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.server.Account;
import dev.inboxguard.server.PasswordHash;
import dev.inboxguard.storage.CalendarStore;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The attendee's copy that delivery makes: its name, and two deliveries of one UID that meet. */
class AutoScheduleTest {
    private static final String UID = "auto-schedule-test@example.com";
    private static final Account BOB = new Account("bob", PasswordHash.of("bob"), "Bob",
            List.of(CalendarUserAddress.of("mailto:bob@example.com")));

    @TempDir
    Path dir;

    /**
     * @param inOneTransaction as a delivery runs it: the conflict must not spoil the transaction it is part of. The
     *                         rival then writes on the same thread and connection, inside that transaction, so this
     *                         tests the rollback to the savepoint rather than two transactions that meet.
     */
    @ParameterizedTest(name = "in one transaction: {0}")
    @ValueSource(booleans = {false, true})
    void aDeliveryWhoseCopyAnotherDeliveryMadeMeanwhileUpdatesThatCopy(boolean inOneTransaction) {
        GuardConfig config = ConfigFile.defaults();
        CalendarReader reader = new CalendarReader(config.limits());
        CalendarObjectRules rules = new CalendarObjectRules(reader);
        try (Database db = TestPostgres.open(dir)) {
            CalendarStore store = db.calendars();
            CalendarHomes homes = new CalendarHomes(store, config.caldav());
            homes.ensure("bob");
            AutoSchedule rival = new AutoSchedule(store, reader, rules, homes, Clock.systemUTC());
            // the rival's delivery of the same UID lands between this one's look for a copy and its write
            AtomicBoolean raced = new AtomicBoolean();
            CalendarStore meeting = (CalendarStore) Proxy.newProxyInstance(CalendarStore.class.getClassLoader(),
                    new Class<?>[] {CalendarStore.class}, (proxy, method, args) -> {
                        if (method.getName().equals("put") && raced.compareAndSet(false, true)) {
                            assertTrue(rival.apply(BOB, invitation(0, "First"), Optional.empty(),
                                    AutoSchedule.Admitted.NOBODY));
                        }
                        try {
                            return method.invoke(store, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            AutoSchedule auto = new AutoSchedule(meeting, reader, rules, homes, Clock.systemUTC());

            java.util.function.Supplier<Boolean> delivery = () -> auto.apply(BOB, invitation(1, "Moved"),
                    Optional.empty(), AutoSchedule.Admitted.NOBODY);
            assertTrue(inOneTransaction ? db.atomically(delivery) : delivery.get(), "the later delivery gave up");
            assertTrue(raced.get());
            List<CalendarStore.Located> copies = store.objectsByUid("bob", UID);
            assertEquals(1, copies.size(), "one copy of the event");
            String text = new String(copies.get(0).object().data(), StandardCharsets.UTF_8);
            assertTrue(text.contains("SUMMARY:Moved"), text);
        }
    }

    @Test
    void copiesAreNamedInTheOrderTheyCameNotAfterTheirUid() {
        GuardConfig config = ConfigFile.defaults();
        CalendarReader reader = new CalendarReader(config.limits());
        try (Database db = TestPostgres.open(dir)) {
            CalendarStore store = db.calendars();
            CalendarHomes homes = new CalendarHomes(store, config.caldav());
            homes.ensure("bob");
            Instant start = Instant.parse("2026-12-06T12:00:00Z");
            // UIDs in the reverse of the order they come
            List<String> uids = List.of("z-3@example.com", "m-2@example.com", "a-1@example.com");
            for (int i = 0; i < uids.size(); i++) {
                // a millisecond apart, so that no two copies share one
                AutoSchedule auto = new AutoSchedule(store, reader, new CalendarObjectRules(reader), homes,
                        Clock.fixed(start.plusMillis(i), ZoneOffset.UTC));
                assertTrue(auto.apply(BOB, invitation(uids.get(i), 0, "Planning"), Optional.empty(),
                        AutoSchedule.Admitted.NOBODY));
            }
            List<String> names = uids.stream().map(u -> store.objectByUid("bob", u).orElseThrow().object().name())
                    .toList();
            assertEquals(names.stream().sorted().toList(), names, "names sort in arrival order");
            names.forEach(n -> assertTrue(n.matches("[0-9a-f]{44}\\.ics"), n));
            assertEquals(String.format("%012x", start.toEpochMilli()), names.get(0).substring(0, 12),
                    "the time of delivery first");
        }
    }

    private static byte[] invitation(int sequence, String summary) {
        return invitation(UID, sequence, summary);
    }

    private static byte[] invitation(String uid, int sequence, String summary) {
        return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
                + "UID:" + uid + "\r\nDTSTAMP:20261201T090000Z\r\nDTSTART:20270110T100000Z\r\n"
                + "DTEND:20270110T110000Z\r\nSEQUENCE:" + sequence + "\r\nSUMMARY:" + summary + "\r\n"
                + "ORGANIZER:mailto:alice@example.com\r\nATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:bob@example.com\r\n"
                + "END:VEVENT\r\nEND:VCALENDAR\r\n").getBytes(StandardCharsets.UTF_8);
    }
}
