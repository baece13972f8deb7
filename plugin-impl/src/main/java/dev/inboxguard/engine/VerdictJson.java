package dev.inboxguard.engine;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inboxguard.api.Finding;
import dev.inboxguard.api.Verdict;

/** The verdict as the JSON object of CONTRACT.md: field names and order are part of the contract. */
public final class VerdictJson {
    private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private VerdictJson() {
    }

    /**
     * @param verdict a verdict
     * @return it as a JSON tree
     */
    public static ObjectNode toTree(Verdict verdict) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("action", verdict.action().id());
        verdict.approver().ifPresent(a -> root.put("approver", a.id()));
        root.put("requestStatus", verdict.requestStatus().toString());
        verdict.method().ifPresent(m -> root.put("method", m.name()));
        verdict.uid().ifPresent(u -> root.put("uid", u));
        ArrayNode findings = root.putArray("findings");
        for (Finding f : verdict.findings()) {
            ObjectNode node = findings.addObject();
            node.put("code", f.code().value());
            node.put("severity", f.severity().id());
            node.put("message", f.message());
            f.property().ifPresent(p -> node.put("property", p));
            f.value().ifPresent(v -> node.put("value", v));
        }
        verdict.monitored().ifPresent(m -> {
            // only when a monitor-mode rule would have decided otherwise; the action above is what happened
            ObjectNode node = root.putObject("monitor");
            node.put("action", m.action().id());
            m.approver().ifPresent(a -> node.put("approver", a.id()));
            node.put("requestStatus", m.requestStatus().toString());
        });
        return root;
    }

    /**
     * @param verdict a verdict
     * @return it as indented JSON text
     */
    public static String toJson(Verdict verdict) {
        try {
            return MAPPER.writeValueAsString(toTree(verdict));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a verdict always serialises", e);
        }
    }
}
