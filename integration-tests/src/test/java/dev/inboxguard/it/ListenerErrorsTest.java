package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

            Files.writeString(data.resolve("http.yaml"), "mail: {lmtp: {port: -1}}\n");
            ConfigException http = assertThrows(ConfigException.class, () -> InboxGuardServer.start(
                    new InetSocketAddress("127.0.0.1", port), ConfigFile.load(data.resolve("http.yaml")),
                    PrometheusScrapeTest.accounts(), db, Clock.systemUTC()));
            assertEquals("cannot listen for HTTP on 127.0.0.1:" + port + ": address in use or not available here "
                    + "(set --http-port)", http.getMessage());
        }
    }
}
