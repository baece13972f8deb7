package dev.inboxguard.imip;

import dev.inboxguard.config.ConfigException;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import jakarta.mail.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import java.io.ByteArrayInputStream;
import java.util.Properties;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;

/**
 * The SMTP relay (smarthost) that outgoing iMIP is handed to, with Angus Mail: STARTTLS required unless the operator
 * chose implicit TLS or none, the server's certificate and name checked, SMTP AUTH when a user is set, and every
 * network step under the timeout.
 */
public final class MailRelay {

    /** What the relay made of one message. */
    public enum Outcome {
        /** Accepted. */
        SENT,
        /** Worth trying again later: a 4xx reply, a connection failure, a timeout. */
        RETRY,
        /** Refused for good: a 5xx reply. */
        FAILED
    }

    /**
     * @param outcome what happened
     * @param detail  the relay's reply or the failure, for the queue and the audit trail
     */
    public record Attempt(Outcome outcome, String detail) {
    }

    private final GuardConfig.Relay settings;
    private final String password;
    private final Session session;

    /**
     * @param settings the relay settings; the password file is read now
     * @throws ConfigException if the password file cannot be read
     */
    public MailRelay(GuardConfig.Relay settings) {
        this(settings, "");
    }

    /**
     * @param settings the relay settings; the password file is read now
     * @param hostname the name to greet the relay with in EHLO ({@code mail.hostname}); empty for Angus Mail's own
     *                 guess, which is often {@code localhost} and makes strict relays refuse us
     * @throws ConfigException if the password file cannot be read
     */
    public MailRelay(GuardConfig.Relay settings, String hostname) {
        this.settings = settings;
        this.password = password(settings);
        Properties p = new Properties();
        String proto = settings.tls().equals("tls") ? "smtps" : "smtp";
        String ms = Long.toString(settings.timeoutSeconds() * 1000L);
        p.put("mail." + proto + ".host", settings.host());
        p.put("mail." + proto + ".port", Integer.toString(settings.port()));
        p.put("mail." + proto + ".connectiontimeout", ms);
        p.put("mail." + proto + ".timeout", ms);
        p.put("mail." + proto + ".writetimeout", ms);
        p.put("mail." + proto + ".auth", Boolean.toString(!settings.username().isEmpty()));
        p.put("mail." + proto + ".ssl.checkserveridentity", "true");
        if (!hostname.isEmpty()) {
            p.put("mail." + proto + ".localhost", hostname);
        }
        if (settings.tls().equals("starttls")) {
            p.put("mail.smtp.starttls.enable", "true");
            p.put("mail.smtp.starttls.required", "true");
        }
        if (settings.tls().equals("tls")) {
            p.put("mail.smtps.ssl.enable", "true");
        }
        this.session = Session.getInstance(p);
    }

    private static String password(GuardConfig.Relay settings) {
        return ConfigFile.secret("mail.relay.passwordFile", settings.password(), settings.passwordFile());
    }

    /** A connection to the relay, for a batch of messages. */
    public final class Connection implements AutoCloseable {
        private Transport transport;

        private Connection(Transport transport) {
            this.transport = transport;
        }

        /**
         * @param envelopeFrom MAIL FROM
         * @param envelopeTo   RCPT TO
         * @param message      the whole message
         * @return what the relay made of it
         */
        public Attempt send(String envelopeFrom, String envelopeTo, byte[] message) {
            try {
                if (!transport.isConnected()) {
                    // the relay closed the connection (a timeout, a 421): the rest of the batch needs a new one
                    transport.close();
                    transport = open();
                }
                SMTPMessage m = new SMTPMessage(session, new ByteArrayInputStream(message));
                m.setEnvelopeFrom(envelopeFrom);
                transport.sendMessage(m, new Address[] {new InternetAddress(envelopeTo, true)});
                return new Attempt(Outcome.SENT, "accepted");
            } catch (SMTPAddressFailedException e) {
                return classify(e.getReturnCode(), e);
            } catch (SMTPSendFailedException e) {
                return classify(e.getReturnCode(), e);
            } catch (SendFailedException e) {
                // an address refused without a code of its own: look for the per-address exception inside
                for (Exception next = e.getNextException(); next != null;
                     next = next instanceof MessagingException me ? me.getNextException() : null) {
                    if (next instanceof SMTPAddressFailedException af) {
                        return classify(af.getReturnCode(), af);
                    }
                }
                return new Attempt(Outcome.RETRY, describe(e));
            } catch (MessagingException | RuntimeException e) {
                return new Attempt(Outcome.RETRY, describe(e));
            }
        }

        @Override
        public void close() {
            try {
                transport.close();
            } catch (MessagingException e) {
                // the messages are settled; a failed QUIT changes nothing
            }
        }
    }

    /**
     * @return a connection, authenticated if a user is set
     * @throws MessagingException if the relay cannot be reached, TLS fails or authentication is refused
     */
    public Connection connect() throws MessagingException {
        return new Connection(open());
    }

    private Transport open() throws MessagingException {
        Transport t = session.getTransport(settings.tls().equals("tls") ? "smtps" : "smtp");
        if (settings.username().isEmpty()) {
            t.connect();
        } else {
            t.connect(settings.host(), settings.port(), settings.username(), password);
        }
        return t;
    }

    /** @return a short description of a failure to connect, for the queue */
    public static String describe(Throwable e) {
        String kind = e instanceof AuthenticationFailedException ? "authentication refused" : e.getClass()
                .getSimpleName();
        String message = e.getMessage() == null ? "" : e.getMessage().replaceAll("\\s+", " ").strip();
        Throwable cause = e.getCause();
        if (cause != null && cause.getMessage() != null) {
            message = message + " (" + cause.getMessage().replaceAll("\\s+", " ").strip() + ")";
        }
        return kind + ": " + message;
    }

    private static Attempt classify(int code, MessagingException e) {
        return new Attempt(code >= 500 ? Outcome.FAILED : Outcome.RETRY, code + " " + describe(e));
    }
}
