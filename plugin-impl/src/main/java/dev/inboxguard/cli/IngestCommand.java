package dev.inboxguard.cli;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.ical.BoundedInput;
import dev.inboxguard.imip.LmtpClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code inboxguard ingest}: one e-mail from standard input, handed to the running server's LMTP listener, for
 * MTAs that deliver through a pipe. Exit status follows sysexits.h, which Postfix's pipe and Exim's pipe transport
 * understand: 0 delivered; 75 try again later (the server is down, busy or rate-limiting, or this command is
 * misconfigured: the MTA keeps the message); 67 no such user; 65 the message is not iMIP or too large; 77 refused.
 */
@Command(name = "ingest", mixinStandardHelpOptions = true,
        description = {"Delivers one e-mail from standard input through the running server's LMTP listener, for "
                + "MTAs that deliver through a pipe (Postfix: pipe(8) with argv=inboxguard ingest --sender "
                + "$${sender} --recipient $${recipient}).",
                "Exit status (sysexits.h): 0 delivered, 75 try later, 67 unknown user, 65 not iMIP or too large, "
                        + "77 refused."})
final class IngestCommand implements Callable<Integer> {
    static final int OK = 0;
    static final int DATA_ERROR = 65;
    static final int NO_USER = 67;
    static final int TEMPORARY = 75;
    static final int NO_PERMISSION = 77;

    @Spec
    CommandSpec spec;

    @Option(names = "--recipient", paramLabel = "ADDR", required = true,
            description = "an envelope recipient (repeatable)")
    List<String> recipients = new ArrayList<>();

    @Option(names = "--sender", paramLabel = "ADDR", defaultValue = "",
            description = "the envelope sender; empty for the null sender")
    String sender;

    @Option(names = "--lmtp", paramLabel = "HOST:PORT",
            description = "the server's LMTP listener (default: the configuration's mail.lmtp, 127.0.0.1:2424)")
    String lmtp;

    @Option(names = "--config", paramLabel = "FILE", description = "the configuration the server runs with")
    Path config;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "300",
            description = "how long to wait for each reply (default: ${DEFAULT-VALUE})")
    int timeoutSeconds;

    @Override
    public Integer call() throws IOException {
        GuardConfig cfg = ConfigSource.read(config);
        InetSocketAddress server = lmtp == null ? listener(cfg.mail().lmtp()) : parse(lmtp);
        String from = address("--sender", sender, true);
        List<String> to = new ArrayList<>();
        for (String r : recipients) {
            to.add(address("--recipient", r, false));
        }
        Optional<byte[]> message = BoundedInput.read(System.in, cfg.limits().maxMessageBytes());
        PrintWriter err = spec.commandLine().getErr();
        if (message.isEmpty()) {
            err.println("inboxguard ingest: the message is larger than " + cfg.limits().maxMessageBytes() + " bytes");
            return DATA_ERROR;
        }
        Map<String, String> replies;
        try {
            replies = new LmtpClient(server, Duration.ofSeconds(timeoutSeconds)).deliver(from, to, message.get());
        } catch (LmtpClient.Refused e) {
            err.println("inboxguard ingest: the server refused the message: " + e.reply());
            return status(e.reply());
        } catch (IOException e) {
            err.println("inboxguard ingest: cannot deliver through the LMTP listener at " + server.getHostString() + ":"
                    + server.getPort() + " (" + e.getMessage() + "); is `inboxguard serve` running?");
            return TEMPORARY;
        }
        int worst = OK;
        PrintWriter out = spec.commandLine().getOut();
        for (Map.Entry<String, String> e : replies.entrySet()) {
            out.println(e.getKey() + ": " + e.getValue());
            worst = worse(worst, status(e.getValue()));
        }
        out.flush();
        return worst;
    }

    /** Temporary beats permanent: the MTA then retries, and the server's receipts keep what was delivered once. */
    private static int worse(int a, int b) {
        if (a == TEMPORARY || b == TEMPORARY) {
            return TEMPORARY;
        }
        return a != OK ? a : b;
    }

    private static int status(String reply) {
        if (reply.startsWith("2")) {
            return OK;
        }
        if (reply.startsWith("4")) {
            return TEMPORARY;
        }
        String enhanced = reply.length() > 4 ? reply.substring(4).split(" ", 2)[0] : "";
        if (enhanced.startsWith("5.1.1")) {
            return NO_USER;
        }
        return enhanced.startsWith("5.6") || enhanced.startsWith("5.3.4") ? DATA_ERROR : NO_PERMISSION;
    }

    private static InetSocketAddress listener(GuardConfig.Listener l) {
        if (!l.enabled()) {
            throw new UsageException("the configuration turns the LMTP listener off (mail.lmtp.port: -1); "
                    + "give --lmtp HOST:PORT");
        }
        String host = l.bind().equals("0.0.0.0") || l.bind().equals("::") ? "127.0.0.1" : l.bind();
        return new InetSocketAddress(host, l.port());
    }

    private static InetSocketAddress parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        try {
            int port = Integer.parseInt(hostPort.substring(colon + 1));
            if (colon < 1 || port < 1 || port > 65_535) {
                throw new NumberFormatException();
            }
            return new InetSocketAddress(hostPort.substring(0, colon), port);
        } catch (NumberFormatException e) {
            throw new UsageException("--lmtp: expected HOST:PORT, got " + hostPort);
        }
    }

    private static String address(String option, String value, boolean mayBeEmpty) {
        if (value.isEmpty() && mayBeEmpty) {
            return "";
        }
        String v = value.startsWith("<") && value.endsWith(">") ? value.substring(1, value.length() - 1) : value;
        Optional<String> email = CalendarUserAddress.parse(v).flatMap(CalendarUserAddress::email);
        if (email.isEmpty() || email.get().chars().anyMatch(c -> c < 0x21 || c == 0x7f || c == '<' || c == '>')) {
            throw new UsageException(option + ": not an e-mail address: " + value);
        }
        return email.get();
    }
}
