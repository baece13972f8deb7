package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
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
import org.junit.jupiter.api.io.TempDir;

/** {@code inboxguard serve --demo} from the built jar: it comes up, serves discovery, and keeps what it acknowledged. */
class ServeJarTest {
    private static final Pattern ANNOUNCED = Pattern.compile("http://[^/:]+:(\\d+)/\\.well-known/caldav");
    private static final Pattern LMTP_ANNOUNCED = Pattern.compile("LMTP at 127\\.0\\.0\\.1:(\\d+)");
    private static final Path JAR = Path.of(System.getProperty("inboxguard.jar",
            "../plugin-impl/target/inboxguard.jar"));

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private record Server(Process process, String base, int lmtp) {
    }

    private Server start() throws Exception {
        return start("--demo");
    }

    private Server start(String... options) throws Exception {
        return startOn(data, options);
    }

    private Server startOn(Path dir, String... options) throws Exception {
        assertTrue(Files.isRegularFile(JAR), "build plugin-impl first");
        List<String> command = new java.util.ArrayList<>(JarCommandLine.of(JAR, "256m", "serve", "--http-port", "0",
                "--lmtp-port", "0", "--data", dir.toString()));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        long start = System.nanoTime();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String base = null;
        for (String line; (line = out.readLine()) != null; ) {
            Matcher m = ANNOUNCED.matcher(line);
            if (m.find() && base == null) {
                System.out.printf("[serve --demo] ready in %d ms%n", (System.nanoTime() - start) / 1_000_000);
                base = "http://127.0.0.1:" + m.group(1);
            }
            Matcher l = LMTP_ANNOUNCED.matcher(line);
            if (l.find()) {
                assertTrue(base != null, "serve announces its HTTP port before its LMTP port");
                return new Server(p, base, Integer.parseInt(l.group(1)));
            }
        }
        p.destroyForcibly();
        throw new AssertionError("serve did not announce its ports");
    }

    private HttpResponse<String> send(Server s, String method, String path, String body, String type)
            throws Exception {
        return send(s, method, path, body, type, "carol:carol");
    }

    private HttpResponse<String> send(Server s, String method, String path, String body, String type,
                                      String credentials) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.base() + path)).timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        credentials.getBytes(StandardCharsets.UTF_8)));
        if (type != null) {
            b.header("Content-Type", type);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void stop(Process p, boolean kill) throws InterruptedException {
        if (kill) {
            p.destroyForcibly(); // SIGKILL: no shutdown hook runs
        } else {
            p.destroy();
        }
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
    }

    @Test
    void theDemoServerStartsAnswersAndKeepsAnAcknowledgedPutThroughKillDashNine() throws Exception {
        keepsAnAcknowledgedPutThroughKillDashNine("--demo");
    }

    @Test
    void onPostgresqlItKeepsTheDataInTheDatabaseNamedByTheConfiguration() throws Exception {
        GuardConfig.Storage pg = TestPostgres.freshDatabase();
        Path config = data.resolve("pg.yaml");
        Files.writeString(config, "storage:\n  url: \"" + pg.url() + "\"\n  user: " + pg.user() + "\n");
        keepsAnAcknowledgedPutThroughKillDashNine("--demo", "--config", config.toString());
        // the object is in PostgreSQL, where another node would find it, and not in the data directory
        try (Database db = Database.open(pg, data.resolve("unused"))) {
            assertEquals("kept", db.calendars().object("carol", "home", "kept.ics").orElseThrow().uid());
        }
        assertTrue(Files.notExists(data.resolve("inboxguard.mv.db")));
    }

    @Test
    void manyLargeMessagesAtOnceAreToldToComeBackLaterRatherThanRunningTheHeapOut() throws Exception {
        // 16 clients each send a message just under the 10 MiB limit, and all have sent most of it before any
        // finishes; with 256 MB of heap the server cannot hold them all, and must say so (452) rather than run out
        // of memory
        Server s = start();
        int clients = 16;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(clients);
        java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(clients);
        try {
            List<java.util.concurrent.Future<String>> replies = new java.util.ArrayList<>();
            for (int i = 0; i < clients; i++) {
                int n = i;
                replies.add(pool.submit(() -> largeMessage(s.lmtp(), "big" + n + "@example.org", 9_000, together)));
            }
            java.util.Map<String, Integer> codes = new java.util.TreeMap<>();
            for (java.util.concurrent.Future<String> r : replies) {
                String reply = r.get(5, TimeUnit.MINUTES);
                assertTrue(reply.matches("(250|550|552|452) [245]\\.\\d\\.\\d .*"), "a proper reply: " + reply);
                codes.merge(reply.substring(0, 9), 1, Integer::sum);
            }
            System.out.println("[large messages at once] " + codes);
            assertTrue(s.process().isAlive(), "the server is still running");
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(s.base() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            // every session gave its memory back: one more message is handled, not told to wait
            String after = largeMessage(s.lmtp(), "after@example.org", 9_000, null);
            assertFalse(after.startsWith("452"), after);
        } finally {
            pool.shutdownNow();
            stop(s.process(), false);
        }
    }

    /**
     * @return the reply to a message of {@code lines} lines of 1,000 bytes, sent over LMTP to carol; with a barrier,
     *     the last 400 lines wait until every client has sent the rest
     */
    private static String largeMessage(int port, String from, int lines,
                                       java.util.concurrent.CyclicBarrier together) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(120_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.US_ASCII));
            java.io.OutputStream out = new java.io.BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            assertTrue(in.readLine().startsWith("220"));
            for (String command : List.of("LHLO test.example", "MAIL FROM:<" + from + ">",
                    "RCPT TO:<carol@example.com>", "DATA")) {
                out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String reply;
                do {
                    reply = in.readLine();
                } while (reply != null && reply.charAt(3) == '-');
                if (reply == null || reply.charAt(0) != (command.equals("DATA") ? '3' : '2')) {
                    return command + ": " + reply;
                }
            }
            out.write(("From: " + from + "\r\nTo: carol@example.com\r\nSubject: large\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] line = ("X".repeat(998) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; i < lines; i++) {
                if (i == lines - 400 && together != null) {
                    out.flush();
                    together.await(2, TimeUnit.MINUTES);
                }
                out.write(line);
            }
            out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return String.valueOf(in.readLine());
        }
    }

    @Test
    void demoUsersJoinTheConfiguredOnesAndServerBindKeepsHttpToOneAddress() throws Exception {
        Path config = data.resolve("users.yaml");
        Files.writeString(config, "server: {bind: 127.0.0.1}\nusers:\n  - name: erin\n    password: \""
                + dev.inboxguard.server.PasswordHash.of("erin-secret").encoded()
                + "\"\n    addresses: [mailto:erin@example.org]\n");
        // --demo adds alice, bob, carol and dave to erin, the test administrator
        Server demo = start("--demo", "--config", config.toString());
        try {
            assertEquals(207, send(demo, "PROPFIND", "/dav/", null, null, "erin:erin-secret").statusCode());
            assertEquals(207, send(demo, "PROPFIND", "/dav/", null, null, "carol:carol").statusCode());
            assertEquals(401, send(demo, "PROPFIND", "/dav/", null, null, "erin:erin").statusCode());
        } finally {
            stop(demo.process(), false);
        }
        // without --demo, server.bind decides where HTTP listens: here loopback only
        Server bound = start("--config", config.toString());
        try {
            assertEquals(207, send(bound, "PROPFIND", "/dav/", null, null, "erin:erin-secret").statusCode());
            assertEquals(401, send(bound, "PROPFIND", "/dav/", null, null, "carol:carol").statusCode());
            java.util.Optional<java.net.InetAddress> outside = java.util.Collections.list(
                    java.net.NetworkInterface.getNetworkInterfaces()).stream()
                    .flatMap(i -> java.util.Collections.list(i.getInetAddresses()).stream())
                    .filter(a -> a instanceof java.net.Inet4Address && !a.isLoopbackAddress()).findFirst();
            if (outside.isPresent()) {
                int port = Integer.parseInt(bound.base().substring(bound.base().lastIndexOf(':') + 1));
                try (java.net.Socket s = new java.net.Socket()) {
                    s.connect(new InetSocketAddress(outside.get(), port), 2000);
                    throw new AssertionError("HTTP answered on " + outside.get() + " despite server.bind");
                } catch (java.io.IOException expected) {
                    // refused: nothing listens there
                }
            }
        } finally {
            stop(bound.process(), false);
        }
    }

    @Test
    void aBusyLmtpPortIsOneLineNamingTheListenerAndTheSetting() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Run busy = run("serve", "--demo", "--http-port", "0", "--lmtp-port",
                    String.valueOf(taken.getLocalPort()), "--data", data.toString());
            assertEquals(2, busy.status(), busy.output());
            assertEquals("inboxguard: cannot listen for LMTP on 127.0.0.1:" + taken.getLocalPort()
                    + ": address in use (set mail.lmtp.port or --lmtp-port)", busy.output().strip());
        }
    }

    @Test
    void withInboxguardLogFormatJsonEachLogLineIsOneJsonObject() throws Exception {
        Path config = data.resolve("requests.yaml");
        Files.writeString(config, "server: {requestLog: true}\n");
        List<String> command = JarCommandLine.of(JAR, "256m", "serve", "--demo", "--http-port", "0",
                "--lmtp-port", "0", "--data", data.toString(), "--config", config.toString());
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
        b.environment().put("INBOXGUARD_LOG_FORMAT", "json");
        Process p = b.start();
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                // the process ended
            }
        });
        reader.start();
        try {
            int lmtp = -1;
            String http = null;
            while (lmtp < 0) {
                String line = lines.poll(60, TimeUnit.SECONDS);
                assertTrue(line != null, "serve announces its LMTP port");
                Matcher l = LMTP_ANNOUNCED.matcher(line);
                if (l.find()) {
                    lmtp = Integer.parseInt(l.group(1));
                }
                Matcher h = Pattern.compile("health at (http://127\\.0\\.0\\.1:[0-9]+/health)").matcher(line);
                if (h.find()) {
                    http = h.group(1);
                }
            }
            // server.requestLog: one line per HTTP request
            assertTrue(http != null, "the banner names /health");
            java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    http)).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
            com.fasterxml.jackson.databind.JsonNode request = null;
            while (request == null) {
                String line = lines.poll(30, TimeUnit.SECONDS);
                assertTrue(line != null, "a request log line");
                if (line.startsWith("{") && line.contains("dev.inboxguard.requests")) {
                    request = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
                }
            }
            assertTrue(request.get("formattedMessage").asText().contains("\"GET /health HTTP/1.1\" 200"),
                    request.toString());
            // a one-click link's token acts for its user: the log names the page, not the token
            String token = "YWxpY2UKMDAKYXBwcm92ZQox.c2lnbmF0dXJl";
            java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    http.replace("/health", "/guard/act/" + token))).build(),
                    java.net.http.HttpResponse.BodyHandlers.discarding());
            String act = null;
            while (act == null) {
                String line = lines.poll(30, TimeUnit.SECONDS);
                assertTrue(line != null, "a request log line for the link");
                if (line.startsWith("{") && line.contains("dev.inboxguard.requests")) {
                    String message = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line)
                            .get("formattedMessage").asText();
                    if (message.contains("/guard/act/")) {
                        act = message;
                    }
                }
            }
            assertTrue(act.contains("/guard/act/(token)") && !act.contains(token), act);
            // a forged invitation for carol: refused, and the verdict is logged
            String mail = "From: mallory@evil.example\r\nTo: carol@example.com\r\nSubject: x\r\nMessage-ID: <j1@x>\r\n"
                    + "MIME-Version: 1.0\r\nContent-Type: text/calendar; method=REQUEST\r\n\r\nnot a calendar\r\n";
            MailDialogue.deliver(lmtp, true, "mallory@evil.example", List.of("carol@example.com"), mail);
            com.fasterxml.jackson.databind.JsonNode verdict = null;
            while (verdict == null) {
                String line = lines.poll(30, TimeUnit.SECONDS);
                assertTrue(line != null, "a JSON verdict line");
                if (line.startsWith("{") && line.contains("dev.inboxguard.verdicts")) {
                    verdict = new com.fasterxml.jackson.databind.ObjectMapper().readTree(line);
                }
            }
            assertEquals("INFO", verdict.get("level").asText(), verdict.toString());
            String message = verdict.get("formattedMessage").asText();
            assertTrue(message.startsWith("verdict transport=imip sender=mailto:mallory@evil.example "
                    + "recipient=mailto:carol@example.com"), verdict.toString());
            assertTrue(message.contains("action=reject"), verdict.toString());
        } finally {
            stop(p, false);
            reader.join(10_000);
        }
    }

    @Test
    void anUnreachableDatabaseIsAClearStartupError() throws Exception {
        Path config = data.resolve("down.yaml");
        Files.writeString(config, "storage:\n  url: \"jdbc:postgresql://127.0.0.1:1/inboxguard?password=hunter2\"\n");
        Run down = run("serve", "--demo", "--http-port", "0", "--lmtp-port", "0", "--data", data.toString(),
                "--config", config.toString());
        String out = down.output();
        assertEquals(1, down.status(), out);
        assertTrue(out.contains("inboxguard: cannot open PostgreSQL at jdbc:postgresql://127.0.0.1:1/inboxguard"), out);
        assertFalse(out.contains("hunter2"), "no password in the message: " + out);
        assertFalse(out.contains("\tat "), "no stack trace: " + out);
    }

    @Test
    void withMigrateValidateTheOperatorRunsMigrationsFirst() throws Exception {
        GuardConfig.Storage pg = TestPostgres.freshDatabase();
        Path config = data.resolve("validate.yaml");
        Files.writeString(config, "storage:\n  url: \"" + pg.url() + "\"\n  user: " + pg.user()
                + "\n  migrate: validate\n");
        Run refused = run("serve", "--demo", "--http-port", "0", "--lmtp-port", "0", "--data", data.toString(),
                "--config", config.toString());
        assertEquals(1, refused.status(), refused.output());
        assertTrue(refused.output().contains("the database schema is not up to date"), refused.output());
        Run first = run("migrate", "--config", config.toString());
        assertEquals(0, first.status(), first.output());
        assertTrue(first.output().contains("14 migrations applied"), first.output());
        Run second = run("migrate", "--config", config.toString());
        assertTrue(second.output().contains("the schema is up to date"), second.output());
        Server s = start("--demo", "--config", config.toString());
        stop(s.process(), false);
    }

    private record Run(int status, String output) {
    }

    private static Run run(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin",
                "java").toString(), "-jar", JAR.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), out);
    }

    private void keepsAnAcknowledgedPutThroughKillDashNine(String... options) throws Exception {
        Server first = start(options);
        String ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:kept\r\n"
                + "DTSTAMP:20261121T080000Z\r\nDTSTART:20261201T090000Z\r\nSUMMARY:Survives\r\nEND:VEVENT\r\n"
                + "END:VCALENDAR\r\n";
        try {
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(first.base() + "/health")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode());
            HttpResponse<String> discovery = send(first, "PROPFIND", "/dav/", "<d:propfind xmlns:d=\"DAV:\">"
                    + "<d:prop><d:current-user-principal/></d:prop></d:propfind>", "application/xml");
            assertEquals(207, discovery.statusCode());
            assertTrue(discovery.body().contains("/dav/principals/carol/"), discovery.body());
            assertEquals(201, send(first, "MKCALENDAR", "/dav/calendars/carol/home/", null, null).statusCode());
            assertEquals(201, send(first, "PUT", "/dav/calendars/carol/home/kept.ics", ics, "text/calendar")
                    .statusCode());
            try (MailDialogue lmtp = new MailDialogue(first.lmtp())) {
                assertTrue(lmtp.greeting.startsWith("220 ") && lmtp.greeting.contains(" LMTP "), lmtp.greeting);
                assertTrue(lmtp.send("LHLO test").startsWith("250"));
                assertTrue(lmtp.send("MAIL FROM:<x@example.org>").startsWith("250"));
                assertTrue(lmtp.send("RCPT TO:<carol@example.com>").startsWith("250"), "demo users get mail");
            }
        } finally {
            stop(first.process(), true);
        }
        Server second = start(options);
        try {
            HttpResponse<String> got = send(second, "GET", "/dav/calendars/carol/home/kept.ics", null, null);
            assertEquals(200, got.statusCode());
            assertEquals(ics, got.body());
        } finally {
            stop(second.process(), false);
        }
    }

    @Test
    void usersComeFromTheConfiguration() throws Exception {
        // the hash is made by the documented tool, fed on standard input
        Process hasher = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", JAR.toString(), "dev.inboxguard.server.PasswordHash").start();
        hasher.getOutputStream().write("correct horse\n".getBytes(StandardCharsets.UTF_8));
        hasher.getOutputStream().close();
        assertTrue(hasher.waitFor(60, TimeUnit.SECONDS));
        String hash = new String(hasher.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(hash.startsWith("pbkdf2-sha256$600000$"), hash);
        Path config = data.resolve("config.yaml");
        Files.writeString(config, "users:\n  - name: erin\n    password: \"" + hash + "\"\n    displayName: Erin\n"
                + "    addresses: [mailto:erin@example.org, mailto:e.smith@example.org]\n");
        Server s = start("--config", config.toString());
        try {
            HttpResponse<String> principal = send(s, "PROPFIND", "/dav/principals/erin/", "<d:propfind xmlns:d=\"DAV:\" "
                    + "xmlns:c=\"urn:ietf:params:xml:ns:caldav\"><d:prop><c:calendar-user-address-set/></d:prop>"
                    + "</d:propfind>", "application/xml", "erin:correct horse");
            assertEquals(207, principal.statusCode(), principal.body());
            assertTrue(principal.body().contains("mailto:e.smith@example.org"), principal.body());
            assertEquals(401, send(s, "PROPFIND", "/dav/", null, null, "erin:wrong").statusCode());
            assertEquals(401, send(s, "PROPFIND", "/dav/", null, null, "alice:alice").statusCode(),
                    "no demo users without --demo");
        } finally {
            stop(s.process(), false);
        }
    }

    @Test
    void configurationMistakesAreOneLineNamingTheFileTheKeyAndTheLine() throws Exception {
        Path policy = data.resolve("policy.yaml");
        Files.writeString(policy, "policy:\n  rules:\n    - {code: malformed, action: explode}\n");
        Run bad = run("serve", "--demo", "--http-port", "0", "--lmtp-port", "-1", "--data", data.toString(),
                "--config", policy.toString());
        assertEquals(2, bad.status(), bad.output());
        assertEquals("inboxguard: " + policy + ": policy.rules[0]: action must be deliver, flag, hold or reject, got "
                + "explode\n", bad.output());

        Path tab = data.resolve("tab.yaml");
        Files.writeString(tab, "limits:\n  maxBytes: 1000\n\tmaxAttendees: 10\n");
        Run tabbed = run("config", "check", tab.toString());
        assertEquals(2, tabbed.status(), tabbed.output());
        assertTrue(tabbed.output().startsWith("inboxguard: " + tab + ": not valid YAML: line 3, column 1: "),
                tabbed.output());
        assertEquals(1, tabbed.output().lines().count(), tabbed.output());

        Path trust = data.resolve("trust.yaml");
        Files.writeString(trust, "mail: {relay: {host: smtp.example.org, trustCertificates: " + data.resolve("none.pem")
                + "}}\n");
        Run noFile = run("config", "check", trust.toString());
        assertEquals(2, noFile.status(), noFile.output());
        assertEquals("inboxguard: " + trust + ": mail.relay.trustCertificates: cannot read " + data.resolve("none.pem")
                + "\n", noFile.output());
    }

    @Test
    void configCheckPrintsTheEffectiveConfigurationWithSecretsMasked() throws Exception {
        Path config = data.resolve("good.yaml");
        Files.writeString(config, """
                mail:
                  relay: {host: smtp.example.org, username: guard, password: relay-secret-1}
                storage: {url: "jdbc:postgresql://db.example.org/ig?password=url-secret-2", password: db-secret-3}
                metrics: {access: token, token: metrics-secret-4}
                senders: {policy: known}
                """);
        Run ok = run("config", "check", config.toString());
        assertEquals(0, ok.status(), ok.output());
        assertTrue(ok.output().startsWith("# " + config + " is valid."), ok.output());
        for (String secret : List.of("relay-secret-1", "url-secret-2", "db-secret-3", "metrics-secret-4")) {
            assertFalse(ok.output().contains(secret), secret + " shown: " + ok.output());
        }
        // the defaults are filled in, and the file's own settings are in force
        assertTrue(ok.output().contains("  policy: known"), ok.output());
        assertTrue(ok.output().contains("    port: 587"), ok.output());
        assertTrue(ok.output().contains("  heldDays: 30"), ok.output());
    }

    /** docs/operations.md's walk-through: stop the server, copy its data directory, start from the copy. */
    @Test
    void aStoppedServersDataDirectoryIsABackupThatStartsAsItWas() throws Exception {
        String ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:backed-up\r\n"
                + "DTSTAMP:20261121T080000Z\r\nDTSTART:20261201T090000Z\r\nSUMMARY:Backed up\r\nEND:VEVENT\r\n"
                + "END:VCALENDAR\r\n";
        Server first = start();
        String etag;
        try {
            HttpResponse<String> put = send(first, "PUT", "/dav/calendars/carol/calendar/b.ics", ics, "text/calendar");
            assertEquals(201, put.statusCode(), put.body());
            etag = put.headers().firstValue("ETag").orElseThrow();
        } finally {
            stop(first.process(), false);
        }
        Path backup = data.resolveSibling(data.getFileName() + "-backup");
        try (var files = Files.walk(data)) {
            for (Path f : files.toList()) {
                Files.copy(f, backup.resolve(data.relativize(f).toString()),
                        java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        Server restored = startOn(backup, "--demo");
        try {
            HttpResponse<String> got = send(restored, "GET", "/dav/calendars/carol/calendar/b.ics", null, null);
            assertEquals(200, got.statusCode());
            assertEquals(ics, got.body());
            assertEquals(etag, got.headers().firstValue("ETag").orElseThrow());
        } finally {
            stop(restored.process(), false);
            try (var files = Files.walk(backup)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    @Test
    void aBrokenUserEntryIsAUsageError() throws Exception {
        Path config = data.resolve("bad.yaml");
        Files.writeString(config, "users:\n  - name: erin\n    password: secret\n    addresses: [mailto:e@example.org]\n");
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "serve", "--http-port", "0", "--data", data.toString(), "--config",
                config.toString())).redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("erin") && out.contains("pbkdf2-sha256"), out);
    }

    @Test
    void withoutDemoItSaysWhatIsMissing() throws Exception {
        Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "serve", "--http-port", "0", "--data", data.toString()))
                .redirectErrorStream(true).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(2, p.exitValue(), out);
        assertTrue(out.contains("--demo"), out);
    }
}
