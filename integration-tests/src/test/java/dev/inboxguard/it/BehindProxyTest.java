package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.scheduling.RecordingOutbound;
import dev.inboxguard.server.CaldavServer;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Behind a TLS-terminating proxy (issue 17): X-Forwarded-Proto is believed from the configured proxies only, so
 * the sign-in cookie is Secure there, and a client talking to the server directly cannot claim HTTPS; an operator
 * who sets {@code server.hstsSeconds} gets Strict-Transport-Security on answers over HTTPS, and only there.
 */
class BehindProxyTest {
    @TempDir
    Path data;

    private static String signIn(int port) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/guard/login"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Forwarded-Proto", "https")
                .POST(HttpRequest.BodyPublishers.ofString("user=alice&password=alice")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(303, r.statusCode(), r.body());
        return r.headers().firstValue("Set-Cookie").orElseThrow();
    }

    private CaldavServer server(Database store, List<String> proxies) throws Exception {
        return server(store, new GuardConfig.Server("127.0.0.1", proxies));
    }

    private CaldavServer server(Database store, GuardConfig.Server settings) throws Exception {
        GuardConfig config = ConfigFile.defaults().withServer(settings);
        return new CaldavServer(new InetSocketAddress("127.0.0.1", 0), SchedulingTest.accounts(), config, store,
                new RecordingOutbound(), Clock.systemUTC()).start();
    }

    @Test
    void forwardedHttpsIsBelievedOnlyFromATrustedProxy() throws Exception {
        try (Database store = TestPostgres.open(data)) {
            try (CaldavServer trusted = server(store, List.of("127.0.0.1"))) {
                String cookie = signIn(trusted.port());
                assertTrue(cookie.contains("; Secure"), "through the proxy, the cookie is Secure: " + cookie);
            }
            try (CaldavServer direct = server(store, List.of())) {
                String cookie = signIn(direct.port());
                assertFalse(cookie.contains("Secure"), "a client cannot claim HTTPS by a header: " + cookie);
            }
            try (CaldavServer elsewhere = server(store, List.of("192.0.2.10"))) {
                assertFalse(signIn(elsewhere.port()).contains("Secure"), "only the listed proxy is believed");
            }
        }
    }

    private static java.util.Optional<String> hsts(int port, boolean https) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"));
        if (https) {
            b.header("X-Forwarded-Proto", "https");
        }
        HttpResponse<String> r = HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        return r.headers().firstValue("Strict-Transport-Security");
    }

    @Test
    void strictTransportSecurityOnlyWhenSetAndOnlyOverHttps() throws Exception {
        try (Database store = TestPostgres.open(data)) {
            GuardConfig.Server set = new GuardConfig.Server("127.0.0.1", List.of("127.0.0.1"), null, null, null,
                    31_536_000L);
            try (CaldavServer trusted = server(store, set)) {
                assertEquals("max-age=31536000", hsts(trusted.port(), true).orElse("none"),
                        "RFC 6797 §7.1: sent over HTTPS, as the trusted proxy reports it");
                assertTrue(hsts(trusted.port(), false).isEmpty(), "RFC 6797 §7.2: never over plain HTTP");
            }
            // the proxies' customizer in place, for another address than this client's
            try (CaldavServer direct = server(store, new GuardConfig.Server("127.0.0.1", List.of("192.0.2.10"), null,
                    null, null, 31_536_000L))) {
                assertTrue(hsts(direct.port(), true).isEmpty(), "a client cannot claim HTTPS by a header");
            }
            try (CaldavServer unset = server(store, List.of("127.0.0.1"))) {
                assertTrue(hsts(unset.port(), true).isEmpty(), "off by default");
            }
        }
    }
}
