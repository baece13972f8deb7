package dev.inboxguard.mime;

import static dev.inboxguard.ical.InputFindings.describe;
import static dev.inboxguard.ical.InputFindings.malformed;
import static dev.inboxguard.ical.InputFindings.tooLarge;

import dev.inboxguard.api.AuthenticationResult;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.ical.BoundedInput;
import dev.inboxguard.ical.Limits;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.dom.address.Address;
import org.apache.james.mime4j.dom.address.AddressList;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.field.address.LenientAddressParser;
import org.apache.james.mime4j.io.MaxHeaderLengthLimitException;
import org.apache.james.mime4j.io.MaxHeaderLimitException;
import org.apache.james.mime4j.io.MaxLineLimitException;
import org.apache.james.mime4j.message.DefaultBodyDescriptorBuilder;
import org.apache.james.mime4j.message.MaximalBodyDescriptor;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.RecursionMode;
import org.apache.james.mime4j.util.MimeUtil;

/**
 * Reads an untrusted e-mail as a stream of MIME events (mime4j's pull parser), keeping the top-level header facts
 * and the bodies of its calendar-bearing parts: {@code text/calendar} in any position, {@code application/ics},
 * and attachments named {@code *.ics}. Other parts are skipped unread, attached messages are not opened, and every
 * line, header, part and calendar part is bounded.
 *
 * <p>Every calendar part is kept, because a client may act on any of them; the guard compares them before it
 * judges one. The one judged and delivered: the first {@code text/calendar} part with a {@code method} parameter
 * (RFC 6047 §2.4), else the first {@code text/calendar} part, else the first {@code application/ics} part. An
 * attachment that is a calendar only by its {@code .ics} name is compared, never judged: without a text/calendar
 * or application/ics part, the e-mail is not iMIP.
 */
public final class ImipMessageReader {
    private static final int MAX_HEADERS = 500;
    /** Real invitations carry one calendar part, or two (Google: text/calendar plus invite.ics). */
    static final int MAX_CALENDAR_PARTS = 10;

    /** Inline text bodies kept for link scanning, and how much of each: invitations' HTML is a few tens of KiB. */
    static final int MAX_TEXTS = 4;
    /** The most characters of one text body kept. */
    public static final int MAX_TEXT_CHARS = 256 * 1024;
    private final Limits limits;
    private final HeaderTrust trust;

    /**
     * @param limits the size limits
     * @param trust  which Authentication-Results headers are believed
     */
    public ImipMessageReader(Limits limits, HeaderTrust trust) {
        this.limits = limits;
        this.trust = trust;
    }

    /**
     * @param in the e-mail; read up to the message size limit
     * @return the calendar part and facts, or why the e-mail could not be read
     * @throws IOException if the stream fails
     */
    public ImipRead read(InputStream in) throws IOException {
        Optional<byte[]> bytes = BoundedInput.read(in, limits.maxMessageBytes());
        if (bytes.isEmpty()) {
            return refused(tooLarge(String.format(Locale.ROOT, "the e-mail is larger than %,d bytes",
                    limits.maxMessageBytes()), null));
        }
        return read(bytes.get());
    }

    /**
     * @param bytes the e-mail
     * @return the calendar part and facts, or why the e-mail could not be read
     */
    public ImipRead read(byte[] bytes) {
        if (bytes.length > limits.maxMessageBytes()) {
            return refused(tooLarge(String.format(Locale.ROOT, "the e-mail is %,d bytes; the limit is %,d",
                    bytes.length, limits.maxMessageBytes()), null));
        }
        MimeTokenStream stream = new MimeTokenStream(mimeConfig(limits), DecodeMonitor.SILENT,
                new DefaultBodyDescriptorBuilder());
        stream.setRecursionMode(RecursionMode.M_NO_RECURSE);
        stream.parse(new ByteArrayInputStream(bytes));
        Headers top = new Headers();
        boolean inTopHeader = false;
        boolean topHeaderDone = false;
        int parts = 0;
        List<Candidate> found = new ArrayList<>();
        List<ImipMessage.MailText> texts = new ArrayList<>();
        try {
            for (EntityState state = stream.getState(); state != EntityState.T_END_OF_STREAM;
                 state = stream.next()) {
                switch (state) {
                    case T_START_HEADER -> inTopHeader = !topHeaderDone;
                    case T_FIELD -> {
                        if (inTopHeader) {
                            top.add(stream.getField());
                        }
                    }
                    case T_END_HEADER -> {
                        inTopHeader = false;
                        topHeaderDone = true;
                    }
                    case T_START_BODYPART -> {
                        if (++parts > limits.maxMimeParts()) {
                            return refused(tooLarge(String.format(Locale.ROOT,
                                    "the e-mail has more than %,d parts", limits.maxMimeParts()), null));
                        }
                    }
                    case T_BODY -> {
                        MaximalBodyDescriptor body = (MaximalBodyDescriptor) stream.getBodyDescriptor();
                        int rank = rank(body);
                        if (rank == 0) {
                            inlineText(body, stream, texts);
                            break;
                        }
                        if (found.size() == MAX_CALENDAR_PARTS) {
                            return refused(tooLarge(String.format(Locale.ROOT,
                                    "the e-mail has more than %,d calendar parts", MAX_CALENDAR_PARTS), null));
                        }
                        Optional<byte[]> content = BoundedInput.read(stream.getDecodedInputStream(),
                                limits.maxBytes());
                        String name = partName(body, found.size() + 1);
                        // an oversized part is refused only if it is the one to judge; another one is a part
                        // that cannot be compared, which the guard reports (held, not bounced)
                        found.add(new Candidate(rank, content.isEmpty(), new CalendarPart(
                                content.map(c -> toUtf8(c, body.getCharset())).orElse(new byte[0]),
                                Optional.ofNullable(body.getContentTypeParameters().get("method")),
                                content.isEmpty() ? String.format(Locale.ROOT, "%s, larger than %,d bytes,", name,
                                        limits.maxBytes()) : name)));
                    }
                    default -> {
                    }
                }
            }
        } catch (MimeException | IOException | RuntimeException e) {
            return refused(limitExceeded(e).orElseGet(() ->
                    malformed("not a readable MIME message: " + describe(e), null)));
        }
        if (!topHeaderDone || top.count == 0) {
            return refused(malformed("not an e-mail: no header fields", null));
        }
        Candidate best = null;
        for (Candidate c : found) {
            if (c.rank > ATTACHMENT_ONLY && (best == null || c.rank > best.rank)) {
                best = c;
            }
        }
        if (best == null) {
            // a *.ics file attached to ordinary mail is not an iMIP message (RFC 6047 §2.4 wants text/calendar)
            return new ImipRead.Refused(List.of(malformed("the e-mail has no text/calendar part", "Content-Type")),
                    true);
        }
        if (best.oversize) {
            return refused(tooLarge(String.format(Locale.ROOT, "the calendar part is larger than %,d bytes",
                    limits.maxBytes()), "text/calendar"));
        }
        List<CalendarPart> others = new ArrayList<>();
        for (Candidate c : found) {
            if (c != best) {
                others.add(c.part);
            }
        }
        return new ImipRead.Extracted(new ImipMessage(best.part.bytes(), best.part.mimeMethod(), others,
                top.returnPath, top.from, top.sender, top.replyTo, top.to, top.messageId, top.authenticationResults, texts));
    }

    /** @return mime4j's bounds for an untrusted e-mail: lines, header fields, their number and the whole size */
    static MimeConfig mimeConfig(Limits limits) {
        return MimeConfig.custom()
                .setMaxLineLen(limits.maxLineLength())
                .setMaxHeaderLen(limits.maxHeaderLength())
                .setMaxHeaderCount(MAX_HEADERS)
                .setMaxContentLen(limits.maxMessageBytes())
                .setMalformedHeaderStartsBody(false)
                .build();
    }

    /** Keeps an inline text/plain or text/html body, capped, for the guard's link scan. */
    private static void inlineText(MaximalBodyDescriptor body, MimeTokenStream stream,
                                   List<ImipMessage.MailText> texts) throws IOException {
        String type = body.getMimeType().toLowerCase(Locale.ROOT);
        boolean html = type.equals("text/html");
        if (texts.size() >= MAX_TEXTS || !(html || type.equals("text/plain"))
                || "attachment".equalsIgnoreCase(body.getContentDispositionType())) {
            return;
        }
        // a longer body is cut rather than refused: the calendar part is what is judged, the text is only scanned
        byte[] bytes = stream.getDecodedInputStream().readNBytes(MAX_TEXT_CHARS);
        String text = new String(toUtf8(bytes, body.getCharset()), StandardCharsets.UTF_8);
        texts.add(new ImipMessage.MailText(html, text));
    }

    /** mime4j reports its limits as exceptions, sometimes wrapped in others. */
    private Optional<dev.inboxguard.api.Finding> limitExceeded(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof MaxLineLimitException) {
                return Optional.of(tooLarge(String.format(Locale.ROOT,
                        "the e-mail has a line over %,d characters", limits.maxLineLength()), null));
            }
            if (t instanceof MaxHeaderLengthLimitException) {
                return Optional.of(tooLarge(String.format(Locale.ROOT,
                        "the e-mail has a header over %,d characters", limits.maxHeaderLength()), null));
            }
            if (t instanceof MaxHeaderLimitException) {
                return Optional.of(tooLarge(String.format(Locale.ROOT,
                        "the e-mail has more than %,d header fields", MAX_HEADERS), null));
            }
        }
        return Optional.empty();
    }

    /** A part only compared with the one judged, never judged itself: an attachment named *.ics. */
    private static final int ATTACHMENT_ONLY = 1;

    /** Higher is better; 0 means "not a calendar part". */
    private static int rank(MaximalBodyDescriptor body) {
        String type = body.getMimeType() == null ? "" : body.getMimeType().toLowerCase(Locale.ROOT);
        if (type.equals("text/calendar")) {
            return body.getContentTypeParameters().containsKey("method") ? 4 : 3;
        }
        if (type.equals("application/ics")) {
            return 2;
        }
        return fileName(body).toLowerCase(Locale.ROOT).endsWith(".ics") ? ATTACHMENT_ONLY : 0;
    }

    /** The attachment's name: Content-Disposition filename (RFC 2183), else the Content-Type name parameter. */
    private static String fileName(MaximalBodyDescriptor body) {
        String name = body.getContentDispositionFilename();
        if (name == null) {
            name = body.getContentTypeParameters().get("name");
        }
        return name == null ? "" : name.strip();
    }

    /** "text/calendar part 2", "attachment \"invite.ics\" (application/octet-stream)": for findings. */
    private static String partName(MaximalBodyDescriptor body, int index) {
        String type = body.getMimeType() == null ? "?" : body.getMimeType().toLowerCase(Locale.ROOT);
        String name = fileName(body);
        if (name.isEmpty()) {
            return "calendar part " + index + " (" + type + ")";
        }
        String shown = name.length() <= 60 ? name : name.substring(0, 57) + "...";
        return "calendar part " + index + " (" + type + ", \"" + shown.replaceAll("[\\p{Cntrl}\"]", "?")
                + "\")";
    }

    private static byte[] toUtf8(byte[] content, String charset) {
        Charset cs = StandardCharsets.UTF_8;
        if (charset != null) {
            try {
                cs = Charset.forName(charset.strip());
            } catch (RuntimeException e) {
                // an unknown charset label: iCalendar's default is UTF-8 (RFC 5545 §3.1.4)
            }
        }
        // MIME's default of US-ASCII would mangle real-world calendar parts that omit the parameter
        if (cs.equals(StandardCharsets.US_ASCII) || cs.equals(StandardCharsets.UTF_8)) {
            return content;
        }
        return new String(content, cs).getBytes(StandardCharsets.UTF_8);
    }

    private static ImipRead refused(dev.inboxguard.api.Finding finding) {
        return new ImipRead.Refused(List.of(finding));
    }

    private record Candidate(int rank, boolean oversize, CalendarPart part) {
    }

    /** The top-level header facts, collected field by field. */
    private final class Headers {
        int count;
        Optional<CalendarUserAddress> returnPath = Optional.empty();
        Optional<CalendarUserAddress> from = Optional.empty();
        Optional<CalendarUserAddress> sender = Optional.empty();
        List<CalendarUserAddress> replyTo = new ArrayList<>();
        List<CalendarUserAddress> to = new ArrayList<>();
        Optional<String> messageId = Optional.empty();
        List<AuthenticationResult> authenticationResults = new ArrayList<>();
        int received;

        void add(Field field) {
            count++;
            String name = field.getName().toLowerCase(Locale.ROOT);
            String body = MimeUtil.unfold(field.getBody() == null ? "" : field.getBody()).strip();
            switch (name) {
                case "return-path" -> {
                    if (returnPath.isEmpty()) {
                        returnPath = CalendarUserAddress.parse(body);
                    }
                }
                case "from" -> {
                    if (from.isEmpty()) {
                        from = mailboxes(body).stream().findFirst();
                    }
                }
                case "sender" -> {
                    if (sender.isEmpty()) {
                        sender = mailboxes(body).stream().findFirst();
                    }
                }
                case "reply-to" -> replyTo.addAll(mailboxes(body));
                case "to", "cc", "delivered-to", "x-original-to" -> to.addAll(mailboxes(body));
                case "message-id" -> {
                    if (messageId.isEmpty() && !body.isEmpty()) {
                        messageId = Optional.of(body.length() <= 998 ? body : body.substring(0, 998));
                    }
                }
                case "received" -> received++;
                case "authentication-results" -> {
                    if (trust.believesAt(received)) {
                        authenticationResults.addAll(AuthenticationResultsHeader.parse(body, trust.authservIds()));
                    }
                }
                default -> {
                }
            }
        }
    }

    private static List<CalendarUserAddress> mailboxes(String value) {
        List<CalendarUserAddress> out = new ArrayList<>();
        AddressList list;
        try {
            list = LenientAddressParser.DEFAULT.parseAddressList(value);
        } catch (RuntimeException e) {
            return out;
        }
        for (Address a : list) {
            if (a instanceof Mailbox m) {
                CalendarUserAddress.parse(m.getAddress()).ifPresent(out::add);
            } else if (a instanceof org.apache.james.mime4j.dom.address.Group g) {
                for (Mailbox m : g.getMailboxes()) {
                    CalendarUserAddress.parse(m.getAddress()).ifPresent(out::add);
                }
            }
        }
        return out;
    }
}
