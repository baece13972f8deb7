package dev.inboxguard.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports that a test names before anything listens on them: a child process's configuration, a relay started again on
 * the port it had, an address where nothing should answer.
 *
 * <p>The integration tests run in two JVMs at once. A port found by binding port 0 and closing it again comes from the
 * kernel's ephemeral range (32768-60999 by default on Linux), where the other JVM's next listener or outgoing
 * connection can take it before the test uses it. These ports come from below that range instead, and each JVM holds
 * a lock on a file named after each port it hands out until it exits, so no other test JVM hands out the same port
 * meanwhile.
 */
public final class TestPorts {
    private static final int FIRST = 20_000;
    private static final Path LOCKS = Path.of(System.getProperty("java.io.tmpdir"), "inboxguard-test-ports");
    // held until the JVM exits, which releases the locks
    private static final List<FileLock> HELD = new ArrayList<>();
    // never opened twice: closing a second channel on a file would release this JVM's lock on it (POSIX locks)
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private TestPorts() {
    }

    /** @return a port on loopback that nothing listens on now and that no running test JVM has handed out */
    public static synchronized int unused() throws IOException {
        int end = ephemeralStart();
        if (end <= FIRST + 1_000) {
            throw new IOException("the kernel hands out ports from " + end + " on; TestPorts needs " + FIRST + "-"
                    + (FIRST + 1_000) + " outside that range");
        }
        Files.createDirectories(LOCKS);
        int count = end - FIRST;
        int start = ThreadLocalRandom.current().nextInt(count);
        for (int i = 0; i < count; i++) {
            int port = FIRST + (start + i) % count;
            if (HANDED_OUT.contains(port)) {
                continue;
            }
            FileChannel file = FileChannel.open(LOCKS.resolve(Integer.toString(port)), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = file.tryLock();
            } catch (IOException e) {
                file.close();
                throw e;
            }
            if (lock == null) {
                file.close(); // another JVM's
                continue;
            }
            try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                HELD.add(lock);
                HANDED_OUT.add(port);
                return probe.getLocalPort();
            } catch (IOException taken) {
                file.close(); // something of the machine's own listens there
            }
        }
        throw new IOException("no port free in " + FIRST + "-" + (end - 1));
    }

    /** @return the first port the kernel may give to port 0 or an outgoing connection */
    private static int ephemeralStart() throws IOException {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        // read as a stream: /proc gives its files a size of 0, and a read of that size can come back short
        return Files.isReadable(range)
                ? Integer.parseInt(Files.readAllLines(range).get(0).trim().split("\\s+")[0]) : 32_768;
    }
}
