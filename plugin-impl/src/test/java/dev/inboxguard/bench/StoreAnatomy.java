package dev.inboxguard.bench;

import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.Expectation;
import dev.inboxguard.storage.StoredCalendar;
import dev.inboxguard.storage.TimeSpan;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreTool;
import org.h2.mvstore.Page;

/**
 * Where the embedded store's bytes go: 8 writers PUT small events (UUID names and UIDs, as clients make them)
 * through the store, the store idles so that its compaction runs, and then each of H2's maps (a table's rows, or one
 * index) is walked in the closed file: its entries, leaf pages and the bytes its pages take on disk. Not a test: run
 * it by hand with {@code java -cp ... dev.inboxguard.bench.StoreAnatomy [events] [idle seconds] [deletions]}
 * (the deletions leave tombstones), or with a data directory to read one that exists.
 */
public final class StoreAnatomy {
    private StoreAnatomy() {
    }

    public static void main(String[] args) throws Exception {
        Path dir;
        if (args.length == 1 && Files.isDirectory(Path.of(args[0]))) {
            dir = Path.of(args[0]);
        } else {
            int events = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
            int idle = args.length > 1 ? Integer.parseInt(args[1]) : 90;
            int deletions = args.length > 2 ? Integer.parseInt(args[2]) : 0;
            dir = Files.createTempDirectory("store-anatomy");
            fill(dir, events, idle, deletions);
        }
        Path file = dir.resolve("inboxguard.mv.db");
        // H2's builder for a map of any types, so that every map reads without its table's definitions
        Method generic = MVStoreTool.class.getDeclaredMethod("getGenericMapBuilder");
        generic.setAccessible(true);
        try (MVStore store = new MVStore.Builder().fileName(file.toString()).readOnly().open()) {
            long total = 0;
            for (String name : new TreeSet<>(store.getMapNames())) {
                @SuppressWarnings("unchecked")
                MVMap<Object, Object> map = store.openMap(name, (MVMap.Builder<Object, Object>) generic.invoke(null));
                long[] pages = new long[2]; // leaves, entries in them
                walk(map.getRootPage(), pages);
                long bytes = map.getRootPage().getDiskSpaceUsed(false);
                total += bytes;
                if (bytes > 100_000) {
                    System.out.printf("%-16s %8d entries %6d leaves %5.1f entries a leaf %10d bytes %6.1f an entry%n",
                            name, map.sizeAsLong(), pages[0], pages[1] / (double) Math.max(1, pages[0]), bytes,
                            bytes / (double) Math.max(1, map.sizeAsLong()));
                }
            }
            System.out.printf("pages of all maps: %d bytes; the file: %d bytes%n", total, Files.size(file));
        }
    }

    private static void fill(Path dir, int events, int idle, int deletions) throws Exception {
        long raw = 0;
        try (Database db = Database.embedded(dir)) {
            db.calendars().createCalendar(new StoredCalendar("alice", "growth", "Growth", Set.of("VEVENT"), 0));
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<Long>> writers = new ArrayList<>();
            for (int w = 0; w < 8; w++) {
                writers.add(pool.submit(() -> {
                    long bytes = 0;
                    List<String> names = new ArrayList<>();
                    for (int i = 0; i < events / 8; i++) {
                        String uid = UUID.randomUUID().toString();
                        byte[] data = StoreGrowthRun.event(uid, 0);
                        bytes += data.length;
                        long start = 1_796_119_200_000L + i * 86_400_000L;
                        String name = UUID.randomUUID() + ".ics";
                        names.add(name);
                        db.calendars().put("alice", "growth", name, uid, data,
                                new TimeSpan("VEVENT", start, start + 3_600_000L), Expectation.NONE);
                    }
                    for (String name : names.subList(0, Math.min(names.size(), deletions / 8))) {
                        bytes -= db.calendars().object("alice", "growth", name).orElseThrow().data().length;
                        db.calendars().delete("alice", "growth", name, Optional.empty());
                    }
                    return bytes;
                }));
            }
            for (Future<Long> w : writers) {
                raw += w.get();
            }
            pool.shutdown();
            Path file = dir.resolve("inboxguard.mv.db");
            System.out.printf("%d events left, %d bytes; file %.1f MB%n", events - deletions, raw,
                    Files.size(file) / 1e6);
            Thread.sleep(idle * 1000L);
            System.out.printf("after %d s idle: file %.1f MB, %.2f× the events%n", idle, Files.size(file) / 1e6,
                    Files.size(file) / (double) raw);
        }
        System.out.println(dir);
    }

    private static void walk(Page<Object, Object> page, long[] pages) {
        if (page.isLeaf()) {
            pages[0]++;
            pages[1] += page.getKeyCount();
            return;
        }
        for (int i = 0; i <= page.getKeyCount(); i++) {
            walk(page.getChildPage(i), pages);
        }
    }
}
