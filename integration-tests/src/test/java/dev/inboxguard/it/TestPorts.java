package dev.inboxguard.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports that a test names before anything listens on them: a child process's configuration, a relay started again on
 * the port it had, an address where nothing should answer.
 *
 * <p>The integration tests run in two JVMs at once. A port found by binding port 0 and closing it again comes from the
 * kernel's ephemeral range (32768-60999 on Linux), where the other JVM's next listener or outgoing connection can take
 * it before the test uses it. These ports come from below that range instead, and each JVM holds a lock on a file
 * named after each port it hands out until it exits, so no other test JVM hands out the same port meanwhile.
 */
public final class TestPorts {
    private static final int FIRST = 20_000;
    private static final int COUNT = 12_000;
    private static final Path LOCKS = Path.of(System.getProperty("java.io.tmpdir"), "inboxguard-test-ports");
    // held until the JVM exits, which releases the locks
    private static final List<FileLock> HELD = new ArrayList<>();

    private TestPorts() {
    }

    /** @return a port on loopback that nothing listens on now and that no running test JVM has handed out */
    public static synchronized int unused() throws IOException {
        Files.createDirectories(LOCKS);
        int start = ThreadLocalRandom.current().nextInt(COUNT);
        for (int i = 0; i < COUNT; i++) {
            int port = FIRST + (start + i) % COUNT;
            FileChannel file = FileChannel.open(LOCKS.resolve(Integer.toString(port)), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = file.tryLock();
            } catch (OverlappingFileLockException mine) {
                lock = null; // handed out before by this JVM
            }
            if (lock == null) {
                file.close();
                continue;
            }
            try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                HELD.add(lock);
                return probe.getLocalPort();
            } catch (IOException taken) {
                file.close(); // something of the machine's own listens there
            }
        }
        throw new IOException("no port free in " + FIRST + "-" + (FIRST + COUNT - 1));
    }
}
