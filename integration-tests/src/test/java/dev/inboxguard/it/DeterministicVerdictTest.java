package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A verdict must not depend on how busy the machine is (issue 19: an Outlook invitation was rejected as
 * {@code timezone.abusive} on a loaded machine, when the budget was wall-clock time). Legitimate zoned series from
 * four clients, and two hostile messages, are judged by the jar in a fresh JVM on an idle machine, and some of them
 * again with 8 busy processes per core: the verdicts must be identical. Then a freshly started server, under the
 * same load, delivers every zoned invitation among its very first scheduling requests.
 */
@WallClock
class DeterministicVerdictTest {
    private static final Path JAR = Path.of(System.getProperty("inboxguard.jar",
            "../plugin-impl/target/inboxguard.jar"));
    private static final Path ZONED = Path.of("src/test/resources/zoned");
    private static final Path SAMPLES = Path.of("src/test/resources/samples");
    private static final Pattern ANNOUNCED = Pattern.compile("http://[0-9.]+:(\\d+)/\\.well-known/caldav");
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Each busy process ends by itself after this long, even if the test JVM dies first. */
    private static final int BUSY_SECONDS = 300;

    @TempDir
    Path dir;

    private static List<Path> legitimate() throws Exception {
        try (Stream<Path> files = Files.list(ZONED)) {
            return files.filter(p -> p.toString().endsWith(".ics")).sorted().toList();
        }
    }

    /** Judges each message in a fresh JVM of its own; the JVMs run side by side, as mail arrives on a server. */
    private Map<Path, JsonNode> check(List<Path> messages) throws Exception {
        Map<Path, Process> running = new LinkedHashMap<>();
        Map<Path, Path> outputs = new LinkedHashMap<>();
        for (Path ics : messages) {
            List<String> command = JarCommandLine.of(JAR, "256m", "check", "--recipient", "bob@example.com",
                    "--sender", "alice@example.com", "--known", "alice@example.com", "--now", "2026-11-21T00:00:00Z",
                    ics.toString());
            Path out = Files.createTempFile(dir, "verdict", ".json");
            outputs.put(ics, out);
            running.put(ics, new ProcessBuilder(command).redirectOutput(out.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start());
        }
        Map<Path, JsonNode> verdicts = new LinkedHashMap<>();
        for (Map.Entry<Path, Process> e : running.entrySet()) {
            assertTrue(e.getValue().waitFor(240, TimeUnit.SECONDS), "check finished: " + e.getKey());
            assertEquals(0, e.getValue().exitValue(), e.getKey().toString());
            verdicts.put(e.getKey(), JSON.readTree(outputs.get(e.getKey()).toFile()));
        }
        return verdicts;
    }

    /** 8 busy processes per core, as the measurement had them. */
    private static List<Process> saturate() throws Exception {
        int n = 8 * Runtime.getRuntime().availableProcessors();
        String loop = "end=$(( $(date +%s) + " + BUSY_SECONDS + " )); while [ $(date +%s) -lt $end ]; do i=0; "
                + "while [ $i -lt 200000 ]; do i=$((i+1)); done; done";
        List<Process> busy = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            busy.add(new ProcessBuilder("sh", "-c", loop).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start());
        }
        Thread.sleep(500); // let them reach the CPUs
        return busy;
    }

    private static void release(List<Process> busy) {
        busy.forEach(Process::destroyForcibly);
    }

    @Test
    void theSameMessageGetsTheSameVerdictOnAnIdleAndASaturatedMachine() throws Exception {
        assertTrue(Files.isRegularFile(JAR), "build plugin-impl first");
        List<Path> messages = new ArrayList<>(legitimate());
        assertTrue(messages.size() >= 5, "the zoned corpus: " + messages);
        messages.add(SAMPLES.resolve("vtimezone-bomb.ics"));
        messages.add(SAMPLES.resolve("every-minute-forever.ics"));
        // the costliest hostile message: it spends the whole work budget, so it is the one where the answer could
        // have slid from "too costly" to the safety net's temporary failure under load
        Path costliest = dir.resolve("costliest.ics");
        Files.write(costliest, dev.inboxguard.checks.recurrence.RecurrenceCorpus.all().stream()
                .filter(c -> c.name().equals("400 changed instances that each recur every minute")).findFirst()
                .orElseThrow().ics());
        messages.add(costliest);
        Map<Path, JsonNode> idle = check(messages);
        // a cold JVM among 16 busy processes takes tens of seconds, so three stand for the rest here, one per budget
        // that load could have moved: a legitimate Windows zone, a zone bomb and a costly series; the server test
        // below judges every zoned message under the same load
        List<Path> underLoad = List.of(ZONED.resolve("outlook-eastern.ics"), SAMPLES.resolve("vtimezone-bomb.ics"),
                costliest);
        List<Process> busy = saturate();
        long start = System.nanoTime();
        Map<Path, JsonNode> loaded;
        try {
            loaded = check(underLoad);
        } finally {
            release(busy);
        }
        System.out.printf("[determinism] %d cold-JVM checks under %d busy processes in %d ms%n", underLoad.size(),
                busy.size(), (System.nanoTime() - start) / 1_000_000);
        for (Path m : underLoad) {
            assertEquals(idle.get(m), loaded.get(m), m + ": the verdict changed under load");
        }
        for (Path m : legitimate()) {
            JsonNode v = idle.get(m);
            assertEquals("deliver", v.get("action").asText(), m + ": " + v);
        }
        assertEquals("reject", idle.get(SAMPLES.resolve("vtimezone-bomb.ics")).get("action").asText());
        assertEquals("reject", idle.get(SAMPLES.resolve("every-minute-forever.ics")).get("action").asText());
        assertTrue(idle.get(costliest).toString().contains("recurrence.too-costly"), idle.get(costliest).toString());
    }

    @Test
    void aFreshServerUnderLoadDeliversAZonedInvitationAsItsFirstRequest() throws Exception {
        List<Process> busy = List.of();
        Process server = null;
        try {
            // a plain java -jar, without the class-data archive: the coldest start a server can have
            List<String> command = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-jar", JAR.toString(), "serve", "--demo", "--http-port", "0", "--lmtp-port", "0",
                    "--data", dir.resolve("data").toString());
            server = new ProcessBuilder(command).redirectErrorStream(true).start();
            String base = null;
            BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(),
                    StandardCharsets.UTF_8));
            for (String line; base == null && (line = out.readLine()) != null; ) {
                Matcher m = ANNOUNCED.matcher(line);
                if (m.find()) {
                    base = "http://127.0.0.1:" + m.group(1);
                }
            }
            assertTrue(base != null, "serve announced its port");
            Process running = server;
            Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "serve-output");
            drain.setDaemon(true);
            drain.start();
            // nothing has been judged yet: the first request meets cold code, unloaded zone data and a full CPU
            busy = saturate();
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
            assertEquals(201, send(http, base, "MKCALENDAR", "/dav/calendars/alice/work/", null).statusCode());
            // Outlook's Windows zone, as Outlook writes it: the shape that was rejected on a loaded machine
            for (Path zoned : legitimate()) {
                String name = zoned.getFileName().toString();
                String object = Files.readString(zoned).replace("METHOD:REQUEST\n", "")
                        .replace("METHOD:REQUEST\r\n", "");
                HttpResponse<String> put = send(http, base, "PUT", "/dav/calendars/alice/work/" + name, object);
                assertEquals(201, put.statusCode(), name + ": " + put.body());
                String stored = send(http, base, "GET", "/dav/calendars/alice/work/" + name, null).body();
                String bob = stored.replace("\r\n ", "").lines().filter(l -> l.startsWith("ATTENDEE")
                        && l.contains("bob@example.com")).findFirst().orElseThrow();
                assertTrue(bob.contains("SCHEDULE-STATUS=1.2"), name + " was delivered to bob: " + bob);
            }
            assertTrue(running.isAlive());
        } finally {
            release(busy);
            if (server != null) {
                server.destroy();
                if (!server.waitFor(10, TimeUnit.SECONDS)) {
                    server.destroyForcibly();
                }
            }
        }
    }

    private static HttpResponse<String> send(HttpClient http, String base, String method, String path, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "alice:alice".getBytes(StandardCharsets.UTF_8)));
        if (body != null) {
            b.header("Content-Type", "text/calendar; charset=utf-8");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
