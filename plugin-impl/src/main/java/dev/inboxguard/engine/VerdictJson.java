package dev.inboxguard.engine;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.Verdict;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The verdict as the JSON object of CONTRACT.md: field names and order are part of the contract. Written with
 * Jackson's streaming generator rather than its object mapper, which would cost a {@code check} about 40 ms more
 * to build than the whole verdict takes to write.
 */
public final class VerdictJson {
    private static final JsonFactory JSON = new JsonFactory();

    private VerdictJson() {
    }

    /**
     * @param verdict a verdict
     * @return it as indented JSON text
     */
    public static String toJson(Verdict verdict) {
        return write(true, json -> {
            json.writeStartObject();
            json.writeStringField("action", verdict.action().id());
            if (verdict.approver().isPresent()) {
                json.writeStringField("approver", verdict.approver().get().id());
            }
            json.writeStringField("requestStatus", verdict.requestStatus().toString());
            if (verdict.method().isPresent()) {
                json.writeStringField("method", verdict.method().get().name());
            }
            if (verdict.uid().isPresent()) {
                json.writeStringField("uid", verdict.uid().get());
            }
            json.writeFieldName("findings");
            findings(json, verdict.findings());
            if (verdict.monitored().isPresent()) {
                // only when a monitor-mode rule would have decided otherwise; the action above is what happened
                Verdict.Outcome m = verdict.monitored().get();
                json.writeObjectFieldStart("monitor");
                json.writeStringField("action", m.action().id());
                if (m.approver().isPresent()) {
                    json.writeStringField("approver", m.approver().get().id());
                }
                json.writeStringField("requestStatus", m.requestStatus().toString());
                json.writeEndObject();
            }
            json.writeEndObject();
        });
    }

    /**
     * @param verdict a verdict
     * @return its findings as a JSON array on one line, as the audit log keeps them
     */
    public static String findingsJson(Verdict verdict) {
        return write(false, json -> findings(json, verdict.findings()));
    }

    private static void findings(JsonGenerator json, List<Finding> findings) throws IOException {
        json.writeStartArray();
        for (Finding f : findings) {
            json.writeStartObject();
            json.writeStringField("code", f.code().value());
            json.writeStringField("severity", f.severity().id());
            json.writeStringField("message", f.message());
            if (f.property().isPresent()) {
                json.writeStringField("property", f.property().get());
            }
            if (f.value().isPresent()) {
                json.writeStringField("value", f.value().get());
            }
            json.writeEndObject();
        }
        json.writeEndArray();
    }

    private interface Body {
        void writeTo(JsonGenerator json) throws IOException;
    }

    private static String write(boolean indented, Body body) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            if (indented) {
                json.useDefaultPrettyPrinter();
            }
            body.writeTo(json);
        } catch (IOException e) {
            throw new UncheckedIOException("a verdict always serialises", e);
        }
        return out.toString();
    }
}
