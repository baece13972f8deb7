package dev.inboxguard.it;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A test's own SMTP/LMTP client, byte for byte on a real socket, so the listeners are tested from outside. */
final class MailDialogue implements AutoCloseable {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    final String greeting;

    MailDialogue(int port) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(30_000);
        in = new BufferedInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        greeting = reply();
    }

    /** @return the whole reply, lines joined with LF */
    String send(String command) throws IOException {
        raw(command + "\r\n");
        return reply();
    }

    void raw(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /**
     * @param message CRLF line ends
     * @param replies how many replies to read after the data (LMTP: one per accepted recipient)
     */
    List<String> data(String message, int replies) throws IOException {
        String r = send("DATA");
        if (!r.startsWith("354")) {
            return List.of(r);
        }
        StringBuilder stuffed = new StringBuilder();
        for (String line : message.split("\r\n", -1)) {
            stuffed.append(line.startsWith(".") ? "." : "").append(line).append("\r\n");
        }
        String body = stuffed.toString();
        if (body.endsWith("\r\n\r\n")) {
            body = body.substring(0, body.length() - 2);
        }
        raw(body + ".\r\n");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < replies; i++) {
            out.add(reply());
        }
        return out;
    }

    /** One envelope, one message: LHLO/EHLO, MAIL, each RCPT, DATA. */
    static List<String> deliver(int port, boolean lmtp, String from, List<String> to, String message)
            throws IOException {
        try (MailDialogue d = new MailDialogue(port)) {
            d.send((lmtp ? "LHLO" : "EHLO") + " test.example");
            String mail = d.send("MAIL FROM:<" + from + ">");
            if (!mail.startsWith("250")) {
                return List.of(mail);
            }
            List<String> replies = new ArrayList<>();
            int accepted = 0;
            for (String r : to) {
                String rcpt = d.send("RCPT TO:<" + r + ">");
                if (rcpt.startsWith("250")) {
                    accepted++;
                } else {
                    replies.add(rcpt);
                }
            }
            if (accepted > 0) {
                replies.addAll(d.data(message, lmtp ? accepted : 1));
            }
            d.send("QUIT");
            return replies;
        }
    }

    String reply() throws IOException {
        StringBuilder all = new StringBuilder();
        while (true) {
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    return all.append(line).toString();
                }
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            all.append(all.length() == 0 ? "" : "\n").append(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                return all.toString();
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
