package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.server.Account;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.server.InboxGuardServer;
import dev.inboxguard.server.PasswordHash;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /metrics} on a running server, read by Debian's Prometheus: after one flagged delivery and one hold
 * through LMTP, Prometheus's own query API returns the verdict counters and the held items pending. Also who may
 * read the page: this machine by default, or the holder of the bearer token.
 *
 * <p>{@code .ci/run} installs the {@code prometheus} package; without it the scrape test is skipped locally and fails
 * under CI.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PrometheusScrapeTest {
    private static final Path PROMETHEUS = Path.of("/usr/bin/prometheus");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path data;
    static Database store;
    static InboxGuardServer server;
    static String base;
    static final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> VERDICT_LOG =
            new ch.qos.logback.core.read.ListAppender<>();

    @BeforeAll
    static void start() throws Exception {
        Files.writeString(data.resolve("guard.yaml"), """
                imip:
                  trustedAuthservIds: [mx.corp.example]
                mail:
                  lmtp: {bind: 127.0.0.1, port: 0}
                """);
        GuardConfig config = ConfigFile.load(data.resolve("guard.yaml"));
        VERDICT_LOG.start();
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("dev.inboxguard.verdicts"))
                .addAppender(VERDICT_LOG);
        store = TestPostgres.open(data);
        server = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0), config, accounts(), store,
                Clock.systemUTC());
        base = "http://127.0.0.1:" + server.httpPort();
        int lmtp = server.lmtpPort().orElseThrow();
        // a stranger's first invitation (flagged) and a forged CEO (held), as the MTA hands them over
        for (String file : List.of("legitimate/thunderbird-invitation.eml", "hostile/forged-ceo-invitation.eml")) {
            String message = corpus(file);
            String envelope = message.substring(message.indexOf('<') + 1, message.indexOf('>'));
            List<String> r = MailDialogue.deliver(lmtp, true, envelope, List.of("bob@corp.example"), message);
            assertTrue(r.get(0).startsWith("250"), file + ": " + r);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        store.close();
    }

    static Accounts accounts() {
        return new Accounts(List.of("alice", "bob").stream().map(n -> new Account(n, PasswordHash.of(n), n,
                List.of(CalendarUserAddress.of("mailto:" + n + "@corp.example")))).toList(), Clock.systemUTC());
    }

    @Test
    @Order(1)
    void theServerCountsVerdictsChecksRepliesAndHeldItems() throws Exception {
        HttpResponse<String> r = get(base + "/metrics", Optional.empty());
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        String text = r.body();
        assertEquals(1.0, value(text, "inboxguard_verdicts_total", "action=\"flag\",method=\"REQUEST\",transport=\"imip\""),
                text);
        assertEquals(1.0, value(text, "inboxguard_verdicts_total", "action=\"hold\",method=\"REQUEST\",transport=\"imip\""),
                text);
        assertEquals(1.0, value(text, "inboxguard_findings_total",
                "action=\"hold\",code=\"sender.unauthenticated\",transport=\"imip\""), text);
        assertEquals(1.0, value(text, "inboxguard_held_pending", ""), text);
        assertEquals(2.0, value(text, "inboxguard_mail_replies_total", "code=\"250\",listener=\"lmtp\""), text);
        assertEquals(2.0, value(text, "inboxguard_verdict_duration_seconds_count", "transport=\"imip\""), text);
        assertTrue(value(text, "inboxguard_check_duration_seconds_count", "check=\"SenderCheck\"") >= 2, text);
        assertTrue(text.contains("jvm_memory_used_bytes{"), "the JVM's own meters");
        // HikariCP's own meters for the pool, named by the pool
        assertTrue(value(text, "hikaricp_connections_max", "pool=\"inboxguard-" + (TestPostgres.selected() ? "pg"
                : "h2") + "\"") >= 1, text);
        assertTrue(value(text, "hikaricp_connections", "pool=\"inboxguard-" + (TestPostgres
                .selected() ? "pg" : "h2") + "\"") >= 1, text);
        // the embedded store's file, which an operator watches for growth; PostgreSQL has its own meters
        if (!TestPostgres.selected()) {
            assertTrue(value(text, "inboxguard_store_file_bytes", "") > 0, text);
        } else {
            assertTrue(!text.contains("inboxguard_store_file_bytes"), text);
        }
        // and the log has one line per verdict, the hold among them
        List<String> lines = VERDICT_LOG.list.stream().map(e -> e.getFormattedMessage()).toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("verdict transport=imip sender=mailto:ceo@corp.example "
                + "recipient=mailto:bob@corp.example method=REQUEST uid=urgent-wire-1@corp.example action=hold "
                + "status=2.0 codes=sender.unauthenticated held=")), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.contains("action=flag")), lines.toString());
        // nothing in the page names a person or an event
        assertTrue(!text.contains("corp.example") && !text.contains("@"), "no addresses in metrics");
    }

    @Test
    @Order(2)
    void prometheusScrapesTheServerAndAnswersQueries() throws Exception {
        boolean installed = Files.isExecutable(PROMETHEUS);
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(installed, ".ci/run installs Debian's prometheus");
        }
        Assumptions.assumeTrue(installed, "prometheus is not installed");
        int port = TestPorts.unused();
        Path dir = Files.createDirectories(data.resolve("prometheus"));
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                scrape_configs:
                  - job_name: inboxguard
                    metrics_path: /metrics
                    static_configs:
                      - targets: ["127.0.0.1:%d"]
                """.formatted(server.httpPort()));
        Process p = new ProcessBuilder(PROMETHEUS.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("tsdb"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        try {
            String api = "http://127.0.0.1:" + port + "/api/v1/query?query=";
            double held = poll(api + enc("sum(inboxguard_verdicts_total{action=\"hold\",transport=\"imip\"})"),
                    dir);
            assertEquals(1.0, held);
            assertEquals(1.0, poll(api + enc("sum(inboxguard_verdicts_total{action=\"flag\"})"), dir));
            assertEquals(1.0, poll(api + enc("inboxguard_held_pending"), dir));
            assertEquals(1.0, poll(api + enc("up{job=\"inboxguard\"}"), dir));
            // every query of the dashboard in docs/ is one Prometheus accepts, on metrics that exist
            JsonNode dashboard = new ObjectMapper().readTree(Path.of("..", "docs", "grafana-dashboard.json").toFile());
            for (JsonNode panel : dashboard.get("panels")) {
                for (JsonNode target : panel.get("targets")) {
                    String expr = target.get("expr").asText();
                    JsonNode answer = new ObjectMapper().readTree(get(api + enc(expr), Optional.empty()).body());
                    assertEquals("success", answer.path("status").asText(), expr + ": " + answer);
                    String metric = expr.replaceAll("(?s).*?(inboxguard_[a-z_]+).*", "$1");
                    if (!metric.equals("inboxguard_monitor_total")) { // appears when a watched rule first differs
                        assertTrue(poll(api + enc("count(" + metric + ")"), dir) >= 1,
                                "the dashboard's " + metric + " exists");
                    }
                }
            }
        } finally {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    @Order(3)
    void metricsAreForThisMachineByDefaultAndForTheTokenOtherwise() throws Exception {
        Optional<InetAddress> outside = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress())
                .findFirst();
        Path dir = Files.createDirectories(data.resolve("token"));
        Files.writeString(dir.resolve("metrics-token"), "s3cret-metrics-token\n");
        for (String access : List.of("loopback", "token")) {
            Path yaml = dir.resolve(access + ".yaml");
            Files.writeString(yaml, "mail: {lmtp: {port: -1}}\nmetrics: {access: " + access + ", tokenFile: "
                    + dir.resolve("metrics-token") + "}\n");
            Path stateDir = Files.createDirectories(dir.resolve(access));
            try (Database db = TestPostgres.open(stateDir);
                 InboxGuardServer s = InboxGuardServer.start(new InetSocketAddress("0.0.0.0", 0),
                         ConfigFile.load(yaml), accounts(), db, Clock.systemUTC())) {
                String local = "http://127.0.0.1:" + s.httpPort() + "/metrics";
                if (access.equals("loopback")) {
                    assertEquals(200, get(local, Optional.empty()).statusCode());
                    // what a reverse proxy on this machine forwards from outside is not "this machine"
                    HttpResponse<String> proxied = HTTP.send(HttpRequest.newBuilder(URI.create(local))
                            .header("X-Forwarded-For", "203.0.113.7").GET().build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(403, proxied.statusCode(), proxied.body());
                    if (outside.isPresent()) {
                        HttpResponse<String> r = get("http://" + outside.get().getHostAddress() + ":" + s.httpPort()
                                + "/metrics", Optional.empty());
                        assertEquals(403, r.statusCode(), r.body());
                        assertTrue(r.body().contains("metrics.access"), r.body());
                    }
                } else {
                    assertEquals(401, get(local, Optional.empty()).statusCode());
                    assertEquals(401, get(local, Optional.of("Bearer wrong")).statusCode());
                    HttpResponse<String> r = get(local, Optional.of("Bearer s3cret-metrics-token"));
                    assertEquals(200, r.statusCode(), r.body());
                    assertTrue(r.body().contains("inboxguard_held_pending"), r.body());
                }
            }
        }
    }

    /** The value of the sample with exactly these labels (as Prometheus prints them, sorted). */
    private static double value(String text, String name, String labels) {
        String head = labels.isEmpty() ? name : name + "{" + labels + ",?}";
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + (labels.isEmpty() ? "" : "\\{"
                + Pattern.quote(labels) + ",?\\}") + " ([0-9.eE+-]+)$").matcher(text);
        assertTrue(m.find(), "no sample " + head);
        return Double.parseDouble(m.group(1));
    }

    /** Asks Prometheus until the query has a result (the first scrapes take a few seconds). */
    private static double poll(String url, Path dir) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String last = "";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = get(url, Optional.empty());
                last = r.body();
                JsonNode result = new ObjectMapper().readTree(last).path("data").path("result");
                if (r.statusCode() == 200 && result.size() > 0) {
                    return Double.parseDouble(result.get(0).get("value").get(1).asText());
                }
            } catch (IOException e) {
                last = e.toString(); // not listening yet
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Prometheus never answered " + url + ": " + last + "\n"
                + Files.readString(dir.resolve("prometheus.log")));
    }

    private static HttpResponse<String> get(String url, Optional<String> authorization) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
        authorization.ifPresent(a -> b.header("Authorization", a));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String enc(String query) {
        return URLEncoder.encode(query, StandardCharsets.UTF_8);
    }

    private static String corpus(String relative) throws Exception {
        try (InputStream in = PrometheusScrapeTest.class.getResourceAsStream("/corpus/" + relative)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
