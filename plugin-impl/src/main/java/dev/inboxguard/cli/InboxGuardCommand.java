package dev.inboxguard.cli;

import dev.inboxguard.config.ConfigException;
import dev.inboxguard.storage.StoreFailure;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code inboxguard} command: {@code java -jar inboxguard.jar COMMAND ...}. */
@Command(name = "inboxguard", mixinStandardHelpOptions = true, versionProvider = InboxGuardCommand.Version.class,
        description = "A guard for CalDAV scheduling inboxes: checks iTIP and iMIP messages before delivery.")
public final class InboxGuardCommand implements Runnable {
    /**
     * The commands, in the order {@code --help} lists them. picocli reads every option of every command it is given
     * by reflection; a {@code check} per message need not pay for {@code serve} and the rest.
     */
    private static final Map<String, Supplier<Object>> COMMANDS = new LinkedHashMap<>();

    static {
        COMMANDS.put("check", CheckCommand::new);
        COMMANDS.put("route", RouteCommand::new);
        COMMANDS.put("serve", ServeCommand::new);
        COMMANDS.put("ingest", IngestCommand::new);
        COMMANDS.put("migrate", MigrateCommand::new);
        COMMANDS.put("config", ConfigCommand::new);
    }

    /** Exit status for a usage error or an unreadable file (CONTRACT.md). */
    static final int USAGE = 2;
    /** Held here: java.util.logging keeps loggers only weakly, and a collected one forgets its level. */
    private static final java.util.logging.Logger GUICE_LOG = java.util.logging.Logger.getLogger("com.google.inject");

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required: serve, check, route, ingest, migrate or config");
    }

    /**
     * @param args the command line
     */
    public static void main(String[] args) {
        // Guice reports a failed provision on java.util.logging with its stack trace; the one-line error below says it
        GUICE_LOG.setLevel(java.util.logging.Level.WARNING);
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Runs a command line with the given output streams, as {@code main} does; for tests.
     *
     * @param args the command line
     * @param out  standard output
     * @param err  standard error
     * @return the exit status
     */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new InboxGuardCommand());
        Supplier<Object> named = args.length > 0 ? COMMANDS.get(args[0]) : null;
        if (named != null) {
            cli.addSubcommand(named.get());
        } else {
            // help, a version, a mistake: every command, so that help lists them and a typo gets suggestions
            COMMANDS.values().forEach(command -> cli.addSubcommand(command.get()));
        }
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("inboxguard: " + oneLine(e.getMessage()) + " (see --help)");
            return usageStatus(e.getCommandLine());
        });
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof UsageException || t instanceof ConfigException) {
                    err.println("inboxguard: " + oneLine(t.getMessage()));
                    return usageStatus(commandLine);
                }
                if (t instanceof StoreFailure) {
                    // the database is down or out of date: the operator's problem, said plainly
                    err.println("inboxguard: " + oneLine(t.getMessage()));
                    return usageStatus(commandLine) == USAGE ? 1 : IngestCommand.TEMPORARY;
                }
            }
            err.println("inboxguard: internal error: " + oneLine(String.valueOf(e)));
            return usageStatus(commandLine) == USAGE ? 1 : IngestCommand.TEMPORARY;
        });
        return cli.execute(args);
    }

    /** A misconfigured {@code ingest} asks its MTA to keep the message (75), rather than bounce it. */
    private static int usageStatus(CommandLine command) {
        return command != null && command.getCommandName().equals("ingest") ? IngestCommand.TEMPORARY : USAGE;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = InboxGuardCommand.class.getPackage().getImplementationVersion();
            return new String[] {"inboxguard " + (v == null ? "(development build)" : v)};
        }
    }
}
