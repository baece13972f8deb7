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
     * @param detail     the relay's reply or the failure, for the queue and the audit trail
     * @param badAddress the relay refused the recipient's address for good (551, 553, or an enhanced status 5.1.x:
     *                   no such mailbox, no such domain, bad syntax), which the sender's copy shows as 3.7
     */
    public record Attempt(Outcome outcome, String detail, boolean badAddress) {
        /** An attempt that says nothing about the address. */
        public Attempt(Outcome outcome, String detail) {
            this(outcome, detail, false);
        }
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
        if (!settings.trustCertificates().isEmpty()) {
            // STARTTLS and implicit TLS both take their sockets from this factory; the host name is still checked
            p.put("mail." + proto + ".ssl.socketFactory", trusting(settings.trustCertificates()));
        }
        this.session = Session.getInstance(p);
    }

    /**
     * @param file a PEM file of one or more certificates (a CA bundle, or the relay's own)
     * @return TLS sockets that trust exactly those certificates
     * @throws ConfigException if the file cannot be read or holds no certificate
     */
    static javax.net.ssl.SSLSocketFactory trusting(String file) {
        String setting = "mail.relay.trustCertificates";
        java.util.Collection<? extends java.security.cert.Certificate> certificates;
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(java.nio.file.Path.of(file))) {
            byte[] bytes = dev.inboxguard.ical.BoundedInput.read(in, 1024 * 1024)
                    .orElseThrow(() -> new ConfigException(setting + ": " + file + " is larger than 1 MiB"));
            certificates = java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes));
        } catch (java.io.IOException e) {
            throw new ConfigException(setting + ": cannot read " + file);
        } catch (java.security.cert.CertificateException e) {
            throw new ConfigException(setting + ": " + file + " is not a PEM file of certificates");
        }
        if (certificates.isEmpty()) {
            throw new ConfigException(setting + ": " + file + " holds no certificate");
        }
        try {
            java.security.KeyStore trusted = java.security.KeyStore.getInstance(java.security.KeyStore.getDefaultType());
            trusted.load(null, null);
            int n = 0;
            for (java.security.cert.Certificate c : certificates) {
                trusted.setCertificateEntry("relay-" + n++, c);
            }
            javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
            return tls.getSocketFactory();
        } catch (java.security.GeneralSecurityException | java.io.IOException e) {
            throw new ConfigException(setting + ": cannot use the certificates in " + file);
        }
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

    static Attempt classify(int code, MessagingException e) {
        String detail = code + " " + describe(e);
        boolean badAddress = e instanceof SMTPAddressFailedException && code >= 500 && (code == 551 || code == 553
                || BAD_ADDRESS.matcher(String.valueOf(e.getMessage()).strip()).lookingAt());
        return new Attempt(code >= 500 ? Outcome.FAILED : Outcome.RETRY, detail, badAddress);
    }

    /**
     * RFC 3463 §3.2: 5.1.x is about the address (no such mailbox 5.1.1, no such domain 5.1.2, bad syntax 5.1.3); only
     * the enhanced code that opens the reply counts, not a 5.1.x anywhere in its text.
     */
    private static final java.util.regex.Pattern BAD_ADDRESS = java.util.regex.Pattern.compile(
            "[0-9]{3}[ -]5\\.1\\.[0-9]{1,3}\\b");
}
