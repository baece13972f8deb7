package dev.inboxguard.mime;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.james.jdkim.api.Headers;
import org.apache.james.mime4j.MimeException;
import org.apache.james.mime4j.io.EOLConvertingInputStream;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.RecursionMode;
import org.apache.james.mime4j.util.ByteSequence;

/**
 * A message as DKIM verification reads it (RFC 6376 §3.4, §5.4.2): its header fields, each as received with its
 * folded lines, in order, and its body as raw bytes.
 *
 * <p>jDKIM's own reading builds a mime4j document, and each time it lists the fields it looks mime4j's services up
 * on the class path again: a tenth of an LMTP delivery. This reads the message with the same mime4j parser, its
 * token stream, with jDKIM's settings (line ends made CRLF, flat, not decoded, lines up to 10,000 bytes and fields
 * up to 30,000, at most mime4j's 1,000 fields), so that which lines are fields, and under which name, is decided
 * exactly as before, and exactly as the message reader that finds the From decides it. Only the document and the
 * lookups are gone.
 */
final class SignedMessage implements Headers {
    private static final MimeConfig JDKIM_SETTINGS = MimeConfig.custom().setMaxLineLen(10_000)
            .setMaxHeaderLen(30_000).build();

    private final List<String> fields;
    private final Map<String, List<String>> byName;
    private final byte[] body;

    private SignedMessage(List<String> fields, Map<String, List<String>> byName, byte[] body) {
        this.fields = fields;
        this.byName = byName;
        this.body = body;
    }

    /**
     * @param message the e-mail
     * @param maxSignatures how many DKIM-Signature fields to keep; the later ones are left out, as if not sent
     * @return its fields and body
     * @throws MimeException past a limit, where jDKIM's reading gave up too, and so no signature is verified
     */
    static SignedMessage of(byte[] message, int maxSignatures) throws MimeException, IOException {
        MimeTokenStream stream = new MimeTokenStream(JDKIM_SETTINGS);
        stream.setRecursionMode(RecursionMode.M_FLAT);
        stream.parse(new EOLConvertingInputStream(new ByteArrayInputStream(message)));
        List<String> fields = new ArrayList<>();
        Map<String, List<String>> byName = new HashMap<>();
        byte[] body = new byte[0];
        int signatures = 0;
        for (EntityState s = stream.getState(); s != EntityState.T_END_OF_STREAM; s = stream.next()) {
            if (s == EntityState.T_FIELD) {
                Field f = stream.getField();
                // the cap goes by the name as mime4j reads it, so "DKIM-Signature :" counts too
                if (f.getName().equalsIgnoreCase("DKIM-Signature") && ++signatures > maxSignatures) {
                    continue;
                }
                ByteSequence raw = f.getRaw();
                // as jDKIM gets it: the raw bytes in the platform's charset, without the final line end
                String text = raw != null ? new String(raw.toByteArray()) : f.getName() + ": " + f.getBody();
                fields.add(text);
                byName.computeIfAbsent(f.getName().toLowerCase(Locale.US), k -> new ArrayList<>()).add(text);
            } else if (s == EntityState.T_BODY) {
                try (InputStream in = stream.getInputStream()) {
                    body = in.readAllBytes();
                }
            }
        }
        return new SignedMessage(List.copyOf(fields), byName, body);
    }

    @Override
    public List<String> getFields() {
        return fields;
    }

    @Override
    public List<String> getFields(String name) {
        return List.copyOf(byName.getOrDefault(name.toLowerCase(Locale.US), List.of()));
    }

    /** @return the body, undecoded */
    InputStream body() {
        return new ByteArrayInputStream(body);
    }
}
