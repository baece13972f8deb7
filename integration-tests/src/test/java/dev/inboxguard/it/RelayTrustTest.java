package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.inboxguard.config.ConfigException;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.imip.MailRelay;
import dev.inboxguard.server.InboxGuardServer;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import jakarta.mail.MessagingException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mail.relay.trustCertificates}: a relay with a self-signed certificate (GreenMail on implicit TLS, given a
 * certificate made here for the name {@code localhost}) is trusted when its certificate is in the file, and only
 * then; its host name is still checked, so the same certificate reached as 127.0.0.1 is refused.
 */
class RelayTrustTest {
    @TempDir
    static Path dir;
    static GreenMail relay;
    static Path pem;

    @BeforeAll
    static void start() throws Exception {
        Path keystore = dir.resolve("relay.p12");
        pem = dir.resolve("relay.pem");
        keytool("-genkeypair", "-alias", "relay", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "san=dns:localhost", "-validity", "30", "-storetype", "PKCS12", "-keystore",
                keystore.toString(), "-storepass", "changeit", "-keypass", "changeit");
        keytool("-exportcert", "-rfc", "-alias", "relay", "-keystore", keystore.toString(), "-storepass", "changeit",
                "-file", pem.toString());
        // GreenMail reads its TLS key from these once, when its first TLS listener starts
        System.setProperty("greenmail.tls.keystore.file", keystore.toString());
        System.setProperty("greenmail.tls.keystore.password", "changeit");
        System.setProperty("greenmail.tls.key.password", "changeit");
        relay = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTPS))
                .withConfiguration(GreenMailConfiguration.aConfig().withUser("relayuser", "secret"));
        relay.start();
    }

    @AfterAll
    static void stop() {
        relay.stop();
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, out);
    }

    private static GuardConfig.Relay settings(String host, String trust) {
        return new GuardConfig.Relay(host, relay.getSmtps().getPort(), "tls", "relayuser", "secret", "", 5,
                List.of(1), 1, trust);
    }

    @Test
    void anInvitationGoesOutThroughARelayWhoseOwnCertificateIsTrusted() throws Exception {
        Path yaml = dir.resolve("guard.yaml");
        Files.writeString(yaml, """
                mail:
                  hostname: guard.example.com
                  lmtp: {bind: 127.0.0.1, port: -1}
                  relay: {host: localhost, port: %d, tls: tls, username: relayuser, password: secret,
                          timeoutSeconds: 5, retrySeconds: [1], trustCertificates: %s}
                """.formatted(relay.getSmtps().getPort(), pem));
        int before = relay.getReceivedMessages().length;
        try (Database store = TestPostgres.open(dir.resolve("db"));
             InboxGuardServer server = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0),
                     ConfigFile.load(yaml), SchedulingTest.accounts(), store, Clock.systemUTC())) {
            DavClient dav = new DavClient(server.httpPort());
            assertEquals(201, dav.put("alice", "/dav/calendars/alice/calendar/tls.ics",
                    SchedulingTest.event("tls-1", "alice", null, "bob").replace("mailto:bob@example.com",
                            "mailto:guest@remote.example")).statusCode());
            assertTrue(relay.waitForIncomingEmail(10_000, before + 1), "the relay got nothing");
            assertEquals("guest@remote.example",
                    relay.getReceivedMessages()[before].getAllRecipients()[0].toString());
        }
    }

    @Test
    void withoutTheFileTheSameRelayIsRefused() {
        MessagingException e = assertThrows(MessagingException.class,
                () -> new MailRelay(settings("localhost", null)).connect().close());
        assertTrue(MailRelay.describe(e).contains("certification path"), MailRelay.describe(e));
    }

    @Test
    void aTrustedCertificateForAnotherNameIsRefused() throws Exception {
        // the same relay, the same trusted file: reached by the name in its certificate it is accepted...
        new MailRelay(settings("localhost", pem.toString())).connect().close();
        // ...and reached by an address the certificate does not name, refused
        MessagingException e = assertThrows(MessagingException.class,
                () -> new MailRelay(settings("127.0.0.1", pem.toString())).connect().close());
        assertTrue(MailRelay.describe(e).contains("127.0.0.1"), MailRelay.describe(e));
    }

    @Test
    void aFileWithoutCertificatesIsAConfigurationError() throws Exception {
        Path notPem = dir.resolve("not.pem");
        Files.writeString(notPem, "hello\n");
        ConfigException e = assertThrows(ConfigException.class,
                () -> new MailRelay(settings("localhost", notPem.toString())));
        assertEquals("mail.relay.trustCertificates: " + notPem + " is not a PEM file of certificates", e.getMessage());
        ConfigException missing = assertThrows(ConfigException.class,
                () -> new MailRelay(settings("localhost", dir.resolve("absent.pem").toString())));
        assertEquals("mail.relay.trustCertificates: cannot read " + dir.resolve("absent.pem"), missing.getMessage());
    }
}
