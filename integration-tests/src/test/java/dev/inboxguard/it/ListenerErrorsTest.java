package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.config.ConfigException;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.server.InboxGuardServer;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A port that is taken is the operator's problem, said in one line that names the listener, the address and the
 * setting to change; nothing is left listening after a failed start.
 */
class ListenerErrorsTest {
    @TempDir
    Path data;

    @Test
    void aBusyPortIsNamedWithTheSettingThatMovesIt() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Database db = TestPostgres.open(data)) {
            int port = taken.getLocalPort();
            Files.writeString(data.resolve("lmtp.yaml"), "mail: {lmtp: {bind: 127.0.0.1, port: " + port + "}}\n");
            ConfigException lmtp = assertThrows(ConfigException.class, () -> InboxGuardServer.start(
                    new InetSocketAddress("127.0.0.1", 0), ConfigFile.load(data.resolve("lmtp.yaml")),
                    PrometheusScrapeTest.accounts(), db, Clock.systemUTC()));
            assertEquals("cannot listen for LMTP on 127.0.0.1:" + port + ": address in use (set mail.lmtp.port or "
                    + "--lmtp-port)", lmtp.getMessage());

            Set<Long> before = threadIds();
            Files.writeString(data.resolve("http.yaml"), "mail: {lmtp: {port: -1}}\n");
            ConfigException http = assertThrows(ConfigException.class, () -> InboxGuardServer.start(
                    new InetSocketAddress("127.0.0.1", port), ConfigFile.load(data.resolve("http.yaml")),
                    PrometheusScrapeTest.accounts(), db, Clock.systemUTC()));
            assertEquals("cannot listen for HTTP on 127.0.0.1:" + port + ": address in use or not available here "
                    + "(set --http-port)", http.getMessage());
            assertEquals(List.of(), newServerThreads(before), "threads of the failed start still running");
        }
    }

    @Test
    void aStartThatFailsAtTheLastListenerLeavesNoPortBoundAndNoThreadRunning() throws Exception {
        int httpPort = TestPorts.unused();
        int lmtpPort = TestPorts.unused();
        Set<Long> before = threadIds();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Database db = TestPostgres.open(data)) {
            // HTTP and LMTP bind first; SMTP, the last listener, finds its port taken
            Files.writeString(data.resolve("smtp.yaml"), "mail: {lmtp: {bind: 127.0.0.1, port: " + lmtpPort
                    + "}, smtp: {bind: 127.0.0.1, port: " + taken.getLocalPort() + "}}\n");
            dev.inboxguard.config.GuardConfig config = ConfigFile.load(data.resolve("smtp.yaml"));
            ConfigException smtp = assertThrows(ConfigException.class, () -> InboxGuardServer.start(
                    new InetSocketAddress("127.0.0.1", httpPort), config, PrometheusScrapeTest.accounts(), db,
                    Clock.systemUTC()));
            assertEquals("cannot listen for SMTP on 127.0.0.1:" + taken.getLocalPort() + ": address in use (set "
                    + "mail.smtp.port)", smtp.getMessage());

            assertEquals(List.of(), newServerThreads(before), "threads of the failed start still running");
            // the ports it had bound are free again: the same addresses, without the taken one, start
            try (ServerSocket http = new ServerSocket(httpPort, 1, InetAddress.getLoopbackAddress());
                 ServerSocket lmtp = new ServerSocket(lmtpPort, 1, InetAddress.getLoopbackAddress())) {
                assertTrue(http.isBound() && lmtp.isBound());
            }
            Files.writeString(data.resolve("again.yaml"), "mail: {lmtp: {bind: 127.0.0.1, port: " + lmtpPort + "}}\n");
            InboxGuardServer server = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", httpPort),
                    ConfigFile.load(data.resolve("again.yaml")), PrometheusScrapeTest.accounts(), db,
                    Clock.systemUTC());
            try {
                assertEquals(httpPort, server.httpPort());
            } finally {
                server.close();
            }
        }
    }

    private static Set<Long> threadIds() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getId).collect(Collectors.toSet());
    }

    /** The HTTP and mail threads started since {@code before} and still alive. */
    private static List<String> newServerThreads(Set<Long> before) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t.getId()) && t.isAlive())
                .map(Thread::getName)
                .filter(n -> n.startsWith("http") || n.startsWith("lmtp") || n.startsWith("smtp"))
                .toList();
    }
}
