package dev.inboxguard.cli;

import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.scheduling.RecordingOutbound;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.server.CaldavServer;
import dev.inboxguard.storage.CalendarStore;
import dev.inboxguard.storage.H2CalendarStore;
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
        description = {"Runs the CalDAV server. Clients discover everything from http://HOST:PORT/.well-known/caldav.",
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

    @Option(names = "--demo", description = "demo users, loopback only")
    boolean demo;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "inboxguard-data",
            description = "where the embedded store keeps its file (default: ${DEFAULT-VALUE})")
    Path data;

    @Override
    public Integer call() throws Exception {
        GuardConfig cfg = config == null ? ConfigFile.defaults() : ConfigFile.load(config);
        if (httpPort < 0 || httpPort > 65_535) {
            throw new UsageException("--http-port must be 0 to 65535");
        }
        Accounts accounts;
        String host;
        if (demo) {
            accounts = Accounts.demo(Clock.systemUTC());
            host = "127.0.0.1"; // the demo passwords are public: never reachable from other machines
        } else {
            if (cfg.users().isEmpty()) {
                throw new UsageException("serve needs users: list them in the configuration's users: section "
                        + "(--config), or run with --demo");
            }
            try {
                accounts = Accounts.of(cfg.users(), Clock.systemUTC());
            } catch (IllegalArgumentException e) {
                throw new UsageException("--config: " + e.getMessage());
            }
            host = "0.0.0.0";
        }
        try {
            Files.createDirectories(data);
        } catch (IOException e) {
            throw new UsageException("--data " + data + ": cannot create the directory (" + e.getMessage() + ")");
        }
        H2CalendarStore store = H2CalendarStore.open(data);
        CaldavServer server = new CaldavServer(new InetSocketAddress(host, httpPort), accounts, cfg, store,
                store.scheduling(), new RecordingOutbound(), Clock.systemUTC());
        server.start();
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
        out.println("inboxguard: CalDAV at http://" + host + ":" + server.port() + "/.well-known/caldav"
                + (demo ? " (demo users alice, bob, carol, dave)"
                : " (all interfaces, " + accounts.all().size() + " users)"));
        out.flush();
        server.join();
        return 0;
    }
}
