package dev.inboxguard.mime;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.james.jdkim.api.Headers;
import org.apache.james.mime4j.io.EOLConvertingInputStream;

/**
 * A message as DKIM verification reads it (RFC 6376 §3.4, §5.4.2): its header fields, each as received with its
 * folded lines, in order, and its body as raw bytes. jDKIM's own reading builds a mime4j document and looks up mime4j's
 * services anew each time it lists the fields, a tenth of an LMTP delivery; this splits the bytes once, with
 * the same result: line ends made CRLF first (as jDKIM does), a field runs to the next line that does not start
 * with a space or tab, and the header ends at the first empty line.
 */
final class SignedMessage implements Headers {
    private final List<String> fields;
    private final List<String> names;
    private final byte[] bytes;
    private final int bodyStart;

    private SignedMessage(List<String> fields, List<String> names, byte[] bytes, int bodyStart) {
        this.fields = fields;
        this.names = names;
        this.bytes = bytes;
        this.bodyStart = bodyStart;
    }

    static SignedMessage of(byte[] message) {
        byte[] b;
        try (InputStream in = new EOLConvertingInputStream(new ByteArrayInputStream(message))) {
            b = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a stream over bytes in memory does not fail
        }
        List<String> fields = new ArrayList<>();
        List<String> names = new ArrayList<>();
        int fieldStart = -1;
        int fieldEnd = -1;
        int bodyStart = b.length; // no empty line: all header, no body
        int i = 0;
        while (i < b.length) {
            int eol = indexOfCrlf(b, i);
            int lineEnd = eol < 0 ? b.length : eol;
            int next = eol < 0 ? b.length : eol + 2;
            if (lineEnd == i) {
                bodyStart = next; // the empty line ends the header
                break;
            }
            if (b[i] != ' ' && b[i] != '\t') {
                add(b, fieldStart, fieldEnd, fields, names);
                fieldStart = i;
            }
            fieldEnd = lineEnd; // a field's folded lines are part of it, their line ends included
            i = next;
        }
        add(b, fieldStart, fieldEnd, fields, names);
        return new SignedMessage(List.copyOf(fields), List.copyOf(names), b, bodyStart);
    }

    private static void add(byte[] b, int start, int end, List<String> fields, List<String> names) {
        if (start < 0 || end <= start) {
            return;
        }
        String field = new String(b, start, end - start, StandardCharsets.UTF_8);
        int colon = field.indexOf(':');
        if (colon <= 0) {
            return; // not a field: mime4j, and so jDKIM, skips such a line
        }
        fields.add(field);
        names.add(field.substring(0, colon).strip());
    }

    private static int indexOfCrlf(byte[] b, int from) {
        for (int k = from; k + 1 < b.length; k++) {
            if (b[k] == '\r' && b[k + 1] == '\n') {
                return k;
            }
        }
        return -1;
    }

    @Override
    public List<String> getFields() {
        return fields;
    }

    @Override
    public List<String> getFields(String name) {
        List<String> out = new ArrayList<>();
        for (int k = 0; k < fields.size(); k++) {
            if (names.get(k).equalsIgnoreCase(name)) {
                out.add(fields.get(k));
            }
        }
        return out;
    }

    /** @return the body: every byte after the empty line that ends the header */
    InputStream body() {
        return new ByteArrayInputStream(bytes, bodyStart, bytes.length - bodyStart);
    }
}
