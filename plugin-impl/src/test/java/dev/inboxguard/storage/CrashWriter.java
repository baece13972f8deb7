package dev.inboxguard.storage;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;

/** Run in a child JVM by {@link EmbeddedStoreTest}: writes objects and acknowledges each on stdout, forever. */
public final class CrashWriter {
    private CrashWriter() {
    }

    public static void main(String[] args) {
        CalendarStore store = Database.embedded(Path.of(args[0])).calendars();
        store.createCalendar(new StoredCalendar("alice", "work", "Work", Set.of("VEVENT"), 0));
        for (int i = 0; ; i++) {
            store.put("alice", "work", i + ".ics", "uid-" + i, ("BEGIN:VCALENDAR\r\n" + i + "\r\n")
                    .getBytes(StandardCharsets.UTF_8), new TimeSpan("VEVENT", i, i + 1), Expectation.NONE);
            System.out.println("ack " + i);
            System.out.flush();
        }
    }
}
