package dev.inboxguard.it.bench;

import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.scheduling.RecordingOutbound;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.server.CaldavServer;
import dev.inboxguard.storage.CalendarStore;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A load run, not a test: PUTs of new events, then calendar-query REPORTs, then a calendar of 200 events listed
 * by PROPFIND and by sync-collection, from several client threads against the real server on loopback, each phase
 * for a fixed time. Prints requests per second and latency percentiles.
 * Arguments: [seconds per phase] [client threads] [base URL of another server to load instead].
 */
public final class CaldavLoad {
    private CaldavLoad() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        Path data = Files.createTempDirectory("caldav-load");
        Database store = TestPostgres.open(data);
        CaldavServer server = args.length > 2 ? null : new CaldavServer(new InetSocketAddress("127.0.0.1", 0),
                Accounts.demo(Clock.systemUTC()), ConfigFile.defaults(), store,
                new RecordingOutbound(), Clock.systemUTC()).start();
        String base = args.length > 2 ? args[2] : "http://127.0.0.1:" + server.port();
        String calendar = args.length > 2 ? args[3] : "/dav/calendars/alice/load/";
        String auth = "Basic " + Base64.getEncoder().encodeToString("alice:alice".getBytes(StandardCharsets.UTF_8));
        HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(threads)).build();
        http.send(HttpRequest.newBuilder(URI.create(base + calendar)).method("MKCALENDAR",
                HttpRequest.BodyPublishers.noBody()).header("Authorization", auth).build(),
                HttpResponse.BodyHandlers.discarding());
        AtomicInteger next = new AtomicInteger();
        run("PUT", seconds, threads, () -> {
            int n = next.getAndIncrement();
            String ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//load//EN\r\nBEGIN:VEVENT\r\nUID:load-" + n
                    + "\r\nDTSTAMP:20261121T080000Z\r\nDTSTART:202612" + String.format("%02d", 1 + n % 28)
                    + "T090000Z\r\nDURATION:PT1H\r\nSUMMARY:Load " + n + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
            return http.send(HttpRequest.newBuilder(URI.create(base + calendar + "load-" + n + ".ics"))
                    .PUT(HttpRequest.BodyPublishers.ofString(ics)).header("Authorization", auth)
                    .header("Content-Type", "text/calendar").build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        });
        String query = "<C:calendar-query xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:prop>"
                + "<D:getetag/></D:prop><C:filter><C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\">"
                + "<C:time-range start=\"20261205T000000Z\" end=\"20261206T000000Z\"/></C:comp-filter>"
                + "</C:comp-filter></C:filter></C:calendar-query>";
        System.out.printf("calendar holds %d events%n", next.get());
        run("REPORT calendar-query (1 day)", seconds, threads, () -> http.send(HttpRequest.newBuilder(
                URI.create(base + calendar)).method("REPORT", HttpRequest.BodyPublishers.ofString(query))
                .header("Authorization", auth).header("Depth", "1").header("Content-Type", "application/xml")
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode());
        // a calendar of 200 events listed as a sync client lists it: PROPFIND Depth 1 for ETags
        String listed = calendar.replaceAll("[^/]+/$", "listed/");
        http.send(HttpRequest.newBuilder(URI.create(base + listed)).method("MKCALENDAR",
                HttpRequest.BodyPublishers.noBody()).header("Authorization", auth).build(),
                HttpResponse.BodyHandlers.discarding());
        for (int n = 0; n < 200; n++) {
            String ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//load//EN\r\nBEGIN:VEVENT\r\nUID:listed-" + n
                    + "\r\nDTSTAMP:20261121T080000Z\r\nDTSTART:20261207T090000Z\r\nDURATION:PT1H\r\n"
                    + "ORGANIZER:mailto:alice@example.com\r\nSUMMARY:Listed " + n
                    + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
            http.send(HttpRequest.newBuilder(URI.create(base + listed + "listed-" + n + ".ics"))
                    .PUT(HttpRequest.BodyPublishers.ofString(ics)).header("Authorization", auth)
                    .header("Content-Type", "text/calendar").build(), HttpResponse.BodyHandlers.discarding());
        }
        String propfind = "<D:propfind xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:prop>"
                + "<D:getetag/><D:getcontenttype/><D:resourcetype/></D:prop></D:propfind>";
        run("PROPFIND Depth 1 (200 events)", seconds, threads, () -> {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + listed))
                    .method("PROPFIND", HttpRequest.BodyPublishers.ofString(propfind)).header("Authorization", auth)
                    .header("Depth", "1").header("Content-Type", "application/xml").build(),
                    HttpResponse.BodyHandlers.ofString());
            // every event listed with its ETag, or the run counts it as failed
            return r.statusCode() == 207 && r.body().split("getetag>", -1).length - 1 >= 400 ? 207 : 500;
        });
        // the same calendar as a client that syncs lists it first: sync-collection with no token, ETags only
        String sync = "<D:sync-collection xmlns:D=\"DAV:\"><D:sync-token/><D:sync-level>1</D:sync-level><D:prop>"
                + "<D:getetag/></D:prop></D:sync-collection>";
        run("REPORT sync-collection, ETags (200 events)", seconds, threads, () -> {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + listed))
                    .method("REPORT", HttpRequest.BodyPublishers.ofString(sync)).header("Authorization", auth)
                    .header("Content-Type", "application/xml").build(), HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 207 && r.body().split("getetag>", -1).length - 1 >= 400 ? 207 : 500;
        });
        if (server != null) {
            server.close();
        }
        store.close();
        ProcessUse.printPeakMemory();
        System.exit(0);
    }

    private interface Call {
        int call() throws Exception;
    }

    private static void run(String what, int seconds, int threads, Call call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long cpuBefore = ProcessUse.cpuNanos();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        AtomicLong errors = new AtomicLong();
        long[][] latencies = new long[threads][];
        Future<?>[] futures = new Future<?>[threads];
        for (int t = 0; t < threads; t++) {
            int slot = t;
            futures[t] = pool.submit(() -> {
                long[] mine = new long[1 << 20];
                int n = 0;
                while (System.nanoTime() < end && n < mine.length) {
                    long start = System.nanoTime();
                    try {
                        int status = call.call();
                        if (status >= 300) {
                            errors.incrementAndGet();
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                    mine[n++] = System.nanoTime() - start;
                }
                latencies[slot] = Arrays.copyOf(mine, n);
                return null;
            });
        }
        for (Future<?> f : futures) {
            f.get();
        }
        pool.shutdown();
        long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).sorted().toArray();
        // CPU per request steadies what requests/s does not on a shared machine; it is this process's: server and
        // client when the server runs here, the client's alone against another server
        double cpuMillis = (ProcessUse.cpuNanos() - cpuBefore) / 1e6 / Math.max(1, all.length);
        System.out.printf("%s: %d requests in %d s = %.0f/s, errors %d, p50 %.1f ms, p99 %.1f ms, %.2f ms CPU per "
                + "request%n", what, all.length, seconds, all.length / (double) seconds, errors.get(),
                all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6, cpuMillis);
    }
}
