package dev.inboxguard.cli;

import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.server.CaldavServer;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
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
                "--demo creates the users alice, bob, carol and dave (NAME@example.com, password = the user name) "
                        + "and listens on loopback only."})
final class ServeCommand implements Callable<Integer> {
    // a calendar object is capped by limits.max-bytes; WebDAV request bodies are small, so 1 MiB leaves room
    private static final long MIN_BODY = 1024 * 1024;

    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", description = "the configuration (YAML)")
    Path config;

    @Option(names = "--http-port", paramLabel = "N", defaultValue = "8080",
            description = "the HTTP port; 0 picks a free one (default: ${DEFAULT-VALUE})")
    int httpPort;

    @Option(names = "--demo", description = "demo users, loopback only")
    boolean demo;

    @Override
    public Integer call() throws Exception {
        GuardConfig cfg = config == null ? ConfigFile.defaults() : ConfigFile.load(config);
        if (httpPort < 0 || httpPort > 65_535) {
            throw new UsageException("--http-port must be 0 to 65535");
        }
        if (!demo) {
            // accounts from the configuration come with the storage work of this issue; until then only the
            // demo users exist, and they must never be reachable from other machines
            throw new UsageException("serve needs --demo: user accounts cannot be configured yet");
        }
        Accounts accounts = Accounts.demo(Clock.systemUTC());
        CaldavServer server = new CaldavServer(new InetSocketAddress("127.0.0.1", httpPort), accounts,
                Math.max(MIN_BODY, cfg.limits().maxBytes()));
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.close();
            } catch (Exception e) {
                // the JVM is exiting; nothing is left to tell
            }
        }, "shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        out.println("inboxguard: CalDAV at http://127.0.0.1:" + server.port() + "/.well-known/caldav"
                + " (demo users alice, bob, carol, dave)");
        out.flush();
        server.join();
        return 0;
    }
}
