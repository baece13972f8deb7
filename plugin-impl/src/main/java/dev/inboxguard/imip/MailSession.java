package dev.inboxguard.imip;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.server.Account;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One client connection of a {@link MailListener}: the SMTP or LMTP dialogue, with every input bounded. Command
 * lines are capped, the message is capped (and read to its end before 552, so the dialogue stays in step), the
 * messages of all sessions together are capped too ({@link MessageMemory}), a silent client is dropped after the
 * idle timeout, a slow one after the data deadline and one that stops reading its replies after the idle timeout,
 * and a client that keeps sending bad or idle commands without delivering mail is disconnected.
 *
 * <p>The end of the data is exactly CRLF "." CRLF; a lone LF never ends it (the SMTP smuggling confusion).
 */
final class MailSession {
    private static final int MAX_COMMAND = 2048;
    private static final int MAX_ERRORS = 10;
    private static final int MAX_LMTP_RECIPIENTS = 100;
    private static final long DATA_DEADLINE_MILLIS = 10 * 60_000;
    /** Commands that move no mail (NOOP, RSET, VRFY, HELP, unknown ones); Postfix's smtpd allows 100 too. */
    private static final int MAX_JUNK = 100;

    private final Socket socket;
    private final MailListener listener;
    private final MailListener.Settings settings;
    private final ImipGateway gateway;
    private final LineInput in;
    /** A command line with its CRLF, up to the cap; reused for each command. */
    private final byte[] commandLine = new byte[MAX_COMMAND + 2];
    private final OutputStream out;
    private final boolean lmtp;

    private boolean greeted;
    private boolean inTransaction;
    private Optional<CalendarUserAddress> mailFrom = Optional.empty();
    private final List<Recipient> recipients = new ArrayList<>();
    /** Errors and idle commands since the session last delivered mail (Postfix counts them so too). */
    private int errors;
    private int junk;
    /** When the wait for the current command began, or in DATA, the wait for the current read. */
    private long waitingSince;
    private boolean inData;
    /** The end of the whole DATA phase, while in it. */
    private long dataDeadline;
    /** The client's address as the listener counts it. */
    private final String client;
    /** Since when the session has waited for a command with no mail in hand; 0 while it is busy or has mail. */
    private long idleSince;
    /** Set when the listener closes this idle session to make room for another client. */
    private boolean closedForNewcomer;

    private record Recipient(Account account, CalendarUserAddress address) {
    }

    MailSession(Socket socket, MailListener listener, ImipGateway gateway, String client) throws IOException {
        this.socket = socket;
        this.client = client;
        this.listener = listener;
        this.settings = listener.settings();
        this.gateway = gateway;
        this.in = new LineInput(new DeadlineInput(socket), 16 * 1024);
        this.out = new BufferedOutputStream(new WatchedOutput(socket), 4 * 1024);
        this.lmtp = settings.protocol() == MailListener.Protocol.LMTP;
    }

    void run() throws IOException {
        waitingSince = System.currentTimeMillis();
        socket.setTcpNoDelay(true); // replies are flushed deliberately, once per exchange; Nagle would only delay them
        reply(220, settings.hostname() + (lmtp ? " LMTP" : " ESMTP") + " InboxGuard ready");
        try {
            while (true) {
                if (!in.hasMore()) {
                    out.flush(); // pipelined commands are answered in one go (RFC 2920)
                }
                waitingSince = System.currentTimeMillis(); // a whole command within the idle timeout
                setIdle(!inTransaction);
                String line = readCommand();
                if (!busyUnlessClosedForNewcomer()) {
                    // nothing was in hand, so nothing is lost: the client may come back (RFC 5321 §3.8)
                    reply(421, "4.3.2 Too many connections; closing this idle one");
                    out.flush();
                    return;
                }
                if (line == null) {
                    return;
                }
                if (!command(line)) {
                    out.flush();
                    return;
                }
                if (errors >= MAX_ERRORS || junk > MAX_JUNK) {
                    reply(421, "4.7.0 Too many errors or idle commands; closing");
                    out.flush();
                    return;
                }
            }
        } catch (SocketTimeoutException e) {
            reply(421, "4.4.2 Idle too long; closing");
            out.flush();
        }
    }

    /** @return the client's address as the listener counts it */
    String client() {
        return client;
    }

    /** @return since when the session has waited for a command with no mail in hand, or 0 if it has not */
    synchronized long idleSince() {
        return idleSince;
    }

    private synchronized void setIdle(boolean idle) {
        idleSince = idle ? Math.max(1, waitingSince) : 0;
    }

    /**
     * Asked by the listener, from its own thread: ends the wait for a command of a session with no mail in hand.
     *
     * @return false if the session is busy or has mail in hand, and goes on
     */
    synchronized boolean closeForNewcomer() {
        if (idleSince == 0 || closedForNewcomer) {
            return false;
        }
        closedForNewcomer = true;
        try {
            socket.shutdownInput(); // the read waiting for a command returns at once
        } catch (IOException e) {
            return false;
        }
        return true;
    }

    /** @return false if the session was closed for a newcomer while it waited, whatever it read after */
    private synchronized boolean busyUnlessClosedForNewcomer() {
        idleSince = 0;
        return !closedForNewcomer;
    }

    /** @return false to close the connection */
    private boolean command(String line) throws IOException {
        if (line.length() > MAX_COMMAND) {
            return error(500, "5.5.2 Line too long");
        }
        int space = line.indexOf(' ');
        String verb = (space < 0 ? line : line.substring(0, space)).toUpperCase(Locale.ROOT);
        String arg = space < 0 ? "" : line.substring(space + 1).strip();
        // a greeting again moves no mail either: without this, one every few minutes held a slot for ever
        if (!java.util.Set.of("LHLO", "EHLO", "HELO", "MAIL", "RCPT", "DATA", "QUIT").contains(verb)
                || greeted && java.util.Set.of("LHLO", "EHLO", "HELO").contains(verb)) {
            junk++;
        }
        switch (verb) {
            case "LHLO", "EHLO", "HELO" -> greet(verb, arg);
            case "MAIL" -> mail(arg);
            case "RCPT" -> rcpt(arg);
            case "DATA" -> data(arg);
            case "RSET" -> {
                reset();
                reply(250, "2.0.0 OK");
            }
            case "NOOP" -> reply(250, "2.0.0 OK");
            case "VRFY" -> reply(252, "2.5.0 Not verifying; send the message");
            case "HELP" -> reply(214, "2.0.0 " + (lmtp ? "LHLO" : "EHLO HELO") + " MAIL RCPT DATA RSET NOOP QUIT");
            case "QUIT" -> {
                reply(221, "2.0.0 Bye");
                return false;
            }
            case "STARTTLS", "AUTH", "BDAT", "ETRN", "EXPN", "TURN" ->
                    error(502, "5.5.1 Not implemented here");
            default -> error(500, "5.5.2 Unknown command");
        }
        return true;
    }

    private void greet(String verb, String arg) throws IOException {
        if (lmtp != verb.equals("LHLO")) {
            error(500, "5.5.1 " + (lmtp ? "This is LMTP: use LHLO" : "Use EHLO or HELO"));
            return;
        }
        if (arg.isEmpty()) {
            error(501, "5.5.4 " + verb + " needs the client's name");
            return;
        }
        reset();
        greeted = true;
        if (verb.equals("HELO")) {
            reply(250, settings.hostname());
            return;
        }
        replyLines(250, List.of(settings.hostname(), "PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME",
                "SIZE " + settings.maxMessageBytes()));
    }

    private void mail(String arg) throws IOException {
        if (!greeted) {
            error(503, "5.5.1 " + (lmtp ? "LHLO" : "EHLO") + " first");
            return;
        }
        if (inTransaction) {
            error(503, "5.5.1 A transaction is open; RSET first");
            return;
        }
        Optional<EnvelopePath> path = EnvelopePath.parse(arg, "FROM:");
        if (path.isEmpty()) {
            error(501, "5.5.4 Syntax: MAIL FROM:<address>");
            return;
        }
        for (String param : path.get().parameters()) {
            String p = param.toUpperCase(Locale.ROOT);
            if (p.startsWith("SIZE=")) {
                long size;
                try {
                    size = Long.parseLong(p.substring(5));
                } catch (NumberFormatException e) {
                    error(501, "5.5.4 SIZE is not a number");
                    return;
                }
                if (size > settings.maxMessageBytes()) {
                    error(552, "5.3.4 Message too large; the limit is " + settings.maxMessageBytes() + " bytes");
                    return;
                }
            } else if (!p.equals("BODY=7BIT") && !p.equals("BODY=8BITMIME")) {
                error(555, "5.5.4 Unsupported parameter " + abbreviate(param));
                return;
            }
        }
        if (path.get().address().isEmpty()) {
            mailFrom = Optional.empty(); // the null sender: a bounce or an auto-reply
        } else {
            Optional<CalendarUserAddress> from = CalendarUserAddress.parse("mailto:" + path.get().address());
            if (from.isEmpty()) {
                error(553, "5.1.7 Bad sender address");
                return;
            }
            mailFrom = from;
        }
        inTransaction = true;
        reply(250, "2.1.0 Sender OK");
    }

    private void rcpt(String arg) throws IOException {
        if (!inTransaction) {
            error(503, "5.5.1 MAIL first");
            return;
        }
        Optional<EnvelopePath> path = EnvelopePath.parse(arg, "TO:");
        if (path.isEmpty() || path.get().address().isEmpty()) {
            error(501, "5.5.4 Syntax: RCPT TO:<address>");
            return;
        }
        if (!path.get().parameters().isEmpty()) {
            error(555, "5.5.4 Unsupported parameter " + abbreviate(path.get().parameters().get(0)));
            return;
        }
        if (recipients.size() >= (lmtp ? MAX_LMTP_RECIPIENTS : 1)) {
            // RFC 5321 §4.5.3.1.10: the client sends the rest in another transaction
            junk++;
            reply(452, "4.5.3 " + (lmtp ? "Too many recipients" : "One recipient per message here")
                    + "; send the others separately");
            return;
        }
        Optional<CalendarUserAddress> to = CalendarUserAddress.parse("mailto:" + path.get().address());
        Optional<Account> account = to.flatMap(gateway::recipient);
        if (account.isEmpty()) {
            error(550, "5.1.1 No such calendar user here");
            return;
        }
        recipients.add(new Recipient(account.get(), to.get()));
        reply(250, "2.1.5 Recipient OK");
    }

    private void data(String arg) throws IOException {
        if (!arg.isEmpty()) {
            error(501, "5.5.4 DATA takes no argument");
            return;
        }
        if (!inTransaction || recipients.isEmpty()) {
            // RFC 2033 §4.2: with no successful RCPT, LMTP's DATA MUST fail with 503; SMTP may say 554 instead
            error(inTransaction && !lmtp ? 554 : 503, "5.5.1 "
                    + (inTransaction ? "No valid recipients" : "MAIL first"));
            return;
        }
        reply(354, "End data with <CR><LF>.<CR><LF>");
        out.flush();
        DataRead read = readData();
        List<MailReply> replies = new ArrayList<>();
        try {
            // the reading of the message and its DKIM check are the same for every recipient: done once
            Optional<ImipGateway.Received> message = read.message().map(gateway::received);
            for (Recipient r : recipients) {
                replies.add(read.instead().orElseGet(() -> gateway.receive(message.orElseThrow(), mailFrom,
                        r.account(), r.address(), lmtp)));
                if (!lmtp) {
                    break;
                }
            }
        } finally {
            listener.memory().giveBack(read.memoryHeld());
        }
        boolean delivered = false;
        for (MailReply r : replies) {
            gateway.counted(lmtp, r);
            reply(r.code(), r.status() + " " + r.text());
            delivered |= r.code() / 100 == 2;
        }
        if (delivered) {
            errors = 0;
            junk = 0;
        }
        reset();
    }

    /**
     * A message as read from DATA.
     *
     * @param message    the message with dot-stuffing undone; empty if it was not kept
     * @param instead    the reply every recipient gets when it was not kept
     * @param memoryHeld what the session took from the shared budget, to give back once the replies are made
     */
    private record DataRead(Optional<byte[]> message, Optional<MailReply> instead, long memoryHeld) {
    }

    /** The message as it arrives, in blocks each taken from the shared budget before it is allocated. */
    private final class Blocks {
        private static final int FIRST = 8 * 1024;
        private static final int LARGEST = 1024 * 1024;
        private final List<byte[]> full = new ArrayList<>();
        private byte[] block = new byte[0];
        private int used;
        private long size;
        private long held;

        /** @return false, having let go of everything, if the budget has no room for more */
        boolean append(byte[] bytes, int from, int length) {
            int at = from;
            int left = length;
            while (left > 0) {
                if (used == block.length) {
                    int next = (int) Math.min(LARGEST, Math.max(FIRST, size));
                    if (!listener.memory().take(next)) {
                        drop();
                        return false;
                    }
                    held += next;
                    if (block.length > 0) {
                        full.add(block);
                    }
                    block = new byte[next];
                    used = 0;
                }
                int n = Math.min(left, block.length - used);
                System.arraycopy(bytes, at, block, used, n);
                used += n;
                at += n;
                left -= n;
                size += n;
            }
            return true;
        }

        void drop() {
            listener.memory().giveBack(held);
            held = 0;
            full.clear();
            block = new byte[0];
            used = 0;
        }

        /**
         * @return the message in one array, with its size taken from the budget as well: the array, and then the
         *     parsing and screening of it, need about as much again; empty, having let go of everything, if the
         *     budget has no room
         */
        Optional<byte[]> whole() {
            if (!listener.memory().take(size)) {
                drop();
                return Optional.empty();
            }
            held += size;
            byte[] message = new byte[(int) size];
            int at = 0;
            for (byte[] b : full) {
                System.arraycopy(b, 0, message, at, b.length);
                at += b.length;
            }
            System.arraycopy(block, 0, message, at, used);
            full.clear();
            block = new byte[0];
            return Optional.of(message);
        }
    }

    /** @return the message with dot-stuffing undone, or the reply instead if it was not kept (and was read to its end) */
    private DataRead readData() throws IOException {
        inData = true;
        dataDeadline = System.currentTimeMillis() + DATA_DEADLINE_MILLIS;
        Blocks message = new Blocks();
        try {
            return readDataInDeadline(message);
        } catch (Throwable e) {
            // the client left or timed out, or an allocation failed: what it sent is dropped, and its memory given
            // back, or the budget would shrink for good
            message.drop();
            throw e;
        } finally {
            inData = false;
        }
    }

    private DataRead readDataInDeadline(Blocks message) throws IOException {
        boolean tooLarge = false;
        boolean noRoom = false;
        // only a line that follows CRLF starts a line for the terminator and for dot-stuffing: after a bare LF a
        // "." is data, so that no LF "." CRLF can end the message early (SMTP smuggling)
        boolean afterCrlf = true;
        int previous = '\n';
        byte[] chunk = new byte[8192];
        while (true) {
            int n = in.readLine(chunk);
            if (n < 0) {
                throw new EOFException("the client left during DATA");
            }
            boolean endOfLine = chunk[n - 1] == '\n';
            if (afterCrlf && endOfLine && n == 3 && chunk[0] == '.' && chunk[1] == '\r') {
                Optional<byte[]> whole = tooLarge || noRoom ? Optional.empty() : message.whole();
                if (whole.isPresent()) {
                    return new DataRead(whole, Optional.empty(), message.held);
                }
                return new DataRead(Optional.empty(), Optional.of(tooLarge
                        ? new MailReply(552, "5.3.4", "Message too large; the limit is " + settings.maxMessageBytes()
                        + " bytes")
                        : new MailReply(452, "4.3.1", "Too much mail in hand right now; try again later")), 0);
            }
            int from = afterCrlf && chunk[0] == '.' ? 1 : 0;
            if (!tooLarge && !noRoom && message.size + n - from > settings.maxMessageBytes()) {
                tooLarge = true;
                message.drop();
            }
            if (!tooLarge && !noRoom) {
                noRoom = !message.append(chunk, from, n - from);
            }
            int beforeLf = n >= 2 ? chunk[n - 2] : previous;
            afterCrlf = endOfLine && beforeLf == '\r';
            previous = chunk[n - 1];
        }
    }

    /**
     * The socket's input: a whole command must arrive within the idle timeout, and in DATA each read, until the
     * data deadline. The timeout is the listener's of the moment, looked at again every few seconds, so a session
     * that was already waiting when the listener became nearly full is held to the shorter one too.
     */
    private final class DeadlineInput extends java.io.FilterInputStream {
        private final Socket socket;

        DeadlineInput(Socket socket) throws IOException {
            super(socket.getInputStream());
            this.socket = socket;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (inData) {
                waitingSince = System.currentTimeMillis();
            }
            while (true) {
                long end = waitingSince + listener.idleTimeoutNow().toMillis();
                if (inData) {
                    end = Math.min(end, dataDeadline);
                }
                long left = end - System.currentTimeMillis();
                if (left <= 0) {
                    throw new SocketTimeoutException("past the deadline");
                }
                socket.setSoTimeout((int) Math.min(left, MailListener.BUSY_IDLE_TIMEOUT.toMillis()));
                try {
                    return super.read(b, off, len);
                } catch (SocketTimeoutException slice) {
                    // the socket stays usable after a timed-out read: look at the timeout again
                }
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }
    }

    /** The socket's output, each write bounded by the idle timeout: a client that never reads would block it. */
    private final class WatchedOutput extends java.io.FilterOutputStream {
        private final Socket socket;

        WatchedOutput(Socket socket) throws IOException {
            super(socket.getOutputStream());
            this.socket = socket;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.concurrent.Future<?> watch = listener.closeUnlessWritten(socket,
                    listener.idleTimeoutNow());
            try {
                out.write(b, off, len);
            } finally {
                watch.cancel(false);
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }
    }

    /** A command line without its line end, or null at end of stream; a line over the cap is read to its end. */
    private String readCommand() throws IOException {
        byte[] line = commandLine;
        int n = in.readLine(line);
        if (n < 0) {
            return null;
        }
        if (line[n - 1] != '\n') {
            // over the cap, or cut off by the end of the stream: read the rest of the line
            int more;
            do {
                more = in.readLine(line);
                if (more < 0) {
                    return null;
                }
            } while (line[more - 1] != '\n');
            return "X".repeat(MAX_COMMAND + 1);
        }
        int end = n - 1;
        if (end > 0 && line[end - 1] == '\r') {
            end--;
        }
        return new String(line, 0, end, StandardCharsets.ISO_8859_1);
    }

    private void reset() {
        inTransaction = false;
        mailFrom = Optional.empty();
        recipients.clear();
    }

    private boolean error(int code, String text) throws IOException {
        errors++;
        reply(code, text);
        return true;
    }

    private void reply(int code, String text) throws IOException {
        out.write((code + " " + text + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    private void replyLines(int code, List<String> lines) throws IOException {
        for (int i = 0; i < lines.size(); i++) {
            out.write((code + (i == lines.size() - 1 ? " " : "-") + lines.get(i) + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        }
    }

    /** Client text echoed in a reply: printable ASCII only, bounded. */
    private static String abbreviate(String s) {
        String shown = s.length() <= 40 ? s : s.substring(0, 40) + "...";
        return shown.replaceAll("[^\\x21-\\x7e]", "?");
    }
}
