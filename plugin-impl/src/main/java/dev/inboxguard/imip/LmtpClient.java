package dev.inboxguard.imip;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A minimal LMTP client (RFC 2033) for {@code inboxguard ingest}: hands one message to the running server's LMTP
 * listener and returns each recipient's reply. Line ends are made CRLF and leading dots doubled on the way, since a
 * pipe from an MTA delivers the message with bare LF line ends.
 */
public final class LmtpClient {
    private static final int MAX_REPLY_LINE = 4096;
    private static final int MAX_REPLY_LINES = 100;

    private final InetSocketAddress server;
    private final Duration timeout;

    /**
     * @param server  the LMTP listener
     * @param timeout for connecting and for each reply
     */
    public LmtpClient(InetSocketAddress server, Duration timeout) {
        this.server = server;
        this.timeout = timeout;
    }

    /** The server refused the whole transaction, before any recipient's reply. */
    public static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;
        private final String reply;

        Refused(String reply) {
            super(reply);
            this.reply = reply;
        }

        /** @return the server's reply line */
        public String reply() {
            return reply;
        }
    }

    /**
     * @param envelopeFrom the MAIL FROM address; empty for the null sender
     * @param recipients   the RCPT TO addresses
     * @param message      the message, with LF or CRLF line ends
     * @return each recipient's final reply line, in order
     * @throws Refused     if the server refused the session or the sender
     * @throws IOException if the connection fails
     */
    public Map<String, String> deliver(String envelopeFrom, List<String> recipients, byte[] message)
            throws IOException {
        try (Socket s = new Socket()) {
            s.connect(server, (int) timeout.toMillis());
            s.setSoTimeout((int) timeout.toMillis());
            InputStream in = new BufferedInputStream(s.getInputStream());
            OutputStream out = new BufferedOutputStream(s.getOutputStream());
            expect(in, 220);
            command(out, "LHLO " + ImipListeners.machineName());
            expect(in, 250);
            byte[] data = toWireFormat(message);
            Map<String, String> replies = new LinkedHashMap<>();
            List<String> pending = new ArrayList<>(recipients);
            // a server takes so many recipients per transaction and answers 452 for the rest (RFC 5321
            // §4.5.3.1.10): those go in the next transaction, for as long as each one makes progress
            while (!pending.isEmpty()) {
                command(out, "MAIL FROM:<" + envelopeFrom + "> SIZE=" + data.length);
                expect(in, 250);
                List<String> accepted = new ArrayList<>();
                List<String> later = new ArrayList<>();
                for (String r : pending) {
                    command(out, "RCPT TO:<" + r + ">");
                    String reply = readReply(in);
                    replies.put(r, reply);
                    if (reply.startsWith("2")) {
                        accepted.add(r);
                    } else if (reply.startsWith("452")) {
                        later.add(r);
                    }
                }
                if (accepted.isEmpty()) {
                    command(out, "RSET");
                    readReply(in);
                    break;
                }
                command(out, "DATA");
                expect(in, 354);
                out.write(data);
                out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                for (String r : accepted) {
                    replies.put(r, readReply(in));
                }
                pending = later;
            }
            try {
                command(out, "QUIT");
                readReply(in);
            } catch (IOException e) {
                // every recipient has its answer; a lost goodbye changes none of them
            }
            return replies;
        }
    }

    /** CRLF line ends, a final line end, and a dot doubled at the start of each line (RFC 5321 §4.5.2). */
    static byte[] toWireFormat(byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(message.length + message.length / 40 + 8);
        boolean lineStart = true;
        for (int i = 0; i < message.length; i++) {
            byte b = message[i];
            if (lineStart && b == '.') {
                out.write('.');
            }
            if (b == '\n') {
                if (i == 0 || message[i - 1] != '\r') {
                    out.write('\r');
                }
                out.write('\n');
                lineStart = true;
                continue;
            }
            if (b == '\r' && (i + 1 == message.length || message[i + 1] != '\n')) {
                out.write('\r'); // a bare CR becomes a line end too
                out.write('\n');
                lineStart = true;
                continue;
            }
            out.write(b);
            lineStart = false;
        }
        if (!lineStart) {
            out.write('\r');
            out.write('\n');
        }
        return out.toByteArray();
    }

    private static void command(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static void expect(InputStream in, int code) throws IOException {
        String reply = readReply(in);
        if (!reply.startsWith(Integer.toString(code))) {
            throw new Refused(reply);
        }
    }

    /** @return the last line of a (possibly multi-line) reply */
    private static String readReply(InputStream in) throws IOException {
        for (int lines = 0; lines < MAX_REPLY_LINES; lines++) {
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new EOFException("the server closed the connection");
                }
                if (b != '\r' && line.length() < MAX_REPLY_LINE) {
                    line.append((char) b);
                }
            }
            if (line.length() < 4 || line.charAt(3) != '-') {
                return line.toString();
            }
        }
        throw new IOException("the server's reply is too long");
    }
}
