package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code inboxguard serve --demo} from the built jar: it comes up, announces its port and serves discovery. */
class ServeJarTest {
    private static final Pattern ANNOUNCED = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/\\.well-known/caldav");

    @Test
    void theDemoServerStartsAndAnswers() throws Exception {
        Path jar = Path.of(System.getProperty("inboxguard.jar", "../plugin-impl/target/inboxguard.jar"));
        assertTrue(Files.isRegularFile(jar), "build plugin-impl first");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString(), "serve", "--demo", "--http-port", "0")
                .redirectErrorStream(true).start();
        try {
            long start = System.nanoTime();
            int port = -1;
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            for (String line; (line = out.readLine()) != null; ) {
                Matcher m = ANNOUNCED.matcher(line);
                if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                    break;
                }
            }
            assertTrue(port > 0, "serve did not announce its port");
            System.out.printf("[serve --demo] ready in %d ms%n", (System.nanoTime() - start) / 1_000_000);

            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
            String base = "http://127.0.0.1:" + port;
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            HttpResponse<String> discovery = http.send(HttpRequest.newBuilder(URI.create(base + "/dav/"))
                    .method("PROPFIND", HttpRequest.BodyPublishers.ofString("<d:propfind xmlns:d=\"DAV:\"><d:prop>"
                            + "<d:current-user-principal/></d:prop></d:propfind>"))
                    .header("Depth", "0")
                    .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                            "carol:carol".getBytes(StandardCharsets.UTF_8))).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(207, discovery.statusCode());
            assertTrue(discovery.body().contains("/dav/principals/carol/"), discovery.body());
        } finally {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void withoutDemoItSaysWhatIsMissing() throws Exception {
        Path jar = Path.of(System.getProperty("inboxguard.jar", "../plugin-impl/target/inboxguard.jar"));
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "serve", "--http-port", "0")).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("--demo"), out);
    }
}
