package dev.inboxguard.it.bench;

import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.scheduling.RecordingOutbound;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.server.CaldavServer;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A load run of implicit scheduling: alice PUTs new events inviting 0, 1 or 3 local attendees, so each PUT also
 * runs the guard once per attendee, fills their inboxes and writes their calendars. Prints PUTs per second.
 * Rate limits are raised so that the run measures the work, not the limiter. Not a test: run it by hand with
 * {@code java -cp ... dev.inboxguard.it.bench.SchedulingLoad [seconds] [threads] [warm-up seconds]}.
 */
public final class SchedulingLoad {
    private SchedulingLoad() {
    }

    public static void main(String[] args) throws Exception {
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        // 3 s, as in every figure before 2026-12-06; on a slow host the JIT compiler is still busy long after
        int warmUp = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        GuardConfig.Rate wide = new GuardConfig.Rate(10_000_000, 10_000_000);
        GuardConfig config = ConfigFile.defaults().withRates(new GuardConfig.Rates(wide, wide, wide, wide));
        try (Database store = TestPostgres.open(Files.createTempDirectory("scheduling-load"));
             CaldavServer server = new CaldavServer(new InetSocketAddress("127.0.0.1", 0), Accounts.demo(
                     Clock.systemUTC()), config, store, new RecordingOutbound(),
                     Clock.systemUTC()).start()) {
            String base = "http://127.0.0.1:" + server.port();
            HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(threads)).build();
            String auth = "Basic " + Base64.getEncoder().encodeToString("alice:alice".getBytes(StandardCharsets.UTF_8));
            http.send(HttpRequest.newBuilder(URI.create(base + "/dav/calendars/alice/load/")).header("Authorization",
                    auth).method("MKCALENDAR", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding());
            String[][] rounds = {{}, {"bob"}, {"bob", "carol", "dave"}};
            for (String[] attendees : rounds) {
                run(http, base, auth, attendees, warmUp, threads);
                long cpuBefore = ProcessUse.cpuNanos();
                int done = run(http, base, auth, attendees, seconds, threads);
                // CPU per PUT (server and client, this one process) is steadier than PUT/s on a shared machine
                double cpuMillis = (ProcessUse.cpuNanos() - cpuBefore) / 1e6 / Math.max(1, done);
                System.out.printf("%d attendees: %.0f PUT/s (%d in %d s, %d threads), %.2f ms CPU per PUT%n",
                        attendees.length, done / (double) seconds, done, seconds, threads, cpuMillis);
            }
        }
        ProcessUse.printPeakMemory();
        System.exit(0);
    }


    private static int run(HttpClient http, String base, String auth, String[] attendees, int seconds, int threads)
            throws InterruptedException {
        AtomicInteger done = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            pool.submit(() -> {
                while (System.nanoTime() < end) {
                    String uid = java.util.UUID.randomUUID().toString();
                    StringBuilder ics = new StringBuilder("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//load//EN\r\n"
                            + "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20261120T090000Z\r\n"
                            + "DTSTART:20261201T100000Z\r\nDTEND:20261201T110000Z\r\nSUMMARY:Load\r\n");
                    if (attendees.length > 0) {
                        ics.append("ORGANIZER:mailto:alice@example.com\r\n");
                        for (String a : attendees) {
                            ics.append("ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:").append(a).append("@example.com\r\n");
                        }
                    }
                    ics.append("END:VEVENT\r\nEND:VCALENDAR\r\n");
                    try {
                        int status = http.send(HttpRequest.newBuilder(URI.create(base + "/dav/calendars/alice/load/"
                                + uid + ".ics")).header("Authorization", auth).header("Content-Type", "text/calendar")
                                .PUT(HttpRequest.BodyPublishers.ofString(ics.toString())).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode();
                        (status == 201 ? done : failed).incrementAndGet();
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                }
            });
        }
        pool.shutdown();
        pool.awaitTermination(seconds + 30L, TimeUnit.SECONDS);
        if (failed.get() > 0) {
            System.out.println("  failed: " + failed.get());
        }
        return done.get();
    }
}
