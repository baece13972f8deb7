package dev.inboxguard.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;
import org.slf4j.Logger;

/**
 * Where the process logs, set in code rather than a {@code logback.xml}: reading the XML loaded some 550 classes, a
 * tenth of a {@code check}'s start-up. Logs go to stderr, because stdout carries command output (the JSON verdict);
 * {@code INBOXGUARD_LOG_FORMAT=json} in the environment writes one JSON object a line instead, with Logback's own
 * encoder. An operator who passes {@code -Dlogback.configurationFile} gets that file instead.
 */
public final class ConsoleLogging extends ContextAwareBase implements Configurator {
    /** Quieter or louder than the root's WARN; why each, beside it. */
    private static final Map<String, Level> LEVELS = Map.of(
            // ical4j and mime4j log every oddity of hostile input; the guard reports those as findings instead
            "net.fortuna.ical4j", Level.ERROR,
            "org.apache.james.mime4j", Level.ERROR,
            // one line per verdict carried out by the server: transport, sender, recipient, method, UID, action, codes
            "dev.inboxguard.verdicts", Level.INFO,
            // one line per HTTP request, only with server.requestLog: true
            "dev.inboxguard.requests", Level.INFO,
            // what the hourly retention sweep expired and removed, when it did anything
            "dev.inboxguard.scheduling.Retention", Level.INFO);

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("console");
        console.setTarget("System.err");
        console.setEncoder("json".equals(System.getenv("INBOXGUARD_LOG_FORMAT")) ? json(context) : text(context));
        console.start();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.WARN);
        root.addAppender(console);
        LEVELS.forEach((name, level) -> context.getLogger(name).setLevel(level));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    private static Encoder<ILoggingEvent> text(LoggerContext context) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n");
        encoder.start();
        return encoder;
    }

    private static Encoder<ILoggingEvent> json(LoggerContext context) {
        JsonEncoder encoder = new JsonEncoder();
        encoder.setContext(context);
        // a line an event, with the message formatted once; the raw template and arguments would only repeat it
        encoder.setWithContext(false);
        encoder.setWithSequenceNumber(false);
        encoder.setWithNanoseconds(false);
        encoder.setWithArguments(false);
        encoder.setWithMessage(false);
        encoder.setWithFormattedMessage(true);
        encoder.start();
        return encoder;
    }
}
