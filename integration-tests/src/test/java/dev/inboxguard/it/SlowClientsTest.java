package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.scheduling.RecordingOutbound;
import dev.inboxguard.server.CaldavServer;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slowloris against the HTTP listener: 1,000 connections from 127.0.0.2 (all of 127/8 is loopback on Linux) that
 * send a request's headers a few bytes at a time and never finish them. One address keeps at most
 * {@code server.connections.perAddress} of them, the rest are closed at once, the ones kept are closed when the
 * header deadline passes, and all the while a client on 127.0.0.1 gets its answers within a second.
 */
@WallClock
class SlowClientsTest {
    private static final int SLOW = 1000;

    @TempDir
    Path data;

    @Test
    void aThousandSlowlorisConnectionsDoNotKeepOthersOut() throws Exception {
        Path yaml = Files.writeString(data.resolve("guard.yaml"),
                "server: {connections: {perAddress: 100, headerSeconds: 3}}\n");
        GuardConfig config = ConfigFile.load(yaml);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        try (Database store = TestPostgres.open(data.resolve("db"));
             CaldavServer server = new CaldavServer(new InetSocketAddress("127.0.0.1", 0), SchedulingTest.accounts(),
                     config, store, new RecordingOutbound(), Clock.systemUTC()).start();
             Selector selector = Selector.open()) {
            URI health = URI.create("http://127.0.0.1:" + server.port() + "/health");
            InetAddress attacker = InetAddress.getByName("127.0.0.2");
            List<SocketChannel> slow = new ArrayList<>();
            // a normal client asks all through the attack, from its first connection to its last
            java.util.concurrent.atomic.AtomicLong worst = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger slowAnswers = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicBoolean attacking = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread normal = new Thread(() -> {
                while (attacking.get()) {
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(health)
                                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() != 200) {
                            failed.incrementAndGet();
                        }
                        Thread.sleep(100);
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                    long waited = System.nanoTime() - t0 - Duration.ofMillis(100).toNanos();
                    worst.accumulateAndGet(waited, Math::max);
                    if (waited >= Duration.ofSeconds(1).toNanos()) {
                        slowAnswers.incrementAndGet();
                    }
                    asked.incrementAndGet();
                }
            }, "normal-client");
            normal.start();
            try {
                for (int i = 0; i < SLOW; i++) {
                    SocketChannel c = SocketChannel.open();
                    c.bind(new InetSocketAddress(attacker, 0));
                    c.connect(new InetSocketAddress("127.0.0.1", server.port()));
                    c.write(ByteBuffer.wrap("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII)));
                    c.configureBlocking(false);
                    c.register(selector, SelectionKey.OP_READ);
                    slow.add(c);
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                int closed = 0;
                while (System.nanoTime() < deadline && closed < SLOW) {
                    // the attacker keeps every connection it still has busy: one more header line each round
                    for (SocketChannel c : slow) {
                        if (c.isOpen()) {
                            try {
                                c.write(ByteBuffer.wrap("X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII)));
                            } catch (java.io.IOException e) {
                                // closed by the server
                            }
                        }
                    }
                    selector.select(200);
                    for (SelectionKey k : selector.selectedKeys()) {
                        SocketChannel c = (SocketChannel) k.channel();
                        try {
                            if (c.read(ByteBuffer.allocate(4096)) < 0) {
                                c.close();
                                closed++;
                            }
                        } catch (java.io.IOException e) {
                            c.close();
                            closed++;
                        }
                    }
                    selector.selectedKeys().clear();
                }
                attacking.set(false);
                normal.join(20_000);
                long[] byServer = server.connectionsClosed();
                assertEquals(SLOW, closed, "every slow connection is closed in the end");
                // while the attacker is still connecting, the first hundred reach their deadline and make room
                assertTrue(byServer[0] >= SLOW / 2, "refused at once: " + byServer[0]);
                assertTrue(byServer[1] >= 100 && byServer[0] + byServer[1] >= SLOW, "closed at the header deadline: "
                        + byServer[1]);
                assertTrue(asked.get() >= 10, "the normal client asked " + asked + " times");
                assertEquals(0, failed.get(), "the normal client's requests that failed");
                // within a second, nine times in ten; a collector pause on two busy cores may stretch one answer,
                // but none may wait anywhere near the attacker's header deadline
                assertTrue(slowAnswers.get() * 10 <= asked.get(), slowAnswers + " of " + asked
                        + " answers took a second or more");
                assertTrue(worst.get() < Duration.ofSeconds(3).toNanos(), "the normal client waited "
                        + worst.get() / 1_000_000 + " ms");
            } finally {
                attacking.set(false);
                for (SocketChannel c : slow) {
                    c.close();
                }
            }
        }
    }

    @Test
    void slowBodiesFromOneAddressDoNotTakeEveryRequestThread() throws Exception {
        // no sign-in is needed to post the approval page's form: 70 connections from 127.0.0.2 each start a 10 KB
        // body and send one byte a second; each request they start holds a request thread (64 in all) while its
        // body is read. One address gets 16 at once (server.connections.requestsPerAddress), the rest 503.
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<java.net.Socket> slow = new ArrayList<>();
        try (Database store = TestPostgres.open(data.resolve("db"));
             CaldavServer server = new CaldavServer(new InetSocketAddress("127.0.0.1", 0), SchedulingTest.accounts(),
                     ConfigFile.load(Files.writeString(data.resolve("guard.yaml"), "{}\n")), store,
                     new RecordingOutbound(), Clock.systemUTC()).start()) {
            InetAddress attacker = InetAddress.getByName("127.0.0.2");
            for (int i = 0; i < 70; i++) {
                java.net.Socket s = new java.net.Socket(InetAddress.getByName("127.0.0.1"), server.port(), attacker, 0);
                s.setSoTimeout(100);
                s.getOutputStream().write(("POST /guard/login HTTP/1.1\r\nHost: x\r\nContent-Type: "
                        + "application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\nu")
                        .getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            java.util.concurrent.atomic.AtomicBoolean attacking = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread trickle = trickle(slow, attacking, 'x');
            try {
                Thread.sleep(1500);
                URI health = URI.create("http://127.0.0.1:" + server.port() + "/health");
                long worst = 0;
                for (int i = 0; i < 5; i++) {
                    long t0 = System.nanoTime();
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(health).timeout(Duration.ofSeconds(10))
                            .build(), HttpResponse.BodyHandlers.ofString());
                    worst = Math.max(worst, System.nanoTime() - t0);
                    assertEquals(200, r.statusCode());
                }
                assertTrue(worst < Duration.ofSeconds(1).toNanos(), "the normal client waited " + worst / 1_000_000
                        + " ms");
                int refused = 0;
                for (java.net.Socket s : slow) {
                    byte[] answer = new byte[12];
                    try {
                        int n = s.getInputStream().readNBytes(answer, 0, answer.length);
                        if (new String(answer, 0, n, StandardCharsets.US_ASCII).equals("HTTP/1.1 503")) {
                            refused++;
                        }
                    } catch (java.net.SocketTimeoutException e) {
                        // still sending its body, and being read
                    }
                }
                assertEquals(70 - 16, refused, "answered 503 at once");
            } finally {
                attacking.set(false);
                trickle.join(5_000);
            }
        } finally {
            for (java.net.Socket s : slow) {
                s.close();
            }
        }
    }
    @Test
    void trickledBodiesAreCutOffAtTheirDeadlineAndHonestSlowOnesAreKept() throws Exception {
        // 15 requests from each of four addresses (60, nearly every request thread) start a 100 KB body and send a
        // byte a second. Each is allowed 20 s from its first read plus a second per 512 bytes
        // (server.connections.minBodyRate); at the first read past that it is answered 408 and its thread is free.
        // Without the deadline they kept their threads as long as the 100,000 bytes lasted: 28 hours.
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<java.net.Socket> slow = new ArrayList<>();
        try (Database store = TestPostgres.open(data.resolve("db"));
             CaldavServer server = new CaldavServer(new InetSocketAddress("127.0.0.1", 0), SchedulingTest.accounts(),
                     ConfigFile.load(Files.writeString(data.resolve("guard.yaml"), "{}\n")), store,
                     new RecordingOutbound(), Clock.systemUTC()).start()) {
            assertEquals(201, makeCalendar(server.port()));
            // before the first connection: the server may read a body's first line, and start its clock, while the
            // later connections are still being opened
            long t0 = System.nanoTime();
            for (int a = 2; a <= 5; a++) {
                InetAddress attacker = InetAddress.getByName("127.0.0." + a);
                for (int i = 0; i < 15; i++) {
                    java.net.Socket s = new java.net.Socket(InetAddress.getByName("127.0.0.1"), server.port(),
                            attacker, 0);
                    s.getOutputStream().write(("PUT /dav/calendars/alice/work/slow-" + a + "-" + i + ".ics HTTP/1.1"
                            + "\r\nHost: x\r\nAuthorization: Basic " + java.util.Base64.getEncoder()
                            .encodeToString("alice:alice".getBytes(StandardCharsets.US_ASCII))
                            + "\r\nContent-Type: text/calendar\r\nContent-Length: 100000\r\n\r\nBEGIN:VCALENDAR\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    slow.add(s);
                }
            }
            java.util.concurrent.atomic.AtomicBoolean attacking = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread trickle = trickle(slow, attacking, 'X');
            try {
                int cut = 0;
                long first = Long.MAX_VALUE;
                for (java.net.Socket s : slow) {
                    s.setSoTimeout((int) Math.max(1, 40_000 - (System.nanoTime() - t0) / 1_000_000));
                    byte[] answer = new byte[12];
                    try {
                        int n = s.getInputStream().readNBytes(answer, 0, answer.length);
                        if (new String(answer, 0, n, StandardCharsets.US_ASCII).equals("HTTP/1.1 408")) {
                            cut++;
                            first = Math.min(first, System.nanoTime() - t0);
                        }
                    } catch (java.io.IOException e) {
                        // still being read after 40 s, or reset
                    }
                }
                long waited = (System.nanoTime() - t0) / 1_000_000;
                assertEquals(60, cut, "trickled bodies answered 408 within 40 s (" + waited + " ms)");
                assertTrue(first >= Duration.ofSeconds(20).toNanos(), "one was cut before its 20 s: "
                        + first / 1_000_000 + " ms");
                assertTrue(waited < 35_000, "the last trickled body was cut after " + waited + " ms");
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + server.port() + "/health")).timeout(Duration.ofSeconds(5)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, health.statusCode());
            } finally {
                attacking.set(false);
                trickle.join(5_000);
            }
            // a small body whose second half comes 3 s late (a mobile link's stall) is within its deadline
            String small = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\n"
                    + "UID:stalled@example.com\r\nDTSTAMP:20261201T000000Z\r\nDTSTART:20261210T100000Z\r\n"
                    + "DTEND:20261210T110000Z\r\nSUMMARY:Stalled\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
                s.setSoTimeout(15_000);
                s.getOutputStream().write(("PUT /dav/calendars/alice/work/stalled.ics HTTP/1.1\r\nHost: x\r\n"
                        + "Authorization: Basic " + java.util.Base64.getEncoder().encodeToString(
                        "alice:alice".getBytes(StandardCharsets.US_ASCII)) + "\r\nContent-Type: text/calendar\r\n"
                        + "Content-Length: " + small.length() + "\r\nConnection: close\r\n\r\n"
                        + small.substring(0, small.length() / 2)).getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                Thread.sleep(3_000);
                s.getOutputStream().write(small.substring(small.length() / 2).getBytes(StandardCharsets.US_ASCII));
                assertEquals("HTTP/1.1 201", new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII));
            }
            // an honest slow upload, 24 KB at about 8 KB/s, is well within its deadline and stored
            StringBuilder ics = new StringBuilder("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n"
                    + "BEGIN:VEVENT\r\nUID:slow-upload@example.com\r\nDTSTAMP:20261201T000000Z\r\n"
                    + "DTSTART:20261210T100000Z\r\nDTEND:20261210T110000Z\r\nSUMMARY:Slow\r\n");
            while (ics.length() < 24_000) {
                ics.append("X-FILLER:").append("a".repeat(60)).append("\r\n");
            }
            ics.append("END:VEVENT\r\nEND:VCALENDAR\r\n");
            byte[] body = ics.toString().getBytes(StandardCharsets.US_ASCII);
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
                s.setSoTimeout(15_000);
                s.getOutputStream().write(("PUT /dav/calendars/alice/work/slow-upload.ics HTTP/1.1\r\nHost: x\r\n"
                        + "Authorization: Basic " + java.util.Base64.getEncoder().encodeToString(
                        "alice:alice".getBytes(StandardCharsets.US_ASCII)) + "\r\nContent-Type: text/calendar\r\n"
                        + "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                for (int off = 0; off < body.length; off += 2048) {
                    s.getOutputStream().write(body, off, Math.min(2048, body.length - off));
                    s.getOutputStream().flush();
                    Thread.sleep(250);
                }
                String status = new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
                assertEquals("HTTP/1.1 201", status);
            }
        } finally {
            for (java.net.Socket s : slow) {
                s.close();
            }
        }
    }

    /** Sends one byte a second on each connection until told to stop; a closed one is skipped. */
    private static Thread trickle(List<java.net.Socket> slow, java.util.concurrent.atomic.AtomicBoolean attacking,
                                  char what) {
        Thread t = new Thread(() -> {
            while (attacking.get()) {
                for (java.net.Socket s : slow) {
                    try {
                        s.getOutputStream().write(what);
                    } catch (java.io.IOException e) {
                        // answered and closed
                    }
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "trickle");
        t.start();
        return t;
    }

    private static int makeCalendar(int port) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                        + "/dav/calendars/alice/work/")).method("MKCALENDAR", HttpRequest.BodyPublishers.noBody())
                .header("Authorization", "Basic " + java.util.Base64.getEncoder().encodeToString(
                        "alice:alice".getBytes(StandardCharsets.US_ASCII))).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
