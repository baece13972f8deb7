package dev.inboxguard.imip;

import dev.inboxguard.config.ConfigException;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.server.StopDeadline;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Semaphore;

/**
 * The mail listeners of one server, LMTP and SMTP as configured. Each has its own connection limit, so that a
 * crowd on the public SMTP port cannot turn the MTA's LMTP sessions away.
 */
public final class ImipListeners implements AutoCloseable {
    private final Optional<MailListener> lmtp;
    private final Optional<MailListener> smtp;

    private ImipListeners(Optional<MailListener> lmtp, Optional<MailListener> smtp) {
        this.lmtp = lmtp;
        this.smtp = smtp;
    }

    /**
     * Binds the listeners the configuration turns on.
     *
     * @param config  the configuration
     * @param gateway where messages go
     * @return the listeners
     * @throws IOException if a port cannot be bound (the other listener is closed again)
     */
    public static ImipListeners start(GuardConfig config, ImipGateway gateway) throws IOException {
        GuardConfig.Mail mail = config.mail();
        String host = hostname(mail);
        Duration idle = Duration.ofSeconds(mail.idleTimeoutSeconds());
        int max = config.limits().maxMessageBytes();
        MessageMemory memory = MessageMemory.forMessagesOf(max); // one budget for the messages of both listeners
        MailListener lmtp = null;
        try {
            if (mail.lmtp().enabled()) {
                lmtp = listen("LMTP", "mail.lmtp.port or --lmtp-port", mail.lmtp(), () -> new MailListener(
                        new InetSocketAddress(mail.lmtp().bind(), mail.lmtp().port()),
                        new MailListener.Settings(MailListener.Protocol.LMTP, host, max, idle), gateway,
                        new Semaphore(mail.maxConnections()), memory));
            }
            MailListener smtp = null;
            if (mail.smtp().enabled()) {
                smtp = listen("SMTP", "mail.smtp.port", mail.smtp(), () -> new MailListener(
                        new InetSocketAddress(mail.smtp().bind(), mail.smtp().port()),
                        new MailListener.Settings(MailListener.Protocol.SMTP, host, max, idle), gateway,
                        new Semaphore(mail.maxConnections()), memory));
            }
            return new ImipListeners(Optional.ofNullable(lmtp), Optional.ofNullable(smtp));
        } catch (IOException | RuntimeException e) {
            if (lmtp != null) {
                lmtp.close();
            }
            throw e;
        }
    }

    /** Opens a listener, or says in one line which one could not listen where, and what to change. */
    private interface Opening {
        MailListener open() throws IOException;
    }

    private static MailListener listen(String what, String setting, GuardConfig.Listener at, Opening opening)
            throws IOException {
        try {
            return opening.open();
        } catch (java.net.BindException e) {
            throw new ConfigException("cannot listen for " + what + " on " + at.bind() + ":" + at.port() + ": "
                    + (String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("in use")
                    ? "address in use" : "address not available here") + " (set " + setting + ")");
        }
    }

    /**
     * @param mail the mail settings
     * @return the configured host name, else this machine's, else {@code localhost}
     */
    public static String hostname(GuardConfig.Mail mail) {
        return mail.hostname().isEmpty() ? machineName() : mail.hostname();
    }

    /** @return this machine's name if it is a plain host name, else {@code localhost} */
    static String machineName() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            return name.matches("[A-Za-z0-9.-]{1,253}") ? name : "localhost";
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** @return the LMTP port, if listening */
    public Optional<Integer> lmtpPort() {
        return lmtp.map(MailListener::port);
    }

    /** @return the SMTP port, if listening */
    public Optional<Integer> smtpPort() {
        return smtp.map(MailListener::port);
    }

    @Override
    public void close() {
        close(StopDeadline.NONE);
    }

    /**
     * Closes both listeners together, waiting at most until the deadline: both stop accepting first, then the
     * sessions of both get one common wait, so that one listener's sessions do not hold the other's open.
     *
     * @param deadline the whole stop's deadline
     */
    public void close(StopDeadline deadline) {
        List<MailListener> both = new ArrayList<>();
        lmtp.ifPresent(both::add);
        smtp.ifPresent(both::add);
        both.forEach(MailListener::stopAccepting);
        both.forEach(l -> l.closeConnections(deadline));
        StopDeadline sessionsEnd = StopDeadline.in(deadline.within(MailListener.SESSIONS_FINISH));
        both.forEach(l -> l.awaitSessions(sessionsEnd));
    }
}
