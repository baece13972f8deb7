package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.server.InboxGuardServer;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@code serve} stops (SIGTERM runs {@link InboxGuardServer#close()}): within one deadline for the whole stop,
 * letting the work in progress finish rather than cutting it off, and losing nothing that was acknowledged.
 */
@WallClock
class StopTest {
    @TempDir
    Path data;

    /**
     * A relay that takes the connection and never says a word holds the queue's sender in its 30 s read timeout.
     * Before, the stop waited for it (and could wait up to four such timeouts); now it ends at the deadline, and the
     * message is still queued for the next start.
     */
    @Test
    void aRelayThatNeverAnswersDoesNotHoldTheStopPastItsDeadlineAndTheMessageStaysQueued() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(silent.accept());
                    }
                } catch (java.io.IOException e) {
                    // closed at the end of the test
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Path yaml = data.resolve("guard.yaml");
            Files.writeString(yaml, """
                    mail:
                      hostname: guard.example.com
                      lmtp: {bind: 127.0.0.1, port: 0}
                      relay: {host: 127.0.0.1, port: %d, tls: none, timeoutSeconds: 30, retrySeconds: [60]}
                    """.formatted(silent.getLocalPort()));
            GuardConfig config = ConfigFile.load(yaml);
            try (Database store = TestPostgres.open(data.resolve("db"))) {
                InboxGuardServer server = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0), config,
                        SchedulingTest.accounts(), store, java.time.Clock.systemUTC());
                long took;
                try {
                    DavClient dav = new DavClient(server.httpPort());
                    assertEquals(201, dav.put("alice", "/dav/calendars/alice/calendar/away.ics",
                            SchedulingTest.event("stop-1", "alice", null, "bob")
                                    .replace("mailto:bob@example.com", "mailto:guest@remote.example")).statusCode());
                    for (int i = 0; i < 100 && held.isEmpty(); i++) {
                        Thread.sleep(50);
                    }
                    assertEquals(1, held.size(), "the sender is connected to the silent relay");
                    long start = System.nanoTime();
                    server.close(Duration.ofSeconds(3));
                    took = (System.nanoTime() - start) / 1_000_000;
                } finally {
                    // the sender's read ends here, while the store is still open
                    for (Socket s : held) {
                        s.close();
                    }
                }
                assertTrue(took < 8_000, "the stop took " + took + " ms");
                assertEquals(1, store.mail().backlog().count(), "the message is still queued for the next start");
                // the sender, left to end on its own, found its connection cut by the stop: the claim it held is
                // given back untried, due now, not when it would have lapsed (42 minutes at these timeouts)
                dev.inboxguard.storage.QueuedMail queued = null;
                for (int i = 0; i < 200; i++) {
                    queued = store.mail().queue(java.util.Optional.empty(), 10).get(0);
                    if (queued.attempts() == 0) {
                        break;
                    }
                    Thread.sleep(50);
                }
                assertEquals(0, queued.attempts(), "the claim is given back, its attempt not counted");
                assertTrue(queued.nextAttempt() <= System.currentTimeMillis(), "due at once");
                // and the store is whole for the next start: the same server starts on it and takes a PUT
                try (InboxGuardServer again = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0),
                        ConfigFile.defaults(), SchedulingTest.accounts(), store, java.time.Clock.systemUTC())) {
                    assertEquals(201, new DavClient(again.httpPort()).put("alice",
                            "/dav/calendars/alice/calendar/after.ics", SchedulingTest.event("stop-2", "alice", null))
                            .statusCode());
                }
            }
        }
    }

    /**
     * A PUT whose body is still arriving when the stop begins is answered and kept: the server stops taking new
     * connections and waits for the requests in progress, where before it closed their connections.
     */
    @Test
    void aPutInProgressWhenTheStopBeginsIsAnsweredAndKept() throws Exception {
        byte[] body = SchedulingTest.event("stop-3", "alice", null).getBytes(StandardCharsets.UTF_8);
        int half = body.length / 2;
        try (Database store = TestPostgres.open(data.resolve("db"))) {
            InboxGuardServer server = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0),
                    ConfigFile.defaults(), SchedulingTest.accounts(), store, java.time.Clock.systemUTC());
            int port = server.httpPort();
            String answer;
            CompletableFuture<Void> stopped;
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(15_000);
                OutputStream out = s.getOutputStream();
                out.write(("PUT /dav/calendars/alice/calendar/late.ics HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        + "Authorization: Basic " + Base64.getEncoder().encodeToString(
                        "alice:alice".getBytes(StandardCharsets.UTF_8)) + "\r\n"
                        + "Content-Type: text/calendar\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.write(body, 0, half);
                out.flush();
                Thread.sleep(1_000); // the request has reached the servlet, which is reading the body
                stopped = CompletableFuture.runAsync(() -> {
                    try {
                        server.close(Duration.ofSeconds(15));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, r -> new Thread(r, "stop").start());
                // once the stop has begun, no new connection is taken
                boolean refused = false;
                int sent = half;
                for (int i = 0; i < 100 && !refused; i++) {
                    // a byte at a time meanwhile: at a stop Jetty closes a connection idle for 5 s, and this one must
                    // stay in progress however slowly the machine gets the stop going
                    if (sent < body.length - 1) {
                        out.write(body, sent++, 1);
                        out.flush();
                    }
                    try (Socket late = new Socket()) {
                        late.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
                        Thread.sleep(50);
                    } catch (java.net.ConnectException expected) {
                        refused = true;
                    }
                }
                assertTrue(refused, "new connections are refused during the stop");
                assertTrue(!stopped.isDone(), "the stop waits for the request in progress");
                out.write(body, sent, body.length - sent);
                out.flush();
                answer = statusLine(s.getInputStream());
            }
            stopped.get(20, java.util.concurrent.TimeUnit.SECONDS);
            assertTrue(answer.startsWith("HTTP/1.1 201"), answer);
            assertTrue(store.calendars().object("alice", "calendar", "late.ics").isPresent(), "the object is stored");
        }
    }

    @Test
    void anIdleKeepAliveConnectionDoesNotHoldTheStopUp() throws Exception {
        try (Database store = TestPostgres.open(data.resolve("db"))) {
            InboxGuardServer server = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0),
                    ConfigFile.defaults(), SchedulingTest.accounts(), store, java.time.Clock.systemUTC());
            try (Socket s = new Socket("127.0.0.1", server.httpPort())) {
                s.setSoTimeout(15_000);
                s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                InputStream in = s.getInputStream();
                assertTrue(statusLine(in).startsWith("HTTP/1.1 200"));
                // the connection stays open, idle: at a stop Jetty gives such connections 5 s before it closes them,
                // and the stop must not wait for that
                long start = System.nanoTime();
                server.close(Duration.ofSeconds(15));
                long took = (System.nanoTime() - start) / 1_000_000;
                assertTrue(took < 4_500, "the stop took " + took + " ms");
            }
        }
    }

    private static String statusLine(InputStream in) throws java.io.IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int c = in.read(); c != -1 && c != '\n'; c = in.read()) {
            line.write(c);
        }
        return line.toString(StandardCharsets.US_ASCII).trim();
    }
}
