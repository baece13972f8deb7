package dev.inboxguard.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The identity rules end to end through {@code inboxguard check}: the RFC 5546 delegation flow, forwarding,
 * acting on behalf, and the attacks (forged CANCEL, forged decline, organizer takeover, uninvited REFRESH, fake
 * delegate, party crash, stale update).
 */
class IdentityScenariosTest {
    @TempDir
    Path dir;

    private String fixture(String name) throws Exception {
        Path target = dir.resolve(name);
        try (InputStream in = IdentityScenariosTest.class.getResourceAsStream("/identity/" + name)) {
            Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return target.toString();
    }

    /** Runs check with the fixture config; answers the verdict. */
    private JsonNode check(String file, String... options) throws Exception {
        List<String> args = new ArrayList<>(List.of("check", "--config", fixture("identity.yaml"),
                "--now", "2026-11-21T00:00:00Z"));
        args.addAll(List.of(options));
        args.add(fixture(file));
        CheckCommandTest.Run r = CheckCommandTest.run(args.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        return r.json();
    }

    private static Set<String> codes(JsonNode v) {
        Set<String> out = new TreeSet<>();
        v.get("findings").forEach(f -> out.add(f.get("code").asText()));
        return out;
    }

    private String[] toAlice(String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("--recipient", "alice@example.com",
                "--stored", fixture("alice-stored.ics")));
        args.addAll(List.of(more));
        return args.toArray(String[]::new);
    }

    private static String[] mail(String envelope, String from, String... authenticated) {
        List<String> args = new ArrayList<>(List.of("--transport", "imip", "--sender", envelope, "--from", from));
        for (String d : authenticated) {
            args.addAll(List.of("--authenticated", d));
        }
        return args.toArray(String[]::new);
    }

    private String[] join(String[] a, String[] b) {
        String[] out = new String[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void anInvitedAttendeesAuthenticatedReplyIsDelivered() throws Exception {
        JsonNode v = check("reply-bob-accepts.ics", join(toAlice(),
                mail("bob@example.com", "bob@example.com", "example.com")));
        assertEquals("deliver", v.get("action").asText(), v.toString());
    }

    @Test
    void aPartyCrasherIsHeldForTheOrganizer() throws Exception {
        JsonNode v = check("reply-party-crash-mallory.ics", join(toAlice(),
                mail("mallory@example.net", "mallory@example.net", "example.net")));
        assertEquals("hold", v.get("action").asText(), v.toString());
        assertEquals("organizer", v.get("approver").asText());
        assertEquals(Set.of("party-crash"), codes(v));
        assertTrue(v.get("findings").get(0).get("message").asText().contains("\"Budget review\""));
    }

    @Test
    void theDelegationFlowOfRfc5546Passes() throws Exception {
        // bob forwards the invitation to his delegate dave (RFC 5546 section 4.2.4). Nothing proves the organizer
        // sent it; bob is authenticated in the organizer's own domain, so it arrives flagged as forwarded by him
        JsonNode forward = check("delegation-forward-bob-to-dave.ics", "--recipient", "dave@example.com",
                "--transport", "imip", "--sender", "bob@example.com", "--from", "bob@example.com",
                "--authenticated", "example.com");
        assertEquals("flag", forward.get("action").asText(), forward.toString());
        assertEquals(Set.of("sender.not-organizer"), codes(forward));
        // the same forward from outside the organizer's domain waits for dave to release it
        JsonNode outside = check("delegation-forward-bob-to-dave.ics", "--recipient", "dave@example.com",
                "--transport", "imip", "--sender", "bob@example.net", "--from", "bob@example.net",
                "--authenticated", "example.net");
        assertEquals("hold", outside.get("action").asText(), outside.toString());
        assertEquals("recipient", outside.get("approver").asText());
        // bob tells alice he delegated (section 4.2.5)
        JsonNode delegated = check("reply-bob-delegates-to-dave.ics", join(toAlice(),
                mail("bob@example.com", "bob@example.com", "example.com")));
        assertEquals("deliver", delegated.get("action").asText(), delegated.toString());
        // dave answers as the delegate, after alice's copy records the delegation (section 4.2.6)
        JsonNode accepted = check("reply-dave-accepts-as-delegate.ics", "--recipient", "alice@example.com",
                "--stored", fixture("alice-stored-after-delegation.ics"), "--transport", "imip",
                "--sender", "dave@example.com", "--from", "dave@example.com", "--authenticated", "example.com");
        assertEquals("deliver", accepted.get("action").asText(), accepted.toString());
    }

    @Test
    void aDelegateWhoseDelegationHasNotArrivedIsHeldForTheOrganizer() throws Exception {
        JsonNode v = check("reply-dave-accepts-as-delegate.ics", join(toAlice(),
                mail("dave@example.com", "dave@example.com", "example.com")));
        assertEquals("hold", v.get("action").asText(), v.toString());
        assertEquals("organizer", v.get("approver").asText());
        assertEquals(Set.of("delegation.inconsistent"), codes(v));
    }

    @Test
    void aFakeDelegateIsHeld() throws Exception {
        JsonNode v = check("reply-fake-delegate.ics", "--recipient", "alice@example.com",
                "--stored", fixture("alice-stored-after-delegation.ics"), "--transport", "imip",
                "--sender", "mallory@example.net", "--from", "mallory@example.net", "--authenticated", "example.net");
        assertEquals("hold", v.get("action").asText(), v.toString());
        assertTrue(codes(v).contains("delegation.inconsistent"), v.toString());
    }

    @Test
    void delegationLoopsAndMissingDelegatesAreInconsistent() throws Exception {
        JsonNode loop = check("delegation-loop.ics", "--recipient", "carol@example.org");
        assertTrue(codes(loop).contains("delegation.inconsistent"), loop.toString());
        assertTrue(loop.toString().contains("delegation loops"), loop.toString());
        JsonNode none = check("delegated-without-delegate.ics", toAlice());
        assertEquals(Set.of("delegation.inconsistent"), codes(none));
    }

    @Test
    void aForgedCancelIsRejected() throws Exception {
        JsonNode v = check("cancel-forged.ics", "--recipient", "bob@example.com", "--stored",
                fixture("bob-stored.ics"), "--transport", "imip", "--sender", "mallory@example.net",
                "--from", "mallory@example.net", "--authenticated", "example.net");
        assertEquals("reject", v.get("action").asText(), v.toString());
        assertEquals("3.8;No authority", v.get("requestStatus").asText());
        assertEquals(Set.of("sender.not-organizer"), codes(v));
    }

    @Test
    void aDkimLookupThatFailedForNowIsATemporaryFailureNotAJudgement() throws Exception {
        // RFC 8601 temperror (a DNS timeout): neither a pass nor a failure, so the verdict must not depend on it
        String ics = new String(dev.inboxguard.Samples.request(), java.nio.charset.StandardCharsets.UTF_8);
        for (String result : List.of("temperror", "pass", "fail")) {
            Path eml = dir.resolve("dkim-" + result + ".eml");
            Files.writeString(eml, "Return-Path: <alice@example.com>\r\n"
                    + "Authentication-Results: mx.example.org; dkim=" + result + " header.d=example.com\r\n"
                    + "From: alice@example.com\r\nTo: bob@example.com\r\nMessage-ID: <t-" + result
                    + "@example.com>\r\nContent-Type: text/calendar; method=REQUEST\r\n\r\n" + ics);
            CheckCommandTest.Run r = CheckCommandTest.run("check", "--trust-authserv-id", "mx.example.org",
                    "--recipient", "bob@example.com", "--known", "alice@example.com", eml.toString());
            JsonNode v = r.json();
            switch (result) {
                case "temperror" -> {
                    assertEquals("reject", v.get("action").asText(), v.toString());
                    assertEquals("5.1;Service unavailable", v.get("requestStatus").asText());
                    assertTrue(codes(v).contains("guard.overloaded"), v.toString());
                }
                case "pass" -> assertEquals("deliver", v.get("action").asText(), v.toString());
                default -> assertEquals(Set.of("sender.unauthenticated"), codes(v), v.toString());
            }
        }
    }

    @Test
    void aCancelThatOnlyClaimsTheOrganizerInTheFromHeaderIsNotDelivered() throws Exception {
        JsonNode v = check("cancel-forged.ics", "--recipient", "bob@example.com", "--stored",
                fixture("bob-stored.ics"), "--transport", "imip", "--sender", "alice@example.com",
                "--from", "alice@example.com");
        assertEquals("hold", v.get("action").asText(), v.toString());
        assertEquals(Set.of("sender.unauthenticated"), codes(v));
    }

    @Test
    void aForgedDeclineFromAVipIsRejected() throws Exception {
        JsonNode v = check("reply-vip-declines-forged.ics", join(toAlice(),
                mail("mallory@example.net", "mallory@example.net", "example.net")));
        assertEquals("reject", v.get("action").asText(), v.toString());
        assertEquals(Set.of("sender.not-attendee"), codes(v));
        // the same decline from carol's alias is hers
        JsonNode alias = check("reply-vip-declines-forged.ics", join(toAlice(),
                mail("c.jones@example.org", "c.jones@example.org", "example.org")));
        assertEquals("deliver", alias.get("action").asText(), alias.toString());
    }

    @Test
    void anOrganizerTakeoverIsRejected() throws Exception {
        JsonNode v = check("request-organizer-takeover.ics", "--recipient", "bob@example.com", "--stored",
                fixture("bob-stored.ics"), "--transport", "imip", "--sender", "mallory@example.net",
                "--from", "mallory@example.net", "--authenticated", "example.net");
        assertEquals("reject", v.get("action").asText(), v.toString());
        assertTrue(codes(v).contains("organizer.changed"), v.toString());
    }

    @Test
    void anUninvitedRefreshIsRejected() throws Exception {
        JsonNode v = check("refresh-uninvited.ics", join(toAlice(),
                mail("mallory@example.net", "mallory@example.net", "example.net")));
        assertEquals("reject", v.get("action").asText(), v.toString());
        assertEquals(Set.of("refresh.not-attendee"), codes(v));
    }

    @Test
    void staleAndUnknownMessagesAreCaught() throws Exception {
        JsonNode stale = check("request-stale.ics", "--recipient", "bob@example.com", "--stored",
                fixture("bob-stored.ics"), "--sender", "alice@example.com");
        assertEquals(Set.of("event.stale"), codes(stale));
        assertEquals("reject", stale.get("action").asText());
        JsonNode unknown = check("reply-bob-accepts.ics", "--recipient", "alice@example.com",
                "--sender", "bob@example.com");
        assertEquals(Set.of("event.unknown"), codes(unknown));
        JsonNode update = check("update-from-alice.ics", "--recipient", "bob@example.com", "--stored",
                fixture("bob-stored.ics"), "--sender", "alice@example.com");
        assertEquals("deliver", update.get("action").asText(), update.toString());
    }

    @Test
    void anInvitationForwardedFromAnotherDomainIsHeldForTheRecipient() throws Exception {
        JsonNode v = check("update-from-alice.ics", "--recipient", "frank@example.com", "--transport", "imip",
                "--sender", "bob@example.net", "--from", "bob@example.net", "--authenticated", "example.net");
        assertEquals("hold", v.get("action").asText(), v.toString());
        assertEquals("recipient", v.get("approver").asText());
        assertEquals(Set.of("sender.not-organizer"), codes(v));
    }

    @Test
    void anInvitationForwardedByTheOrganizersAuthenticatedColleagueIsFlagged() throws Exception {
        // Outlook's "Forward" of a meeting: the ORGANIZER stays, a colleague in the organizer's domain sends it
        JsonNode v = check("update-from-alice.ics", "--recipient", "frank@example.com", "--transport", "imip",
                "--sender", "bob@example.com", "--from", "bob@example.com", "--authenticated", "example.com");
        assertEquals("flag", v.get("action").asText(), v.toString());
        assertEquals(Set.of("sender.not-organizer"), codes(v));
        assertTrue(v.get("findings").get(0).get("message").asText().startsWith("forwarded by mailto:bob@example.com"));
        // unauthenticated, the same forward is held
        JsonNode bare = check("update-from-alice.ics", "--recipient", "frank@example.com", "--transport", "imip",
                "--sender", "bob@example.com", "--from", "bob@example.com");
        assertEquals("hold", bare.get("action").asText(), bare.toString());
    }

    @Test
    void anAssistantActsForTheBossOnlyWithSentByAndOnlyIfAllowed() throws Exception {
        JsonNode caldav = check("request-sent-by-assistant.ics", "--recipient", "bob@example.com",
                "--sender", "assistant@example.com");
        assertEquals("deliver", caldav.get("action").asText(), caldav.toString());
        JsonNode missing = check("request-boss-without-sent-by.ics", "--recipient", "bob@example.com",
                "--sender", "assistant@example.com");
        assertEquals(Set.of("sender.sent-by-unauthorized"), codes(missing));
        JsonNode stranger = check("request-boss-without-sent-by.ics", "--recipient", "bob@example.com",
                "--sender", "intern@example.com");
        assertEquals(Set.of("sender.not-organizer"), codes(stranger));
        JsonNode mail = check("request-sent-by-assistant.ics", "--recipient", "bob@example.com", "--transport",
                "imip", "--sender", "assistant@example.com", "--from", "assistant@example.com",
                "--authenticated", "example.com");
        assertEquals("deliver", mail.get("action").asText(), mail.toString());
    }

    @Test
    void aSentByThatNoProxyRuleNamesIsFlaggedInTheOrganizersDomainAndHeldFromElsewhere() throws Exception {
        // an assistant authenticated in the boss's own domain: the everyday case, delivered with a note
        JsonNode same = CheckCommandTest.run("check", "--recipient", "bob@example.com", "--transport",
                "imip", "--sender", "assistant@example.com", "--from", "assistant@example.com", "--authenticated",
                "example.com", fixture("request-sent-by-assistant.ics")).json();
        assertEquals("flag", same.get("action").asText(), same.toString());
        assertEquals(Set.of("sender.sent-by-unauthorized"), codes(same));
        assertTrue(same.get("findings").get(0).get("message").asText().contains(
                "sent by mailto:assistant@example.com on behalf of mailto:boss@example.com"), same.toString());
        // the same assistant with no authentication: held, never refused
        JsonNode unauthenticated = CheckCommandTest.run("check", "--recipient", "bob@example.com", "--transport",
                "imip", "--sender", "assistant@example.com", "--from", "assistant@example.com",
                fixture("request-sent-by-assistant.ics")).json();
        assertEquals("hold", unauthenticated.get("action").asText(), unauthenticated.toString());
        // someone in another domain who claims to send for the boss: held for the recipient
        String other = java.nio.file.Files.readString(java.nio.file.Path.of(fixture("request-sent-by-assistant.ics")))
                .replace("assistant@example.com", "agent@travel.example");
        java.nio.file.Path file = java.nio.file.Files.createTempFile("sent-by", ".ics");
        java.nio.file.Files.writeString(file, other);
        JsonNode elsewhere = CheckCommandTest.run("check", "--recipient", "bob@example.com", "--transport",
                "imip", "--sender", "agent@travel.example", "--from", "agent@travel.example", "--authenticated",
                "travel.example", file.toString()).json();
        java.nio.file.Files.delete(file);
        assertEquals("hold", elsewhere.get("action").asText(), elsewhere.toString());
        assertEquals("recipient", elsewhere.get("approver").asText());
        assertEquals(Set.of("sender.sent-by-unauthorized"), codes(elsewhere));
    }

    @Test
    void theGuardsOwnDkimVerificationAuthenticatesTheOrganizer() throws Exception {
        dev.inboxguard.mime.DkimVerificationTest.TestKey key = dev.inboxguard.mime.DkimVerificationTest.key(
                "example.com");
        String ics = Files.readString(Path.of(fixture("update-from-alice.ics")));
        String mail = "From: Alice <alice@example.com>\r\nTo: bob@example.com\r\nSubject: Budget review\r\n"
                + "Date: Sat, 21 Nov 2026 09:00:00 +0000\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/calendar; method=REQUEST; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: base64\r\n\r\n"
                + java.util.Base64.getMimeEncoder().encodeToString(ics.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                + "\r\n";
        String signed = key.sign(mail);
        Path config = dir.resolve("dkim.yaml");
        Files.writeString(config, "imip:\n  dkim: keys\n  dkimKeys:\n    " + key.name() + ": \"" + key.record()
                + "\"\n");
        Path good = dir.resolve("signed.eml");
        Files.writeString(good, "Return-Path: <alice@example.com>\r\n" + signed);
        Path bad = dir.resolve("tampered.eml");
        Files.writeString(bad, "Return-Path: <alice@example.com>\r\n" + signed.replace("Subject: Budget review",
                "Subject: Budget review (updated)"));
        for (Path p : List.of(good, bad)) {
            CheckCommandTest.Run r = CheckCommandTest.run("check", "--config", config.toString(), "--stored",
                    fixture("bob-stored.ics"), p.toString());
            assertEquals(0, r.status(), r.err());
            JsonNode v = r.json();
            if (p == good) {
                assertEquals("deliver", v.get("action").asText(), v.toString());
            } else {
                assertEquals(Set.of("sender.unauthenticated"), codes(v), v.toString());
            }
        }
    }
}
