package dev.inboxguard.bench;

import java.lang.reflect.Method;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.h2.engine.SessionLocal;
import org.h2.index.Index;
import org.h2.jdbc.JdbcConnection;
import org.h2.mvstore.Chunk;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.FileStore;
import org.h2.mvstore.MVStore;
import org.h2.schema.Schema;
import org.h2.table.Table;

/**
 * What each commit writes to the embedded store's file: the newest chunks of a data directory (one commit each
 * under light load; a compaction's larger chunks are left out), by their tables of contents, with each page's bytes
 * counted to the map it belongs to: a table's rows, one of its indexes, or H2's own layout of the file (map 0).
 * Leaves and inner pages are counted apart. Point it at the copy {@link StoreGrowthRun} leaves at the end of its
 * churn ({@code store-growth.../crash}), with no server on it. Not a test: run it by hand with
 * {@code java -cp ... dev.inboxguard.bench.CommitContents [data directory] [chunks] [largest chunk, in 4 KB blocks]}.
 * It reads H2 2.4.240's private table of contents by reflection.
 */
public final class CommitContents {
    private CommitContents() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: CommitContents <data directory> [chunks] [largest chunk, in 4 KB blocks]");
            System.exit(2);
        }
        Path file = Path.of(args[0]).toAbsolutePath().resolve("inboxguard");
        int newest = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        // a compaction's rewrite is one large chunk: only chunks of a commit's size are counted
        int largest = args.length > 2 ? Integer.parseInt(args[2]) : 32;
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + file + ";ACCESS_MODE_DATA=r",
                "inboxguard", "")) {
            SessionLocal session = (SessionLocal) ((JdbcConnection) c).getSession();
            Map<String, String> names = new HashMap<>();
            for (Schema schema : session.getDatabase().getAllSchemas()) {
                for (Table table : schema.getAllTablesAndViews(session)) {
                    names.put("table." + table.getId(), table.getName());
                    for (Index index : table.getIndexes()) {
                        names.put("index." + index.getId(), table.getName() + " " + index.getName());
                    }
                }
            }
            MVStore store = session.getDatabase().getStore().getMvStore();
            FileStore<?> fileStore = store.getFileStore();
            Method chunksOf = FileStore.class.getDeclaredMethod("getChunks");
            chunksOf.setAccessible(true);
            Method contentsOf = FileStore.class.getDeclaredMethod("getToC", Chunk.class);
            contentsOf.setAccessible(true);
            @SuppressWarnings("unchecked")
            Map<Integer, Chunk<?>> all = (Map<Integer, Chunk<?>>) chunksOf.invoke(fileStore);
            List<Chunk<?>> chunks = new ArrayList<>(all.values());
            // the table of contents follows the chunk's last page: where it starts, that page ends
            java.lang.reflect.Field contentsAt = Chunk.class.getDeclaredField("tocPos");
            contentsAt.setAccessible(true);
            chunks.removeIf(ch -> ch.len > largest);
            chunks.sort(Comparator.comparingLong((Chunk<?> ch) -> ch.version).reversed());
            Map<String, long[]> byMap = new HashMap<>();
            long total = 0;
            int counted = Math.min(newest, chunks.size());
            for (Chunk<?> chunk : chunks.subList(0, counted)) {
                long[] contents = (long[]) contentsOf.invoke(fileStore, chunk);
                // pages lie one after another in a chunk: each one's bytes run to the next one's offset
                Long[] pages = new Long[contents.length];
                for (int i = 0; i < pages.length; i++) {
                    pages[i] = contents[i];
                }
                java.util.Arrays.sort(pages, Comparator.comparingInt(DataUtils::getPageOffset));
                for (int i = 0; i < pages.length; i++) {
                    long page = pages[i];
                    int bytes = (i + 1 < pages.length ? DataUtils.getPageOffset(pages[i + 1])
                            : contentsAt.getInt(chunk)) - DataUtils.getPageOffset(page);
                    int mapId = DataUtils.getPageMapId(page);
                    String map = mapId == 0 ? "H2's layout of the file" : store.getMapName(mapId);
                    String name = names.getOrDefault(map, map == null ? "map " + mapId : map)
                            + (DataUtils.isLeafPosition(page) ? ", leaves" : ", inner pages");
                    long[] sum = byMap.computeIfAbsent(name, k -> new long[2]);
                    sum[0] += bytes;
                    sum[1]++;
                    total += bytes;
                }
            }
            System.out.printf("the newest %d chunks of at most %d blocks: %d bytes of pages, %.0f a chunk%n", counted,
                    largest, total,
                    total / (double) Math.max(1, counted));
            long written = Math.max(1, total);
            long layout = byMap.entrySet().stream().filter(e -> e.getKey().startsWith("H2's layout"))
                    .mapToLong(e -> e.getValue()[0]).sum();
            long inner = byMap.entrySet().stream().filter(e -> e.getKey().endsWith("inner pages")
                    && !e.getKey().startsWith("H2's layout")).mapToLong(e -> e.getValue()[0]).sum();
            System.out.printf("H2's layout %.1f %%, inner pages of tables and indexes %.1f %%, their leaves %.1f %%%n",
                    100.0 * layout / written, 100.0 * inner / written, 100.0 * (total - layout - inner) / written);
            byMap.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
                    .forEach(e -> System.out.printf("%-52s %8d bytes %5.1f %% %5d pages%n", e.getKey(),
                            e.getValue()[0], 100.0 * e.getValue()[0] / written, e.getValue()[1]));
        }
    }
}
