package dev.inboxguard.imip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.Test;

/** The listener's limits on a real socket; no message gets as far as the gateway here. */
class MailSessionTest {

    private static MailListener listener(Duration idle, int slots) throws Exception {
        return new MailListener(new InetSocketAddress("127.0.0.1", 0), new MailListener.Settings(
                MailListener.Protocol.LMTP, "test.example", 1024, idle), null, new Semaphore(slots));
    }

    @Test
    void aClientTricklingOneCommandIsCutOffAtTheIdleTimeout() throws Exception {
        try (MailListener l = listener(Duration.ofSeconds(1), 4); Socket s = new Socket("127.0.0.1", l.port())) {
            s.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            assertTrue(in.readLine().startsWith("220"));
            long start = System.nanoTime();
            String reply = null;
            // a byte every 300 ms keeps each read alive, but the command as a whole must finish within the timeout
            for (int i = 0; i < 20 && reply == null; i++) {
                try {
                    out.write('N');
                    out.flush();
                } catch (java.io.IOException closed) {
                    break;
                }
                Thread.sleep(300);
                if (s.getInputStream().available() > 0) {
                    reply = in.readLine();
                }
            }
            if (reply == null) {
                reply = in.readLine();
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(String.valueOf(reply).startsWith("421 4.4.2"), reply);
            assertTrue(ms < 3_000, "cut off after " + ms + " ms");
        }
    }

    @Test
    void aCommandUpToTheCapIsTakenOneByteLongerIsNotAndTheSessionStaysInStep() throws Exception {
        try (MailListener l = listener(Duration.ofSeconds(30), 4); Socket s = new Socket("127.0.0.1", l.port())) {
            s.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            assertTrue(in.readLine().startsWith("220"));
            String atCap = "NOOP " + "x".repeat(2048 - 5);
            // in one write, split across the session's reads anyhow: the cap counts the line, not a read
            out.write((atCap + "\r\n" + atCap + "y\r\n" + atCap + "\n" + atCap + "yz\n" + "NOOP\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertEquals("250 2.0.0 OK", in.readLine(), "2,048 characters and CRLF");
            assertTrue(in.readLine().startsWith("500 5.5.2"), "2,049 and CRLF");
            assertEquals("250 2.0.0 OK", in.readLine(), "2,048 and a bare LF");
            assertTrue(in.readLine().startsWith("500 5.5.2"), "2,050 and a bare LF: read to its end, one reply");
            assertEquals("250 2.0.0 OK", in.readLine(), "in step");
            // a command cut off by the end of the stream gets no reply, and the session ends
            out.write("NOOP".getBytes(StandardCharsets.US_ASCII));
            s.shutdownOutput();
            assertEquals(null, in.readLine());
        }
    }

    @Test
    void idleCommandsAndExtraConnectionsAreTurnedAway() throws Exception {
        try (MailListener l = listener(Duration.ofSeconds(30), 1); Socket s = new Socket("127.0.0.1", l.port())) {
            s.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            assertTrue(in.readLine().startsWith("220"));
            try (Socket second = new Socket("127.0.0.1", l.port())) {
                second.setSoTimeout(10_000);
                String refused = new BufferedReader(new InputStreamReader(second.getInputStream(),
                        StandardCharsets.US_ASCII)).readLine();
                assertTrue(refused.startsWith("421 4.3.2"), refused);
            }
            OutputStream out = s.getOutputStream();
            out.write("NOOP\r\n".repeat(150).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String last = null;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                last = line;
            }
            assertTrue(String.valueOf(last).startsWith("421 4.7.0"), last);
        }
    }

    @Test
    void idleConnectionsFromOneAddressDoNotLockOutAnother() throws Exception {
        // all of 127/8 is loopback on Linux: 127.0.0.2 plays a client that opens and idles, 127.0.0.1 the MTA
        java.util.List<Socket> idle = new java.util.ArrayList<>();
        try (MailListener l = listener(Duration.ofSeconds(30), 64)) {
            int greeted = 0;
            int refused = 0;
            for (int i = 0; i < 64; i++) {
                Socket s = new Socket(java.net.InetAddress.getByName("127.0.0.1"), l.port(),
                        java.net.InetAddress.getByName("127.0.0.2"), 0);
                idle.add(s);
                s.setSoTimeout(10_000);
                String first = new BufferedReader(new InputStreamReader(s.getInputStream(),
                        StandardCharsets.US_ASCII)).readLine();
                if (String.valueOf(first).startsWith("220")) {
                    greeted++;
                } else if (String.valueOf(first).startsWith("421")) {
                    refused++;
                }
            }
            assertTrue(greeted == 32 && refused == 32, greeted + " greeted, " + refused + " refused");
            try (Socket mta = new Socket("127.0.0.1", l.port())) {
                mta.setSoTimeout(2_000);
                String first = new BufferedReader(new InputStreamReader(mta.getInputStream(),
                        StandardCharsets.US_ASCII)).readLine();
                assertTrue(String.valueOf(first).startsWith("220"), first);
            }
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
    }

    @Test
    void whenFullANewcomerTakesTheLongestIdleSessionOfTheLargestHolder() throws Exception {
        // 127.0.0.2 and 127.0.0.3 hold half the slots each: 127.0.0.2's sessions have mail in hand, 127.0.0.3's
        // idle. The listener used to answer the MTA on 127.0.0.1 with 421 until the short idle timeout passed.
        java.util.List<Socket> sockets = new java.util.ArrayList<>();
        java.util.Map<Socket, BufferedReader> readers = new java.util.HashMap<>();
        try (MailListener l = listener(Duration.ofSeconds(30), 64)) {
            for (String from : new String[] {"127.0.0.2", "127.0.0.3"}) {
                for (int i = 0; i < 32; i++) {
                    Socket s = new Socket(java.net.InetAddress.getByName("127.0.0.1"), l.port(),
                            java.net.InetAddress.getByName(from), 0);
                    sockets.add(s);
                    s.setSoTimeout(10_000);
                    BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                            StandardCharsets.US_ASCII));
                    readers.put(s, in);
                    assertTrue(String.valueOf(in.readLine()).startsWith("220"));
                    if (from.equals("127.0.0.2")) {
                        s.getOutputStream().write("LHLO x\r\nMAIL FROM:<a@example.com>\r\n"
                                .getBytes(StandardCharsets.US_ASCII));
                        String line;
                        do {
                            line = in.readLine();
                        } while (line != null && !line.startsWith("250 2.1.0"));
                    }
                }
            }
            Socket mta = new Socket("127.0.0.1", l.port());
            sockets.add(mta);
            mta.setSoTimeout(3_000);
            String greeting = new BufferedReader(new InputStreamReader(mta.getInputStream(),
                    StandardCharsets.US_ASCII)).readLine();
            assertTrue(String.valueOf(greeting).startsWith("220"), "the MTA is let in: " + greeting);
            // exactly one idle session of 127.0.0.3 was closed for it, with a reason, before the MTA was greeted;
            // those with mail go on. Each is looked at briefly: the nearly full listener's 10 s idle timeout runs.
            int closed = 0;
            for (Socket s : sockets.subList(32, 64)) {
                s.setSoTimeout(20);
                try {
                    String line = readers.get(s).readLine();
                    if (line != null) {
                        assertTrue(line.startsWith("421 4.3.2"), line);
                        closed++;
                    }
                } catch (java.net.SocketTimeoutException stillOpen) {
                    // still open and idle
                }
            }
            assertEquals(1, closed, "sessions closed");
            for (Socket s : sockets.subList(0, 32)) {
                s.getOutputStream().write("RSET\r\n".getBytes(StandardCharsets.US_ASCII));
                assertTrue(String.valueOf(readers.get(s).readLine()).startsWith("250"));
            }
            // the listener is full again; a client that would hold as many as the largest holder is turned away
            try (Socket more = new Socket(java.net.InetAddress.getByName("127.0.0.1"), l.port(),
                    java.net.InetAddress.getByName("127.0.0.3"), 0)) {
                more.setSoTimeout(3_000);
                String first = new BufferedReader(new InputStreamReader(more.getInputStream(),
                        StandardCharsets.US_ASCII)).readLine();
                assertTrue(String.valueOf(first).startsWith("421"), first);
            }
        } finally {
            for (Socket s : sockets) {
                s.close();
            }
        }
    }

    @Test
    void aGreetingOverAndOverCountsAsAnIdleCommand() throws Exception {
        // without it, a client greeting every few minutes held its slot for ever
        try (MailListener l = listener(Duration.ofSeconds(30), 4); Socket s = new Socket("127.0.0.1", l.port())) {
            s.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = s.getOutputStream();
            out.write("LHLO x\r\n".repeat(150).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            String last = null;
            int lines = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                last = line;
                lines++;
            }
            assertTrue(String.valueOf(last).startsWith("421 4.7.0"), last);
            assertTrue(lines < 150 * 6, lines + " lines: it should have closed before the 150th greeting");
        }
    }

    @Test
    void sessionsAlreadyWaitingGetTheShortIdleTimeoutOnceTheListenerIsNearlyFull() throws Exception {
        java.util.List<Socket> crowd = new java.util.ArrayList<>();
        try (MailListener l = listener(Duration.ofSeconds(300), 8);
             Socket early = new Socket("127.0.0.1", l.port())) {
            early.setSoTimeout(60_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(early.getInputStream(),
                    StandardCharsets.US_ASCII));
            assertTrue(in.readLine().startsWith("220"));
            // six more, from other addresses, leave one slot of eight: the listener is nearly full
            for (int i = 0; i < 6; i++) {
                Socket s = new Socket(java.net.InetAddress.getByName("127.0.0.1"), l.port(),
                        java.net.InetAddress.getByName("127.0.0." + (2 + i % 3)), 0);
                crowd.add(s);
                s.setSoTimeout(10_000);
                assertTrue(new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                        .readLine().startsWith("220"));
            }
            // the crowd stays busy (an idle crowd would be cut at 10 s too, and the listener no longer be nearly full)
            java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean(true);
            Thread talk = new Thread(() -> {
                while (busy.get()) {
                    for (Socket s : crowd) {
                        try {
                            s.getOutputStream().write("NOOP\r\n".getBytes(StandardCharsets.US_ASCII));
                        } catch (java.io.IOException e) {
                            // closed
                        }
                    }
                    try {
                        Thread.sleep(1000);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "crowd");
            talk.start();
            long start = System.nanoTime();
            String reply;
            try {
                reply = in.readLine();
            } finally {
                busy.set(false);
                talk.join(5_000);
            }
            long seconds = (System.nanoTime() - start) / 1_000_000_000;
            assertTrue(String.valueOf(reply).startsWith("421 4.4.2"), reply);
            // the busy timeout is 10 s, looked at every 10 s: the idle timeout of 300 s no longer holds
            assertTrue(seconds <= 25, "closed after " + seconds + " s");
        } finally {
            for (Socket s : crowd) {
                s.close();
            }
        }
    }

    @Test
    void aWriteTheClientNeverTakesIsCutOffAtTheTimeout() throws Exception {
        try (MailListener l = listener(Duration.ofSeconds(30), 4);
             java.net.ServerSocket server = new java.net.ServerSocket(0, 1,
                     java.net.InetAddress.getByName("127.0.0.1"));
             Socket client = new Socket("127.0.0.1", server.getLocalPort());
             Socket peer = server.accept()) {
            // the client never reads: the peer's writes fill both socket buffers, and then block
            byte[] block = new byte[1 << 20];
            long start = System.nanoTime();
            java.util.concurrent.Future<?> watch = l.closeUnlessWritten(peer, Duration.ofSeconds(1));
            java.io.IOException failed = null;
            try {
                for (int i = 0; i < 1024; i++) {
                    peer.getOutputStream().write(block);
                }
            } catch (java.io.IOException e) {
                failed = e;
            } finally {
                watch.cancel(false);
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertTrue(failed != null && peer.isClosed(), "the blocked write was not cut off");
            assertTrue(ms < 10_000, "cut off after " + ms + " ms");
        }
    }

    @Test
    void aSessionThatOutlivesItsListenersStopGetsNoMoreWrites() throws Exception {
        MailListener l = listener(Duration.ofSeconds(30), 4);
        l.close();
        try (java.net.ServerSocket server = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getByName("127.0.0.1"));
             Socket client = new Socket("127.0.0.1", server.getLocalPort());
             Socket peer = server.accept()) {
            java.util.concurrent.Future<?> watch = l.closeUnlessWritten(peer, Duration.ofSeconds(30));
            assertTrue(watch.isDone() && peer.isClosed(), "closed at once, not left to a watch that no longer runs");
        }
    }

    @Test
    void theLimitPerAddressCountsAnIpv6ClientByItsSlash64() throws Exception {
        java.net.InetAddress a = java.net.InetAddress.getByName("2001:db8:1:2::1");
        java.net.InetAddress b = java.net.InetAddress.getByName("2001:db8:1:2:ffff:eeee:dddd:cccc");
        java.net.InetAddress c = java.net.InetAddress.getByName("2001:db8:1:3::1");
        org.junit.jupiter.api.Assertions.assertEquals(MailListener.client(a), MailListener.client(b));
        org.junit.jupiter.api.Assertions.assertNotEquals(MailListener.client(a), MailListener.client(c));
        org.junit.jupiter.api.Assertions.assertEquals("192.0.2.7",
                MailListener.client(java.net.InetAddress.getByName("192.0.2.7")));
    }

    @Test
    void theMemoryBudgetAlwaysHoldsOneMessageOfTheLargestSize() {
        // a budget below what one message of the limit needs would defer that message with 452 for ever
        int large = 200 << 20;
        MessageMemory memory = MessageMemory.forMessagesOf(large);
        assertTrue(memory.take(2L * large + (1 << 20)), "room for the blocks and the whole of one large message");
        org.junit.jupiter.api.Assertions.assertFalse(memory.take(Runtime.getRuntime().maxMemory()), "but no more");
    }
}
