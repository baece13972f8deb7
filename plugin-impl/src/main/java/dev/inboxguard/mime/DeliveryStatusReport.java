package dev.inboxguard.mime;

import dev.inboxguard.ical.Limits;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.message.DefaultBodyDescriptorBuilder;
import org.apache.james.mime4j.stream.BodyDescriptor;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.RecursionMode;

/**
 * A delivery status notification (RFC 3464): a bounce that some MTA sent back for a message we sent. It is a
 * {@code multipart/report; report-type=delivery-status} whose {@code message/delivery-status} part holds one block
 * of fields per recipient, and whose last part returns the original message or its header, with our Message-ID.
 *
 * <p>Read under the same limits as any e-mail; the status part and the returned header are read at most 64 KiB each.
 *
 * @param messageId  the Message-ID of the message it reports on, with angle brackets
 * @param recipients one entry per recipient the report names
 */
public record DeliveryStatusReport(String messageId, List<Recipient> recipients) {
    private static final int MAX_PART = 64 * 1024;
    private static final int MAX_RECIPIENTS = 100;
    private static final Pattern MESSAGE_ID = Pattern.compile("(?im)^message-id:[ \\t]*(<[^<>\\s]{1,250}>)");
    private static final Pattern BLANK_LINE = Pattern.compile("\\r?\\n\\r?\\n");
    private static final Pattern STATUS = Pattern.compile("[245]\\.[0-9]{1,3}\\.[0-9]{1,3}");

    /**
     * @param address the recipient, as the report names it (Original-Recipient if given, else Final-Recipient),
     *                without its address type
     * @param finalAddress the Final-Recipient, which may differ in form from the Original-Recipient; empty if none
     * @param action  {@code failed}, {@code delayed}, {@code delivered}, {@code relayed} or {@code expanded}
     * @param status  the RFC 3463 status code, such as {@code 5.1.1}
     * @param detail  the Diagnostic-Code, if any, else empty
     */
    public record Recipient(String address, String finalAddress, String action, String status, String detail) {
        /** @return true if the message will not reach this recipient */
        public boolean failed() {
            return action.equals("failed") && status.startsWith("5.");
        }

        /** @return true if the address itself is bad (RFC 3463 §3.2: 5.1.x, addressing status) */
        public boolean badAddress() {
            return status.startsWith("5.1.");
        }
    }

    /**
     * @param bytes  the e-mail
     * @param limits the size limits for e-mail
     * @return the report, if the e-mail is a delivery status notification that names the message it reports on
     */
    public static Optional<DeliveryStatusReport> read(byte[] bytes, Limits limits) {
        if (bytes.length > limits.maxMessageBytes()) {
            return Optional.empty();
        }
        MimeTokenStream stream = new MimeTokenStream(ImipMessageReader.mimeConfig(limits), DecodeMonitor.SILENT,
                new DefaultBodyDescriptorBuilder());
        // a returned message/rfc822 is read as one body: only its header is looked at
        stream.setRecursionMode(RecursionMode.M_NO_RECURSE);
        stream.parse(new ByteArrayInputStream(bytes));
        String status = null;
        String returned = null;
        int parts = 0;
        boolean report = false;
        try {
            for (EntityState state = stream.getState(); state != EntityState.T_END_OF_STREAM; state = stream.next()) {
                if (state == EntityState.T_START_MULTIPART && parts == 0) {
                    BodyDescriptor top = stream.getBodyDescriptor();
                    report = top.getMimeType().equalsIgnoreCase("multipart/report");
                    if (!report) {
                        return Optional.empty();
                    }
                } else if (state == EntityState.T_START_BODYPART && ++parts > limits.maxMimeParts()) {
                    return Optional.empty();
                } else if (state == EntityState.T_BODY && report) {
                    String type = stream.getBodyDescriptor().getMimeType().toLowerCase(Locale.ROOT);
                    if ((type.equals("message/delivery-status") || type.equals("message/global-delivery-status"))
                            && status == null) {
                        status = text(stream);
                    } else if ((type.equals("text/rfc822-headers") || type.equals("message/rfc822")
                            || type.equals("message/global-headers") || type.equals("message/global"))
                            && returned == null) {
                        returned = header(text(stream));
                    }
                }
            }
        } catch (MimeException | IOException | RuntimeException e) {
            return Optional.empty();
        }
        if (status == null || returned == null) {
            return Optional.empty();
        }
        Matcher id = MESSAGE_ID.matcher(unfold(returned));
        if (!id.find()) {
            return Optional.empty();
        }
        List<Recipient> recipients = recipients(status);
        return recipients.isEmpty() ? Optional.empty()
                : Optional.of(new DeliveryStatusReport(id.group(1), recipients));
    }

    private static String text(MimeTokenStream stream) throws IOException {
        byte[] b = stream.getDecodedInputStream().readNBytes(MAX_PART);
        return new String(b, StandardCharsets.UTF_8);
    }

    /** @return the header of a returned message: everything before its first empty line */
    private static String header(String message) {
        Matcher blank = BLANK_LINE.matcher(message);
        return blank.find() ? message.substring(0, blank.start()) : message;
    }

    private static String unfold(String fields) {
        return fields.replaceAll("\\r?\\n[ \\t]+", " ");
    }

    /** RFC 3464 §2.1: a block of per-message fields, then one block per recipient, blocks separated by empty lines. */
    private static List<Recipient> recipients(String status) {
        List<Recipient> out = new ArrayList<>();
        String[] blocks = unfold(status).split("\\r?\\n[ \\t]*\\r?\\n");
        for (int i = 1; i < blocks.length && out.size() < MAX_RECIPIENTS; i++) {
            String finalRecipient = "";
            String originalRecipient = "";
            String action = "";
            String code = "";
            String detail = "";
            for (String line : blocks[i].split("\\r?\\n")) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
                String value = line.substring(colon + 1).strip();
                switch (name) {
                    case "final-recipient" -> finalRecipient = address(value);
                    case "original-recipient" -> originalRecipient = address(value);
                    case "action" -> action = value.toLowerCase(Locale.ROOT).split("[\\s(]", 2)[0];
                    case "status" -> {
                        Matcher m = STATUS.matcher(value);
                        code = m.lookingAt() ? m.group() : "";
                    }
                    case "diagnostic-code" -> detail = value.length() > 300 ? value.substring(0, 300) : value;
                    default -> {
                    }
                }
            }
            String address = originalRecipient.isEmpty() ? finalRecipient : originalRecipient;
            if (!address.isEmpty() && !action.isEmpty() && !code.isEmpty()) {
                out.add(new Recipient(address, finalRecipient, action, code, detail));
            }
        }
        return out;
    }

    /** {@code rfc822; bob@example.org} → {@code bob@example.org}; other address types are not mail addresses. */
    private static String address(String value) {
        int semicolon = value.indexOf(';');
        if (semicolon < 0 || !value.substring(0, semicolon).strip().equalsIgnoreCase("rfc822")) {
            return "";
        }
        String a = value.substring(semicolon + 1).strip();
        if (a.startsWith("<") && a.endsWith(">")) {
            a = a.substring(1, a.length() - 1);
        }
        return a.length() <= 254 && a.indexOf('@') > 0 && !a.matches(".*\\s.*") ? a : "";
    }
}
