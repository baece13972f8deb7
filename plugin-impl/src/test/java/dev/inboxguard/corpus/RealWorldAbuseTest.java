package dev.inboxguard.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inboxguard.cli.InboxGuardCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The allowances made for honest real-world senders, turned against the recipient: each must still end in hold.
 * Every case starts from a legitimate corpus message and changes what an attacker would change.
 */
class RealWorldAbuseTest {
    @TempDir
    Path dir;

    /** A corpus message with its folded lines joined, so that a replacement cannot miss a folded address. */
    private String corpus(String relative) throws Exception {
        return Files.readString(Path.of(RealWorldAbuseTest.class.getResource("/corpus/" + relative).toURI()))
                .replace("\r\n ", "");
    }

    private String stored(String relative) throws Exception {
        return Path.of(RealWorldAbuseTest.class.getResource("/corpus/" + relative).toURI()).toString();
    }

    private JsonNode check(String recipient, String message, String... extra) throws Exception {
        Path file = dir.resolve("m" + System.nanoTime() + ".eml");
        Files.writeString(file, message, StandardCharsets.UTF_8);
        List<String> args = new ArrayList<>(List.of("check", "--recipient", recipient, "--trust-authserv-id",
                "mx.corp.example", "--now", "2026-12-01T09:00:00Z"));
        args.addAll(List.of(extra));
        args.add(file.toString());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        assertEquals(0, InboxGuardCommand.execute(args.toArray(String[]::new), new PrintWriter(out, true),
                new PrintWriter(err, true)), err.toString());
        return new ObjectMapper().readTree(out.toString());
    }

    @Test
    void aColleagueCannotCancelOrMoveSomeoneElsesMeetingByNamingThemselvesInSentBy() throws Exception {
        // oscar, authenticated at northwind.example, "cancels" erin's offsite that bob holds, as her SENT-BY
        String cancel = corpus("legitimate/google-cancel-dmarc-misaligned.eml")
                .replace("ORGANIZER:mailto:erin@northwind.example",
                        "ORGANIZER;SENT-BY=\"mailto:oscar@northwind.example\":mailto:erin@northwind.example")
                .replace("Return-Path: <5TuV-google@calendar-server.bounces.google.com>",
                        "Return-Path: <oscar@northwind.example>")
                .replace("From: Erin Walsh <erin@northwind.example>", "From: Oscar <oscar@northwind.example>")
                .replace("spf=pass smtp.mailfrom=5TuV-google@calendar-server.bounces.google.com",
                        "spf=pass smtp.mailfrom=oscar@northwind.example")
                .replace("dmarc=fail header.from=northwind.example", "dmarc=pass header.from=northwind.example");
        JsonNode v = check("bob@corp.example", cancel, "--stored", stored("stored/bob-offsite.ics"));
        assertEquals("hold", v.get("action").asText(), v.toString());
        assertTrue(v.get("findings").toString().contains("did not send before"), v.toString());
    }

    @Test
    void aColleaguesForwardOfAnEventTheRecipientHoldsIsNotAForward() throws Exception {
        // heidi "forwards" an update of erin's offsite with a new time: bob holds it, so only erin may change it
        String update = corpus("legitimate/exchange-forwarded-meeting.eml")
                .replace("040000008200E00074C5B7101A82E00800000000A1B2C3D4@fabrikam.example",
                        "offsite-2027@northwind.example")
                .replace("grace@fabrikam.example", "erin@northwind.example")
                .replace("heidi@fabrikam.example", "heidi@northwind.example")
                .replace("fabrikam.example", "northwind.example")
                .replace("SEQUENCE:0", "SEQUENCE:7");
        JsonNode v = check("bob@corp.example", update, "--stored", stored("stored/bob-offsite.ics"));
        assertEquals("hold", v.get("action").asText(), v.toString());
    }

    @Test
    void twoUsersOfAPublicMailboxProviderAreNotColleagues() throws Exception {
        String sentBy = corpus("legitimate/exchange-delegate-sent-by.eml")
                .replace("ceo@fabrikam.example", "ceo.smith@gmail.com")
                .replace("assistant@fabrikam.example", "mallory@gmail.com")
                .replace("fabrikam.example", "gmail.com");
        JsonNode v = check("bob@corp.example", sentBy);
        assertEquals("hold", v.get("action").asText(), v.toString());
        assertTrue(v.get("findings").toString().contains("not from the organizer's own organization"), v.toString());
    }

    @Test
    void namingAnInvitedPersonInMemberMakesNobodyAListMember() throws Exception {
        // mallory, authenticated at northwind.example, claims to be a "member" of erin, an invited individual
        String reply = corpus("legitimate/mailing-list-member-reply.eml")
                .replace("judy@partner.example", "mallory@northwind.example")
                .replace("MEMBER=\"mailto:team@partner.example\"", "MEMBER=\"mailto:erin@northwind.example\"")
                .replace("partner.example", "northwind.example");
        JsonNode v = check("alice@corp.example", reply, "--stored", stored("stored/alice-quarterly-review.ics"));
        assertEquals("hold", v.get("action").asText(), v.toString());
        assertEquals("organizer", v.get("approver").asText(), v.toString());
        assertTrue(v.get("findings").toString().contains("was not invited"), v.toString());
    }

    @Test
    void aCalendarServicesSignatureDoesNotOutweighTheSendersOwnFailingOne() throws Exception {
        // Google's DKIM passes, but northwind.example's own signature fails: the message was changed after signing
        String rsvp = corpus("legitimate/google-rsvp-accepted.eml")
                .replace("dkim=pass header.d=google.com header.s=s1",
                        "dkim=pass header.d=google.com header.s=s1;\r\n dkim=fail header.d=northwind.example header.s=s1");
        JsonNode v = check("alice@corp.example", rsvp, "--stored", stored("stored/alice-quarterly-review.ics"));
        assertEquals("hold", v.get("action").asText(), v.toString());
    }
}
