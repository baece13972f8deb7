package dev.inboxguard.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class H2CalendarStoreTest {
    @TempDir
    Path dir;

    private static final TimeSpan ANY = new TimeSpan("VEVENT", Long.MIN_VALUE, Long.MAX_VALUE);

    private static byte[] ics(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static StoreConflict.Kind conflict(Runnable r) {
        return assertThrows(StoreConflict.class, r::run).kind();
    }

    @Test
    void calendarsAndObjectsWithPreconditions() {
        try (CalendarStore store = H2CalendarStore.open(dir)) {
            StoredCalendar work = store.createCalendar(new StoredCalendar("alice", "work", "Work",
                    Set.of("VEVENT", "VTODO"), 0));
            assertEquals(Set.of("VEVENT", "VTODO"), work.components());
            assertEquals(StoreConflict.Kind.CALENDAR_EXISTS, conflict(() -> store.createCalendar(work)));

            CalendarStore.Written first = store.put("alice", "work", "a.ics", "uid-a", ics("A1"),
                    ANY, new Expectation(true, Optional.empty()));
            assertTrue(first.created());
            StoredObject a = first.object();
            assertEquals(StoreConflict.Kind.PRECONDITION, conflict(() -> store.put("alice", "work", "a.ics",
                    "uid-a", ics("A2"), ANY, new Expectation(true, Optional.empty()))));
            assertEquals(StoreConflict.Kind.PRECONDITION, conflict(() -> store.put("alice", "work", "a.ics",
                    "uid-a", ics("A2"), ANY, new Expectation(false, Optional.of("\"stale\"")))));
            CalendarStore.Written second = store.put("alice", "work", "a.ics", "uid-a", ics("A2"),
                    ANY, new Expectation(false, Optional.of(a.etag())));
            assertFalse(second.created());
            StoredObject a2 = second.object();
            assertNotEquals(a.etag(), a2.etag());
            assertEquals("A2", new String(store.object("alice", "work", "a.ics").orElseThrow().data(),
                    StandardCharsets.UTF_8));
            // If-Match on a resource that does not exist fails too
            assertEquals(StoreConflict.Kind.PRECONDITION, conflict(() -> store.put("alice", "work", "new.ics",
                    "uid-new", ics("N"), ANY, new Expectation(false, Optional.of("*")))));

            assertEquals(StoreConflict.Kind.UID_TAKEN, conflict(() -> store.put("alice", "work", "other.ics",
                    "uid-a", ics("dup"), ANY, Expectation.NONE)));
            assertEquals(StoreConflict.Kind.NO_CALENDAR, conflict(() -> store.put("alice", "nope", "x.ics", "u",
                    ics("x"), ANY, Expectation.NONE)));

            long before = store.calendar("alice", "work").orElseThrow().revision();
            assertEquals(StoreConflict.Kind.PRECONDITION, conflict(() -> store.delete("alice", "work", "a.ics",
                    Optional.of(a.etag()))));
            assertEquals(before, store.calendar("alice", "work").orElseThrow().revision(),
                    "a refused write changes nothing");
            assertTrue(store.delete("alice", "work", "a.ics", Optional.of(a2.etag())));
            assertFalse(store.delete("alice", "work", "a.ics", Optional.empty()));
            assertTrue(store.calendar("alice", "work").orElseThrow().revision() > before);
        }
    }

    @Test
    void timeRangeQueriesReadOnlyOverlappingSpans() {
        try (CalendarStore store = H2CalendarStore.open(dir)) {
            store.createCalendar(new StoredCalendar("alice", "c", null, Set.of("VEVENT", "VTODO"), 0));
            store.put("alice", "c", "a.ics", "a", ics("A"), new TimeSpan("VEVENT", 100, 200), Expectation.NONE);
            store.put("alice", "c", "point.ics", "p", ics("P"), new TimeSpan("VEVENT", 300, 300), Expectation.NONE);
            store.put("alice", "c", "series.ics", "s", ics("S"), new TimeSpan("VEVENT", 150, Long.MAX_VALUE),
                    Expectation.NONE);
            store.put("alice", "c", "todo.ics", "t", ics("T"), new TimeSpan("VTODO", Long.MIN_VALUE, Long.MAX_VALUE),
                    Expectation.NONE);
            assertEquals(List.of("a.ics"), names(store.objectsIn("alice", "c", "VEVENT", 0, 150)));
            assertEquals(List.of("a.ics", "series.ics"), names(store.objectsIn("alice", "c", "VEVENT", 199, 200)));
            assertEquals(List.of("series.ics"), names(store.objectsIn("alice", "c", "VEVENT", 200, 300)));
            assertEquals(List.of("point.ics", "series.ics"), names(store.objectsIn("alice", "c", "VEVENT", 300, 301)));
            assertEquals(List.of("todo.ics"), names(store.objectsIn("alice", "c", "VTODO", 0, 1)));
            assertEquals(List.of(), names(store.objectsIn("bob", "c", "VEVENT", Long.MIN_VALUE, Long.MAX_VALUE)));
            // the SQL and TimeSpan.overlaps agree
            TimeSpan point = new TimeSpan("VEVENT", 300, 300);
            assertTrue(point.overlaps(300, 301));
            assertFalse(point.overlaps(200, 300));
        }
    }

    private static List<String> names(List<StoredObject> objects) {
        return objects.stream().map(StoredObject::name).toList();
    }

    @Test
    void ownersSeeOnlyTheirOwnData() {
        try (CalendarStore store = H2CalendarStore.open(dir)) {
            store.createCalendar(new StoredCalendar("alice", "work", null, Set.of("VEVENT"), 0));
            store.put("alice", "work", "a.ics", "uid-a", ics("A"), ANY, Expectation.NONE);
            assertEquals(List.of(), store.calendars("bob"));
            assertTrue(store.calendar("bob", "work").isEmpty());
            assertTrue(store.object("bob", "work", "a.ics").isEmpty());
            assertEquals(StoreConflict.Kind.NO_CALENDAR, conflict(() -> store.put("bob", "work", "a.ics", "u",
                    ics("x"), ANY, Expectation.NONE)));
            assertFalse(store.delete("bob", "work", "a.ics", Optional.empty()));
            // the same names for another owner are a different calendar
            store.createCalendar(new StoredCalendar("bob", "work", null, Set.of("VEVENT"), 0));
            store.put("bob", "work", "a.ics", "uid-a", ics("B"), ANY, Expectation.NONE);
            assertEquals("A", new String(store.object("alice", "work", "a.ics").orElseThrow().data(),
                    StandardCharsets.UTF_8));
            assertTrue(store.deleteCalendar("bob", "work"));
            assertTrue(store.object("bob", "work", "a.ics").isEmpty());
            assertEquals(1, store.objects("alice", "work").size());
        }
    }

    @Test
    void everyAcknowledgedWriteSurvivesKillDashNine() throws Exception {
        Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), CrashWriter.class.getName(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        int acknowledged = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith("ack ")) {
                    acknowledged = Integer.parseInt(line.substring(4));
                    if (acknowledged >= 200) {
                        writer.destroyForcibly(); // SIGKILL: no shutdown hooks, no H2 close
                        break;
                    }
                }
            }
        }
        assertTrue(writer.waitFor(30, TimeUnit.SECONDS));
        assertTrue(acknowledged >= 200, "the writer acknowledged " + acknowledged);
        try (CalendarStore store = H2CalendarStore.open(dir)) {
            for (int i = 0; i <= acknowledged; i++) {
                assertTrue(store.object("alice", "work", i + ".ics").isPresent(), "acknowledged write " + i
                        + " was lost");
            }
        }
    }
}
