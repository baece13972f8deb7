package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.server.Account;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.server.InboxGuardServer;
import dev.inboxguard.server.PasswordHash;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Messages of the real-world corpus delivered through the running server's LMTP listener, as the MTA would hand
 * them over: what the default policy lets through must land, flagged, in the right calendar, and change it the way
 * the organizer or attendee expects; a flagged invitation is transparent and silent until accepted; and a rule in
 * monitor mode is audited without being enforced.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RealWorldDeliveryTest {
    private static final String REVIEW = "/dav/calendars/alice/work/review.ics";

    @TempDir
    static Path data;
    static Database store;
    static InboxGuardServer server;
    static DavClient dav;
    static int lmtp;

    @BeforeAll
    static void start() throws Exception {
        Path yaml = data.resolve("guard.yaml");
        // a monitored rule an operator wants to try: hold every stranger's first invitation
        Files.writeString(yaml, """
                imip:
                  trustedAuthservIds: [mx.corp.example]
                mail:
                  lmtp: {bind: 127.0.0.1, port: 0}
                policy:
                  rules:
                    - {code: sender.unknown, action: hold, approver: recipient, monitor: true}
                """);
        GuardConfig config = ConfigFile.load(yaml);
        Accounts accounts = new Accounts(List.of(account("alice"), account("bob")), Clock.systemUTC());
        store = TestPostgres.open(data);
        server = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0), config, accounts, store,
                Clock.systemUTC());
        dav = new DavClient(server.httpPort());
        lmtp = server.lmtpPort().orElseThrow();
        for (String user : List.of("alice", "bob")) {
            assertEquals(201, dav.send(user, "MKCALENDAR", "/dav/calendars/" + user + "/work/", null, null)
                    .statusCode());
        }
        // alice's own event, which the replies below answer
        assertEquals(201, dav.put("alice", REVIEW, corpus("stored/alice-quarterly-review.ics")).statusCode());
    }

    @AfterAll
    static void stop() throws Exception {
        server.close();
        store.close();
    }

    private static Account account(String name) {
        return new Account(name, PasswordHash.of(name), name, List.of(CalendarUserAddress.of("mailto:" + name
                + "@corp.example")));
    }

    @Test
    @Order(1)
    void aGoogleRsvpWithMisalignedDmarcSetsTheAttendeesAnswer() throws Exception {
        deliver("legitimate/google-rsvp-accepted.eml", "alice@corp.example");
        String copy = dav.get("alice", REVIEW);
        assertTrue(SchedulingTest.line(copy, "ATTENDEE", "erin@northwind.example").contains("PARTSTAT=ACCEPTED"),
                copy);
        assertEquals("flag", lastVerdict("alice").get("action").asText());
    }

    @Test
    @Order(2)
    void anOutlookReplyWithoutOrganizerIsJudgedAgainstTheOrganizersCopy() throws Exception {
        deliver("legitimate/outlook-reply-without-organizer.eml", "alice@corp.example");
        String copy = dav.get("alice", REVIEW);
        assertTrue(SchedulingTest.line(copy, "ATTENDEE", "dave@fabrikam.example").contains("PARTSTAT=TENTATIVE"),
                copy);
        assertEquals("deliver", lastVerdict("alice").get("action").asText());
    }

    @Test
    @Order(3)
    void aMemberOfAnInvitedListJoinsTheAttendeesAsAMember() throws Exception {
        // the member's client also wrote parameters nobody should choose for themselves in the organizer's copy
        deliver("legitimate/mailing-list-member-reply-without-member.eml", "alice@corp.example",
                "ATTENDEE;PARTSTAT=DECLINED:mailto:kai", "ATTENDEE;PARTSTAT=DECLINED;ROLE=CHAIR;X-OWNER=1:mailto:kai");
        String copy = dav.get("alice", REVIEW);
        String kai = SchedulingTest.line(copy, "ATTENDEE", "kai@partner.example");
        assertTrue(kai.contains("PARTSTAT=DECLINED") && kai.contains("MEMBER=\"mailto:team@partner.example\""), copy);
        assertFalse(kai.contains("ROLE=CHAIR") || kai.contains("X-OWNER"), kai);
        JsonNode verdict = lastVerdict("alice");
        assertEquals("flag", verdict.get("action").asText());
        assertTrue(verdict.get("findings").toString().contains("as a member of the invited list"), verdict.toString());
    }

    @Test
    @Order(4)
    void aStrangersReplyStillWaitsForTheOrganizer() throws Exception {
        deliver("hostile/party-crash-reply.eml", "alice@corp.example");
        assertFalse(dav.get("alice", REVIEW).contains("mallory@evil.example"));
        JsonNode held = dav.api("alice", "/guard/api/held").get("held");
        assertEquals(1, held.size(), held.toString());
        assertTrue(held.get(0).get("findings").toString().contains("party-crash"), held.toString());
    }

    @Test
    @Order(5)
    void aFlaggedInvitationIsTransparentAndSilentUntilAccepted() throws Exception {
        // sent by the boss's assistant with SENT-BY, authenticated in the boss's domain, no proxy configured
        deliver("legitimate/assistant-sent-by-same-domain.eml", "bob@corp.example");
        assertEquals("flag", lastVerdict("bob").get("action").asText());
        String path = dav.pathOf("bob", "/dav/calendars/bob/calendar/", "allhands-2027-01@corp.example");
        String copy = dav.get("bob", path);
        assertTrue(copy.contains("TRANSP:TRANSPARENT"), copy);
        assertTrue(copy.contains("X-INBOXGUARD-ORIGINAL-TRANSP:OPAQUE"), copy);
        assertTrue(copy.contains("sent by mailto:pa@corp.example on behalf of mailto:boss@corp.example"), copy);

        // bob accepts in his client, which keeps the properties it does not know
        String accepted = copy.replace("PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@corp.example",
                "PARTSTAT=ACCEPTED;RSVP=TRUE:mailto:bob@corp.example");
        assertTrue(accepted.contains("PARTSTAT=ACCEPTED"), copy);
        assertEquals(204, dav.put("bob", path, accepted).statusCode());
        String after = dav.get("bob", path);
        assertTrue(after.contains("TRANSP:OPAQUE"), after);
        assertFalse(after.contains("X-INBOXGUARD-ORIGINAL-TRANSP"), after);
    }

    @Test
    @Order(6)
    void aFlaggedInvitationLosesItsAlarmsAndAMonitoredRuleIsAuditedNotEnforced() throws Exception {
        // Thunderbird's invitation carries a DISPLAY alarm; lena is a stranger to bob, so the monitored rule
        // "hold strangers" would have held it, while the default flags it
        deliver("legitimate/thunderbird-invitation.eml", "bob@corp.example");
        String copy = dav.get("bob", dav.pathOf("bob", "/dav/calendars/bob/calendar/",
                "a1b2c3d4-thunderbird-5e6f@mail.example"));
        assertFalse(copy.contains("BEGIN:VALARM"), copy);
        assertTrue(copy.contains("TRANSP:TRANSPARENT"), copy);
        JsonNode audit = dav.api("bob", "/guard/api/audit").get("audit");
        JsonNode verdict = null;
        JsonNode monitor = null;
        for (JsonNode e : audit) {
            if (e.get("uid").asText().equals("a1b2c3d4-thunderbird-5e6f@mail.example")) {
                if (e.get("event").asText().equals("verdict")) {
                    verdict = e;
                } else if (e.get("event").asText().equals("monitor")) {
                    monitor = e;
                }
            }
        }
        assertEquals("flag", verdict.get("action").asText(), audit.toString());
        assertEquals("hold", monitor.get("action").asText(), audit.toString());
        assertEquals(0, dav.api("bob", "/guard/api/held").get("held").size());
    }

    private static void deliver(String file, String to, String... replace) throws Exception {
        String message = corpus(file);
        for (int i = 0; i + 1 < replace.length; i += 2) {
            assertTrue(message.contains(replace[i]), replace[i]);
            message = message.replace(replace[i], replace[i + 1]);
        }
        String envelope = message.substring(message.indexOf('<') + 1, message.indexOf('>'));
        List<String> replies = MailDialogue.deliver(lmtp, true, envelope, List.of(to), message);
        assertTrue(replies.get(0).startsWith("250"), file + ": " + replies);
    }

    private static JsonNode lastVerdict(String user) throws Exception {
        JsonNode audit = dav.api(user, "/guard/api/audit").get("audit");
        JsonNode last = null;
        for (JsonNode e : audit) {
            if (e.get("event").asText().equals("verdict") && e.get("recipient").asText().equals("mailto:" + user
                    + "@corp.example")) {
                last = e;
            }
        }
        return last;
    }

    private static String corpus(String relative) throws Exception {
        try (InputStream in = RealWorldDeliveryTest.class.getResourceAsStream("/corpus/" + relative)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
