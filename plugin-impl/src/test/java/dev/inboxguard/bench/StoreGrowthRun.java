package dev.inboxguard.bench;

import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.Expectation;
import dev.inboxguard.storage.StoredCalendar;
import dev.inboxguard.storage.TimeSpan;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A load run of the embedded store's file size: writers PUT small events (about 180 bytes, as in the issue that
 * measured 25 KB per event, or padded to a size given), then churn (delete one, put a new one) for as many
 * operations again, printing the file's size against the raw size of what it holds at each tenth. Not a test: run
 * it by hand with {@code java -cp ... dev.inboxguard.bench.StoreGrowthRun [events] [threads] [bytes per event] [idle seconds] [churn operations a second] [churn operations] [compress: true, the server's default, or false]}.
 */
public final class StoreGrowthRun {
    private StoreGrowthRun() {
    }

    public static void main(String[] args) throws Exception {
        int events = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int padding = args.length > 2 ? Math.max(0, Integer.parseInt(args[2]) - event(UUID.randomUUID().toString(), 0).length) : 0;
        int idleSeconds = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        // operations a second in the churn phase, all writers together; 0 is as fast as they go
        rate = args.length > 4 ? Integer.parseInt(args[4]) : 0;
        // churn operations in all; by default as many as events, more to see whether the file stays bounded
        int churn = args.length > 5 ? Integer.parseInt(args[5]) : events;
        // storage.compress: H2 compresses each page it writes, unless told false (the server's default is true)
        boolean compress = args.length <= 6 || Boolean.parseBoolean(args[6]);
        Path dir = Files.createTempDirectory("store-growth");
        Path file = dir.resolve("inboxguard.mv.db");
        try (Database db = Database.embedded(dir, compress)) {
            db.calendars().createCalendar(new StoredCalendar("alice", "growth", "Growth", Set.of("VEVENT"), 0));
            // each writer keeps its own slots, so that a delete never races another writer's put of the same name
            AtomicLongArray next = new AtomicLongArray(threads);
            AtomicLong raw = new AtomicLong();
            phase("put", db, threads, (w, i) -> {
                String name = w + "-" + i + ".ics";
                String uid = UUID.randomUUID().toString();
                byte[] data = event(uid, padding);
                put(db, name, uid, data);
                raw.addAndGet(data.length);
                next.incrementAndGet(w);
            }, file, raw, events);
            long[] firstLive = new long[threads];
            phase("churn", db, threads, (w, i) -> {
                // delete the writer's oldest object and put a new one: the calendar keeps its size
                long oldest = firstLive[w]++;
                String gone = w + "-" + oldest + ".ics";
                long size = db.calendars().object("alice", "growth", gone).map(o -> (long) o.data().length).orElse(0L);
                db.calendars().delete("alice", "growth", gone, Optional.empty());
                long n = next.getAndIncrement(w);
                String uid = UUID.randomUUID().toString();
                byte[] data = event(uid, padding);
                put(db, w + "-" + n + ".ics", uid, data);
                raw.addAndGet(data.length - size);
            }, file, raw, churn);
            // the file as a crash at the end of the churn leaves it, for the open after one (RecoveryScan)
            Files.createDirectories(dir.resolve("crash"));
            Files.copy(file, dir.resolve("crash").resolve("inboxguard.mv.db"));
            // what the file does once the writes stop: H2's background writer compacts an idle store
            for (int s = 5; s <= idleSeconds; s += 5) {
                Thread.sleep(5_000);
                long size = Files.size(file);
                System.out.printf("idle %3d s: file %7.1f MB, %5.1f× raw%n", s, size / 1e6, size / (double) raw.get());
            }
        }
        System.out.printf("closed: file %.1f MB%n", Files.size(file) / 1e6);
        long clean = System.nanoTime();
        try (Database db = Database.embedded(dir)) {
            System.out.printf("open after a clean close: file %.1f MB, %d ms%n", Files.size(file) / 1e6,
                    (System.nanoTime() - clean) / 1_000_000);
        }
        Path crash = dir.resolve("crash");
        long size = Files.size(crash.resolve("inboxguard.mv.db"));
        long start = System.nanoTime();
        try (Database db = Database.embedded(crash)) {
            System.out.printf("open after a crash: file %.1f MB, %d ms to open, scan and migrate%n", size / 1e6,
                    (System.nanoTime() - start) / 1_000_000);
        }
        System.exit(0);
    }

    private static int rate;

    private interface Step {
        void run(int writer, int index) throws Exception;
    }

    private static void phase(String name, Database db, int threads, Step step, Path file, AtomicLong raw, int total)
            throws Exception {
        long start = System.nanoTime();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        int perWriter = total / threads;
        AtomicLong done = new AtomicLong();
        AtomicLong started = new AtomicLong();
        int paced = name.equals("churn") ? rate : 0;
        for (int w = 0; w < threads; w++) {
            int writer = w;
            pool.submit(() -> {
                for (int i = 0; i < perWriter; i++) {
                    try {
                        if (paced > 0) {
                            long due = start + started.getAndIncrement() * 1_000_000_000L / paced;
                            long wait = due - System.nanoTime();
                            if (wait > 0) {
                                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                            }
                        }
                        step.run(writer, i);
                    } catch (Exception e) {
                        e.printStackTrace();
                        return;
                    }
                    long d = done.incrementAndGet();
                    if (d % (total / 10) == 0) {
                        try {
                            long size = Files.size(file);
                            System.out.printf("%s %6d: file %7.1f MB, raw %6.2f MB, %5.1f× raw, %.0f operations/s in this phase%n",
                                    name, d, size / 1e6, raw.get() / 1e6, size / (double) raw.get(),
                                    d / ((System.nanoTime() - start) / 1e9));
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(1, TimeUnit.HOURS);
    }

    private static void put(Database db, String name, String uid, byte[] data) {
        db.calendars().put("alice", "growth", name, uid, data,
                new TimeSpan("VEVENT", 1_796_119_200_000L, 1_796_122_800_000L),
                new Expectation(false, Optional.empty()));
    }

    static byte[] event(String uid, int padding) {
        // the padding is a DESCRIPTION folded at 75 octets, as a client writes a long one
        StringBuilder description = new StringBuilder();
        for (int i = 0; i < padding; i += 74) {
            description.append(i == 0 ? "DESCRIPTION:" : "\r\n ").append("d".repeat(Math.min(74, padding - i)));
        }
        return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//g//EN\r\nBEGIN:VEVENT\r\nUID:" + uid
                + "\r\nDTSTAMP:20261120T090000Z\r\nDTSTART:20261201T100000Z\r\nSUMMARY:Growth\r\n"
                + (padding > 0 ? description + "\r\n" : "")
                + "END:VEVENT\r\nEND:VCALENDAR\r\n").getBytes(StandardCharsets.US_ASCII);
    }
}
