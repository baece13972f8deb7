package dev.inboxguard.it.bench;

import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.mime.DkimVerificationTest;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.server.InboxGuardServer;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A load run of iMIP ingestion: client threads, each on one LMTP connection, deliver invitations from a remote
 * organizer to bob, each a new event, so every message is read, screened, written to bob's inbox and calendar, and
 * audited. Once with the sender authenticated by a trusted Authentication-Results header (the MTA verified it), once
 * with the guard verifying each message's DKIM signature itself (RSA-2048, key from configuration: no DNS).
 * Prints messages per second. Not a test: run it by hand with
 * {@code java -cp ... dev.inboxguard.it.bench.LmtpLoad [messages] [threads]}.
 */
public final class LmtpLoad {
    private LmtpLoad() {
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 4;
        DkimVerificationTest.TestKey key = DkimVerificationTest.key("example.net");
        for (boolean dkim : new boolean[] {false, true}) {
            Path dir = Files.createTempDirectory("lmtp-load");
            Path yaml = dir.resolve("guard.yaml");
            Files.writeString(yaml, """
                    imip:
                      trustedAuthservIds: [mx.example.com]
                      dkim: %s
                      dkimKeys: {"%s": "%s"}
                    senders: {allow: ["@example.net"]}
                    rates:
                      perSender: {burst: 10000000, perHour: 10000000}
                      perSenderDomain: {burst: 10000000, perHour: 10000000}
                      perRecipient: {burst: 10000000, perHour: 10000000}
                      perPair: {burst: 10000000, perHour: 10000000}
                    mail: {lmtp: {bind: 127.0.0.1, port: 0}}
                    """.formatted(dkim ? "keys" : "\"off\"", key.name(), key.record()));
            GuardConfig config = ConfigFile.load(yaml);
            int warmUp = Math.max(200, messages / 5);
            List<byte[]> mail = new ArrayList<>();
            for (int i = 0; i < warmUp + messages; i++) {
                mail.add(message(i, dkim, key));
            }
            try (Database store = TestPostgres.open(dir);
                 InboxGuardServer server = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0), config,
                         Accounts.demo(Clock.systemUTC()), store,
                         Clock.systemUTC())) {
                int port = server.lmtpPort().orElseThrow();
                // the store's own meters: how many durable writes the deliveries took (embedded store only)
                io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
                        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
                store.measure(meters);
                run(port, mail.subList(0, warmUp), threads);
                long start = System.nanoTime();
                long cpuBefore = ProcessUse.cpuNanos();
                double checkpointsBefore = counted(meters, "inboxguard.store.checkpoints");
                int ok = run(port, mail.subList(warmUp, mail.size()), threads);
                double seconds = (System.nanoTime() - start) / 1e9;
                // CPU per message (server and client, this one process) depends less on the host's share
                double cpuMillis = (ProcessUse.cpuNanos() - cpuBefore) / 1e6 / Math.max(1, ok);
                // the compaction's own checkpoints count too; under load it rarely runs
                double perCheckpoint = ok / (counted(meters, "inboxguard.store.checkpoints") - checkpointsBefore);
                System.out.printf("%s: %.0f messages/s (%d of %d answered 250 in %.1f s, %d connections; bob's "
                                + "inbox %d, held %d), %.2f ms CPU per message, %.1f messages per checkpoint%n",
                        dkim ? "DKIM verified by the guard" : "Authentication-Results from the MTA",
                        messages / seconds, ok, messages, seconds, threads, store.scheduling().inbox("bob").size(),
                        store.scheduling().heldFor("bob").size(), cpuMillis, perCheckpoint);
            }
        }
        ProcessUse.printPeakMemory();
        System.exit(0);
    }

    private static byte[] message(int i, boolean dkim, DkimVerificationTest.TestKey key) throws Exception {
        String ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//load//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
                + "UID:load-" + i + "-" + System.nanoTime() + "@example.net\r\nDTSTAMP:20261121T090000Z\r\n"
                + "DTSTART:20261201T100000Z\r\nDTEND:20261201T110000Z\r\nSUMMARY:Load " + i + "\r\nSEQUENCE:0\r\n"
                + "ORGANIZER:mailto:org@example.net\r\nATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.com\r\n"
                + "END:VEVENT\r\nEND:VCALENDAR\r\n";
        String mail = "From: org@example.net\r\nTo: bob@example.com\r\nSubject: Load " + i + "\r\n"
                + "Date: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <load-" + i + "@example.net>\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/calendar; charset=UTF-8; method=REQUEST\r\n\r\n" + ics;
        String out = dkim ? key.sign(mail)
                : "Authentication-Results: mx.example.com; dkim=pass header.d=example.net\r\n" + mail;
        return out.getBytes(StandardCharsets.UTF_8);
    }

    private static int run(int port, List<byte[]> mail, int threads) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicInteger delivered = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            done.add(pool.submit(() -> {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    s.setTcpNoDelay(true); // each flush is one exchange; Nagle would hold the final ".\r\n" back
                    InputStream in = new BufferedInputStream(s.getInputStream());
                    OutputStream out = new java.io.BufferedOutputStream(s.getOutputStream(), 64 * 1024);
                    reply(in);
                    command(out, in, "LHLO load\r\n");
                    for (int i = next.getAndIncrement(); i < mail.size(); i = next.getAndIncrement()) {
                        // pipelined envelope (RFC 2920), then the data
                        out.write(("MAIL FROM:<org@example.net>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        reply(in);
                        reply(in);
                        reply(in);
                        out.write(mail.get(i));
                        out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        if (reply(in).startsWith("250")) {
                            delivered.incrementAndGet();
                        }
                    }
                    command(out, in, "QUIT\r\n");
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        return delivered.get();
    }

    private static double counted(io.micrometer.core.instrument.MeterRegistry meters, String name) {
        io.micrometer.core.instrument.FunctionCounter c = meters.find(name).functionCounter();
        return c == null ? Double.NaN : c.count(); // NaN on PostgreSQL, which has no checkpoints of the store's own
    }


    private static void command(OutputStream out, InputStream in, String line) throws IOException {
        out.write(line.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        reply(in);
    }

    private static String reply(InputStream in) throws IOException {
        while (true) {
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("closed");
                }
                line.append((char) b);
            }
            if (line.length() < 4 || line.charAt(3) != '-') {
                return line.toString();
            }
        }
    }
}
