package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.mime.DkimVerificationTest;
import dev.inboxguard.server.InboxGuardServer;
import dev.inboxguard.storage.AuditEntry;
import dev.inboxguard.storage.Concurrently;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.QueuedMail;
import dev.inboxguard.storage.TestPostgres;
import jakarta.mail.internet.MimeMessage;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two InboxGuard nodes on one PostgreSQL database, as behind a load balancer: each has its own HTTP and LMTP ports,
 * connection pool and outbound queue, and no state of its own. Work is split between them (and sometimes sent to
 * both at once), and the outcome must be what one node would produce: nothing lost, nothing twice, limits that
 * hold for the pair.
 */
class TwoNodeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path data;
    static GreenMail relay;
    static DkimVerificationTest.TestKey remoteKey;
    static Database dbA;
    static Database dbB;
    static InboxGuardServer nodeA;
    static InboxGuardServer nodeB;
    static DavClient davA;
    static DavClient davB;

    @BeforeAll
    static void start() throws Exception {
        relay = ImipGatewayTest.startRelay(0);
        remoteKey = DkimVerificationTest.key("example.net");
        GuardConfig config = ImipGatewayTest.guardConfig(data, remoteKey, relay.getSmtp().getPort(), "");
        GuardConfig.Storage shared = TestPostgres.freshDatabase();
        dbA = Database.open(shared, Files.createDirectories(data.resolve("a")));
        dbB = Database.open(shared, Files.createDirectories(data.resolve("b")));
        assertTrue(dbA.description().startsWith("PostgreSQL at jdbc:postgresql://"), dbA.description());
        nodeA = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0), config, SchedulingTest.accounts(), dbA,
                Clock.systemUTC());
        nodeB = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0), config, SchedulingTest.accounts(), dbB,
                Clock.systemUTC());
        davA = new DavClient(nodeA.httpPort());
        davB = new DavClient(nodeB.httpPort());
        for (String user : List.of("alice", "bob", "carol", "dave")) {
            DavClient either = user.hashCode() % 2 == 0 ? davA : davB;
            assertEquals(201, either.send(user, "MKCALENDAR", "/dav/calendars/" + user + "/work/", null, null)
                    .statusCode());
            // each node checks a password once (PBKDF2, deliberately slow) and then remembers it; a crowd of
            // first sign-ins at once is turned away with 503 by design, which is not what these tests are about
            for (DavClient node : List.of(davA, davB)) {
                assertEquals(200, node.send(user, "GET", "/guard/api/inbox", null, null).statusCode());
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        nodeA.close();
        nodeB.close();
        dbA.close();
        dbB.close();
        relay.stop();
    }

    private static int lmtp(InboxGuardServer node) {
        return node.lmtpPort().orElseThrow();
    }

    @Test
    void invitationsWrittenThroughBothNodesReachEveryInboxOnce() throws Exception {
        List<Callable<Integer>> puts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            DavClient node = i % 2 == 0 ? davA : davB;
            // two organizers, ten each: within the per-pair burst, which the flood test below is about
            String organizer = i % 4 < 2 ? "alice" : "dave";
            String uid = "split-" + i + "@example.com";
            String ics = ImipGatewayTest.event(uid, "Split " + i, "bob@example.com", "carol@example.com")
                    .replace("alice@example.com", organizer + "@example.com");
            String path = "/dav/calendars/" + organizer + "/work/split-" + i + ".ics";
            puts.add(() -> node.put(organizer, path, ics).statusCode());
        }
        List<Integer> statuses = Concurrently.run(puts);
        assertTrue(statuses.stream().allMatch(s -> s == 201), "every PUT was created: " + statuses);
        for (String attendee : List.of("bob", "carol")) {
            // read back through the other node than half the writes went to
            List<String> uids = new ArrayList<>();
            for (JsonNode item : davB.api(attendee, "/guard/api/inbox").get("inbox")) {
                String uid = item.get("uid").asText();
                if (uid.startsWith("split-")) {
                    uids.add(uid);
                }
            }
            assertEquals(20, uids.size(), attendee + "'s inbox: " + uids);
            assertEquals(20, new HashSet<>(uids).size(), "no invitation twice in " + attendee + "'s inbox");
            long copies = dbA.calendars().objects(attendee, "calendar").stream()
                    .filter(o -> o.uid().startsWith("split-")).count();
            assertEquals(20, copies, attendee + "'s calendar has each event once");
        }
    }

    @Test
    void oneMessageGivenToBothNodesAtOnceIsDeliveredOnce() throws Exception {
        String uid = "twice-1@example.net";
        String message = remoteKey.sign(ImipGatewayTest.email("Olga <olga@example.net>", "dave@example.com",
                "REQUEST", "twice-1@example.net", ImipGatewayTest.remoteRequest(uid, "dave@example.com", "Twice")));
        List<Callable<String>> deliveries = new ArrayList<>();
        for (InboxGuardServer node : List.of(nodeA, nodeB, nodeA, nodeB)) {
            deliveries.add(() -> MailDialogue.deliver(lmtp(node), true, "olga@example.net",
                    List.of("dave@example.com"), message).get(0));
        }
        List<String> replies = Concurrently.run(deliveries);
        assertTrue(replies.stream().anyMatch(r -> r.startsWith("250")), replies.toString());
        // a node that found the message in hand elsewhere says so with 451, and the MTA's retry gets the answer
        assertTrue(replies.stream().allMatch(r -> r.startsWith("250") || r.startsWith("451 4.3.0")),
                replies.toString());
        for (InboxGuardServer node : List.of(nodeA, nodeB)) {
            String retry = MailDialogue.deliver(lmtp(node), true, "olga@example.net", List.of("dave@example.com"),
                    message).get(0);
            assertTrue(retry.startsWith("250"), retry);
        }
        long held = dbB.scheduling().heldFor("dave").stream().filter(h -> h.uid().equals(uid)).count();
        long delivered = dbB.scheduling().inbox("dave").stream().filter(i -> i.uid().equals(uid)).count();
        assertEquals(1, held + delivered, "one result for one message");
    }

    @Test
    void approvalsSplitBetweenNodesAreCarriedOutOnce() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String uid = "offsite-" + i + "@example.net";
            String message = remoteKey.sign(ImipGatewayTest.email("Olga <olga@example.net>", "bob@example.com",
                    "REQUEST", "offsite-" + i + "@example.net",
                    ImipGatewayTest.remoteRequest(uid, "bob@example.com", "Offsite " + i)));
            String r = MailDialogue.deliver(lmtp(i % 2 == 0 ? nodeA : nodeB), true, "olga@example.net",
                    List.of("bob@example.com"), message).get(0);
            assertTrue(r.startsWith("250"), r);
        }
        for (JsonNode h : davA.api("bob", "/guard/api/held").get("held")) {
            if (h.get("uid").asText().startsWith("offsite-")) {
                ids.add(h.get("id").asText());
            }
        }
        assertEquals(3, ids.size(), "each invitation from the unknown sender waits for bob once");

        // bob signs in to the approval page on node A; the load balancer sends his click to node B
        Browser bob = new Browser();
        assertEquals(303, bob.post(nodeA, "/guard/login", Map.of("user", "bob", "password", "bob")).statusCode());
        String page = bob.get(nodeB, "/guard/").body();
        Matcher csrf = Pattern.compile("name=\"csrf\" value=\"([0-9a-f]+)\"").matcher(page);
        assertTrue(csrf.find(), "node B knows bob's sign-in from node A: " + page);
        assertEquals(303, bob.post(nodeB, "/guard/api/held/" + ids.get(0) + "/approve",
                Map.of("csrf", csrf.group(1))).statusCode());
        assertTrue(davA.get("bob", davA.pathOf("bob", "/dav/calendars/bob/calendar/", "offsite-0@example.net"))
                .contains("Offsite 0"));

        // the same item approved on both nodes at once, twice over: one decision each, carried out once
        for (String id : ids.subList(1, 3)) {
            List<Callable<Integer>> clicks = new ArrayList<>();
            for (DavClient node : List.of(davA, davB, davA, davB)) {
                clicks.add(() -> node.send("bob", "POST", "/guard/api/held/" + id + "/approve", null, null)
                        .statusCode());
            }
            List<Integer> statuses = Concurrently.run(clicks);
            assertEquals(1, statuses.stream().filter(s -> s == 200).count(), statuses.toString());
            assertEquals(3, statuses.stream().filter(s -> s == 409).count(), statuses.toString());
        }
        for (int i = 0; i < 3; i++) {
            String uid = "offsite-" + i + "@example.net";
            assertEquals(1, dbA.calendars().objects("bob", "calendar").stream().filter(o -> o.uid().equals(uid))
                    .count());
        }
        Map<String, Integer> approvals = new HashMap<>();
        for (AuditEntry e : dbB.scheduling().auditTrail(Optional.of("bob"), 0, 1000)) {
            if (ids.contains(e.heldId()) && e.event().equals("approved")) {
                approvals.merge(e.heldId(), 1, Integer::sum);
            }
        }
        assertEquals(Map.of(ids.get(0), 1, ids.get(1), 1, ids.get(2), 1), approvals, "one approval in the audit each");
    }

    @Test
    void aFloodSplitBetweenNodesMeetsOneLimit() throws Exception {
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            answers.addAll(MailDialogue.deliver(lmtp(i % 2 == 0 ? nodeA : nodeB), true, "spam@example.org",
                    List.of("carol@example.com"), ImipGatewayTest.spam(i)));
        }
        // perPair allows a burst of 10 from one sender to one recipient: 10 for the cluster, not 10 per node
        assertEquals(10, answers.stream().filter(a -> a.startsWith("250")).count(), answers.toString());
        assertEquals(6, answers.stream().filter(a -> a.startsWith("451 4.7.1")).count(), answers.toString());
    }

    @Test
    void outgoingInvitationsAreSentOnceThoughBothNodesRunAQueue() throws Exception {
        List<String> guests = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            guests.add("guest" + i + "@example.net");
        }
        for (int i = 0; i < guests.size(); i++) {
            DavClient node = i % 2 == 0 ? davA : davB;
            String uid = "out-" + i + "@example.com";
            assertEquals(201, node.put("alice", "/dav/calendars/alice/work/out-" + i + ".ics",
                    ImipGatewayTest.event(uid, "Lunch " + i, guests.get(i))).statusCode());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (sentTo(guests).size() < guests.size() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        Thread.sleep(2_000); // long enough for a second send, had one been coming
        List<String> sent = sentTo(guests);
        assertEquals(guests.size(), sent.size(), "one message per guest: " + sent);
        assertEquals(Set.copyOf(guests), Set.copyOf(sent));
        assertEquals(0, dbA.mail().queue(Optional.of(QueuedMail.QUEUED), 100).stream()
                .filter(m -> m.uid().startsWith("out-")).count(), "nothing left in the queue");
    }

    private static List<String> sentTo(List<String> guests) throws Exception {
        List<String> to = new ArrayList<>();
        for (MimeMessage m : relay.getReceivedMessages()) {
            String rcpt = m.getAllRecipients()[0].toString();
            if (guests.contains(rcpt)) {
                to.add(rcpt);
            }
        }
        return to;
    }

    /** A browser's cookie jar, for the approval page, talking to whichever node it is sent to. */
    private static final class Browser {
        private final HttpClient http = HttpClient.newHttpClient();
        private String cookie = "";

        HttpResponse<String> get(InboxGuardServer node, String path) throws Exception {
            return send(node, path, HttpRequest.newBuilder().GET());
        }

        HttpResponse<String> post(InboxGuardServer node, String path, Map<String, String> form) throws Exception {
            StringBuilder body = new StringBuilder();
            form.forEach((k, v) -> body.append(body.length() == 0 ? "" : "&").append(k).append('=')
                    .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
            return send(node, path, HttpRequest.newBuilder().header("Content-Type",
                    "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body.toString())));
        }

        private HttpResponse<String> send(InboxGuardServer node, String path, HttpRequest.Builder b)
                throws Exception {
            String base = "http://127.0.0.1:" + node.httpPort();
            b.uri(URI.create(base + path)).header("Sec-Fetch-Site", "same-origin");
            if (!cookie.isEmpty()) {
                b.header("Cookie", cookie);
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            r.headers().firstValue("Set-Cookie").ifPresent(c -> cookie = c.substring(0, c.indexOf(';')));
            return r;
        }
    }
}
