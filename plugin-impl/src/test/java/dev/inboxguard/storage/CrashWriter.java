package dev.inboxguard.storage;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;

/**
 * Run in a child JVM by {@link EmbeddedStoreTest}: writers on several threads put objects and acknowledge each on
 * stdout, forever. Several writers at once make their commits share checkpoints (group commit), which is what a
 * kill must not undo. Every other writer (or, with a fourth argument {@code scoped}, every writer) makes three commits
 * that wait for the file once, at the end ({@link Database#syncedOnce}), and acknowledges them only then.
 */
public final class CrashWriter {
    private CrashWriter() {
    }

    public static void main(String[] args) throws InterruptedException {
        int writers = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        // pages compressed, as the server's default configuration has them
        Database db = Database.embedded(Path.of(args[0]), true);
        CalendarStore store = db.calendars();
        if (store.calendar("alice", "work").isEmpty()) {
            store.createCalendar(new StoredCalendar("alice", "work", "Work", Set.of("VEVENT"), 0));
        }
        String round = args.length > 2 ? args[2] : "r";
        boolean allScoped = args.length > 3 && args[3].equals("scoped");
        for (int w = 0; w < writers; w++) {
            int writer = w;
            Thread t = new Thread(() -> {
                for (int i = 0; ; i++) {
                    String name = round + "-" + writer + "-" + i;
                    boolean scoped = allScoped || writer % 2 == 1;
                    if (!scoped) {
                        put(store, name, i);
                    } else {
                        // odd writers commit three times and wait for the file once, as a PUT that schedules does
                        int at = i;
                        db.syncedOnce(() -> {
                            for (String part : new String[] {"a", "b", "c"}) {
                                put(store, name + part, at);
                            }
                            return null;
                        });
                    }
                    synchronized (System.out) {
                        if (!scoped) {
                            System.out.println("ack " + name);
                        } else {
                            System.out.println("ack " + name + "a");
                            System.out.println("ack " + name + "b");
                            System.out.println("ack " + name + "c");
                        }
                        System.out.flush();
                    }
                }
            });
            t.start();
        }
        Thread.currentThread().join();
    }

    private static void put(CalendarStore store, String name, int i) {
        store.put("alice", "work", name + ".ics", "uid-" + name, ("BEGIN:VCALENDAR\r\n" + name + "\r\n")
                .getBytes(StandardCharsets.UTF_8), new TimeSpan("VEVENT", i, i + 1), Expectation.NONE);
    }
}
