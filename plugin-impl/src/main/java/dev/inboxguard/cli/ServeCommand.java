package dev.inboxguard.cli;

import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.server.InboxGuardServer;
import dev.inboxguard.storage.Database;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code inboxguard serve}: the CalDAV server. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Runs the CalDAV server and the iMIP gateway. Clients discover everything from "
                + "http://HOST:PORT/.well-known/caldav; the MTA delivers iMIP to the LMTP port.",
                "Users come from the configuration's users: section. --demo instead creates alice, bob, carol and "
                        + "dave (NAME@example.com, password = the user name) and listens on loopback only."})
final class ServeCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "the configuration (YAML)")
    Path config;

    @Option(names = "--http-port", paramLabel = "N", defaultValue = "8080",
            description = "the HTTP port; 0 picks a free one (default: ${DEFAULT-VALUE})")
    int httpPort;

    @Option(names = "--lmtp-port", paramLabel = "N",
            description = "the LMTP port for incoming iMIP; 0 picks a free one, -1 turns it off "
                    + "(default: the configuration's mail.lmtp.port, 2424)")
    Integer lmtpPort;

    @Option(names = "--demo", description = "demo users besides the configured ones, loopback only")
    boolean demo;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "inboxguard-data",
            description = "where the embedded store keeps its file (default: ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--exit-when-ready", description = "with --demo: start, answer what a first client asks, and "
            + "exit; the launcher's class-data command trains the server's class-data archive on it")
    boolean exitWhenReady;

    @Override
    public Integer call() throws Exception {
        GuardConfig cfg = ConfigSource.read(config);
        if (exitWhenReady && !demo) {
            throw new UsageException("--exit-when-ready needs --demo: it signs in as a demo user");
        }
        if (httpPort < 0 || httpPort > 65_535) {
            throw new UsageException("--http-port must be 0 to 65535");
        }
        Accounts accounts;
        String host;
        try {
            accounts = demo ? Accounts.withDemoUsers(cfg.users(), Clock.systemUTC())
                    : Accounts.of(cfg.users(), Clock.systemUTC());
        } catch (IllegalArgumentException e) {
            throw new UsageException("--config: " + e.getMessage());
        }
        if (demo) {
            host = "127.0.0.1"; // the demo passwords are public: never reachable from other machines
        } else {
            if (cfg.users().isEmpty()) {
                throw new UsageException("serve needs users: list them in the configuration's users: section "
                        + "(--config), or run with --demo");
            }
            host = cfg.server().bind();
        }
        try {
            Files.createDirectories(data);
        } catch (IOException e) {
            throw new UsageException("--data " + data + ": cannot create the directory (" + e.getMessage() + ")");
        }
        if (lmtpPort != null) {
            if (lmtpPort < -1 || lmtpPort > 65_535) {
                throw new UsageException("--lmtp-port must be -1 (off), 0 (any) or 1 to 65535");
            }
            cfg = cfg.withMail(cfg.mail().withLmtpPort(lmtpPort));
        }
        if (demo) {
            cfg = cfg.withMail(cfg.mail().onLoopback());
        }
        GuardConfig running = cfg;
        Database store = Database.open(running.storage(), data);
        InboxGuardServer server;
        try {
            server = InboxGuardServer.start(new InetSocketAddress(host, httpPort), running, accounts, store,
                    Clock.systemUTC());
        } catch (Exception e) {
            store.close();
            throw e;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                // the JVM is exiting; nothing is left to tell
            } finally {
                store.close();
            }
        }, "shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        // 0.0.0.0 is where it listens, not an address to type: this machine answers as localhost too
        String shown = host.equals("0.0.0.0") || host.equals("::") ? "localhost" : host;
        String url = "http://" + (shown.contains(":") ? "[" + shown + "]" : shown) + ":" + server.httpPort();
        out.println("inboxguard: CalDAV at " + url + "/.well-known/caldav"
                + (demo ? " (demo users alice, bob, carol, dave" + (cfg.users().isEmpty() ? ""
                : ", and " + cfg.users().size() + " configured") + ")"
                : " (" + (host.equals("0.0.0.0") ? "all interfaces" : host) + ", " + accounts.all().size()
                + (accounts.all().size() == 1 ? " user)" : " users)")));
        out.println("inboxguard: approval page at " + url + "/guard/" + (demo ? " (sign in as alice, password alice)"
                : ""));
        out.println("inboxguard: health at " + url + "/health, metrics at " + url + "/metrics ("
                + switch (running.metrics().access()) {
                    case "token" -> "with the bearer token";
                    case "open" -> "open to all";
                    default -> "from this machine only";
                } + ")");
        server.lmtpPort().ifPresent(p -> out.println("inboxguard: LMTP at " + running.mail().lmtp().bind() + ":" + p));
        server.smtpPort().ifPresent(p -> out.println("inboxguard: SMTP at " + running.mail().smtp().bind() + ":" + p));
        out.println("inboxguard: data in " + store.description() + (store.migrationsApplied() > 0
                ? " (" + store.migrationsApplied() + " schema migrations applied)" : ""));
        out.println("inboxguard: outgoing iMIP " + (running.mail().relay().configured()
                ? "through " + running.mail().relay().host() + ":" + running.mail().relay().port()
                : "recorded only (no mail.relay.host)"));
        out.flush();
        if (exitWhenReady) {
            exercise(server.httpPort());
            return 0;
        }
        server.join();
        return 0;
    }

    /**
     * What a first client does, for the class-data archive: the health check, discovery, a listing, a PUT, a
     * calendar-query. With --demo only; the JVM exits afterwards, and the shutdown hook stops the server.
     */
    private static void exercise(int port) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder()
                .connectTimeout(java.time.Duration.ofSeconds(10)).build();
        String base = "http://127.0.0.1:" + port;
        String auth = "Basic " + java.util.Base64.getEncoder().encodeToString("alice:alice".getBytes(
                java.nio.charset.StandardCharsets.UTF_8));
        String ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//inboxguard//warm-up//EN\r\nBEGIN:VEVENT\r\n"
                + "UID:warm-up\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20260101T090000Z\r\nDURATION:PT1H\r\n"
                + "SUMMARY:Warm-up\r\nATTENDEE:mailto:bob@example.com\r\nORGANIZER:mailto:alice@example.com\r\n"
                + "END:VEVENT\r\nEND:VCALENDAR\r\n";
        String[][] requests = {
            {"GET", "/health", null},
            {"PROPFIND", "/dav/", "<D:propfind xmlns:D=\"DAV:\"><D:prop><D:current-user-principal/></D:prop>"
                    + "</D:propfind>"},
            {"PUT", "/dav/calendars/alice/calendar/warm-up.ics", ics},
            {"PROPFIND", "/dav/calendars/alice/calendar/", "<D:propfind xmlns:D=\"DAV:\"><D:prop><D:getetag/>"
                    + "</D:prop></D:propfind>"},
            {"REPORT", "/dav/calendars/alice/calendar/", "<C:calendar-query xmlns:D=\"DAV:\" "
                    + "xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:prop><D:getetag/><C:calendar-data/></D:prop>"
                    + "<C:filter><C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\"><C:time-range "
                    + "start=\"20260101T000000Z\" end=\"20260102T000000Z\"/></C:comp-filter></C:comp-filter>"
                    + "</C:filter></C:calendar-query>"},
            {"GET", "/guard/api/inbox", null},
        };
        for (String[] r : requests) {
            java.net.http.HttpRequest.Builder b = java.net.http.HttpRequest.newBuilder(java.net.URI.create(base
                    + r[1])).timeout(java.time.Duration.ofSeconds(30)).header("Authorization", auth)
                    .header("Depth", "1").method(r[0], r[2] == null
                    ? java.net.http.HttpRequest.BodyPublishers.noBody()
                    : java.net.http.HttpRequest.BodyPublishers.ofString(r[2]));
            if (r[2] != null) {
                b.header("Content-Type", r[0].equals("PUT") ? "text/calendar" : "application/xml");
            }
            http.send(b.build(), java.net.http.HttpResponse.BodyHandlers.discarding());
        }
    }
}
