package dev.inboxguard.scheduling;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.inboxguard.api.AuthenticationResult;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.api.CaldavSubmission;
import dev.inboxguard.api.ImipDelivery;
import dev.inboxguard.api.TransportFacts;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What brought a delivered or held item, kept beside it so that the person deciding, and the operator passing on a
 * spam report, can see where it came from: for iMIP the Message-ID, envelope sender, From and the trusted
 * authentication results; for CalDAV the signed-in principal.
 *
 * @param transport       {@code caldav} or {@code imip}
 * @param principal       the signed-in user (CalDAV), or empty
 * @param messageId       the Message-ID (iMIP), or empty
 * @param envelopeSender  the MAIL FROM (iMIP), or empty
 * @param from            the From header's address (iMIP), or empty
 * @param authentication  the trusted results, each as {@code method=result (domain)}
 */
public record Provenance(String transport, String principal, String messageId, String envelopeSender, String from,
                         List<String> authentication) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Copies the list. */
    public Provenance {
        authentication = List.copyOf(authentication);
    }

    /** @return what the transport facts say about where a message came from */
    public static Provenance of(TransportFacts facts) {
        if (facts instanceof CaldavSubmission c) {
            return new Provenance("caldav", c.principal(), "", "", "", List.of());
        }
        ImipDelivery m = (ImipDelivery) facts;
        List<String> results = new ArrayList<>();
        for (AuthenticationResult r : m.authenticationResults()) {
            results.add(r.method() + "=" + r.result() + (r.domain().isEmpty() ? "" : " (" + r.domain() + ")"));
        }
        return new Provenance("imip", "", m.messageId().orElse(""), address(m.envelopeSender()), address(m.from()),
                results);
    }

    private static String address(Optional<CalendarUserAddress> a) {
        return a.map(x -> x.email().orElse(x.uri())).orElse("");
    }

    /** @return this, as the JSON object the stores keep */
    public String json() {
        ObjectNode o = JSON.createObjectNode();
        o.put("transport", transport);
        if (transport.equals("caldav")) {
            o.put("principal", principal);
        } else {
            o.put("messageId", messageId);
            o.put("envelopeSender", envelopeSender);
            o.put("from", from);
            ArrayNode a = o.putArray("authentication");
            authentication.forEach(a::add);
        }
        return o.toString();
    }

    /** @return the provenance a store kept, or empty for an item from before it was recorded */
    public static Optional<Provenance> parse(String json) {
        if (json == null || json.isBlank()) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(json);
            List<String> results = new ArrayList<>();
            n.path("authentication").forEach(x -> results.add(x.asText()));
            return Optional.of(new Provenance(n.path("transport").asText(""), n.path("principal").asText(""),
                    n.path("messageId").asText(""), n.path("envelopeSender").asText(""), n.path("from").asText(""),
                    results));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
