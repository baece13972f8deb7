package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.icegreen.greenmail.util.GreenMail;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.server.Account;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.server.InboxGuardServer;
import dev.inboxguard.server.PasswordHash;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.PreferenceStore;
import dev.inboxguard.storage.TestPostgres;
import jakarta.mail.internet.MimeMessage;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Mail about held items, through a GreenMail relay, and its one-click links in a real browser (desktop and phone):
 * the first held item is mailed at once, the next two wait for the hour and come as one digest; a link opens a
 * page that asks to confirm and changes nothing until the POST; a decision link works once; a changed link and an
 * expired one are refused with a page; a cross-site POST is refused; the unsubscribe link stops the mail; the daily
 * digest lists what still waits.
 */
class HeldNoticesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern APPROVE = Pattern.compile("Approve: +(\\S+)");
    private static final Pattern DENY = Pattern.compile("Deny: +(\\S+)");
    private static final Pattern UNSUBSCRIBE = Pattern.compile("no more of these mails: (\\S+)");

    @TempDir
    Path data;
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"desktop", "phone"})
    void heldItemsAreMailedAndDecidedFromTheMail(String device) throws Exception {
        Chromium.require();
        int httpPort = TestPorts.unused();
        int relayPort = TestPorts.unused();
        String base = "http://127.0.0.1:" + httpPort;
        GreenMail relay = ImipGatewayTest.startRelay(relayPort);
        MovableClock clock = new MovableClock();
        Accounts accounts = new Accounts(List.of("alice", "bob").stream()
                .map(n -> new Account(n, PasswordHash.of(n), n, List.of(CalendarUserAddress.of("mailto:" + n
                        + "@example.com")))).toList(), Set.of(), clock);
        Path yaml = dir.resolve("guard.yaml");
        Files.writeString(yaml, """
                server:
                  publicUrl: %s
                mail:
                  hostname: guard.example.com
                  lmtp: {bind: 127.0.0.1, port: 0}
                  relay: {host: 127.0.0.1, port: %d, tls: none, username: relayuser, password: secret,
                          timeoutSeconds: 5, retrySeconds: [1]}
                """.formatted(base, relayPort));
        try (Database store = TestPostgres.open(data);
             InboxGuardServer server = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", httpPort),
                     ConfigFile.load(yaml), accounts, store, clock)) {
            int lmtp = server.lmtpPort().orElseThrow();
            HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
            store.preferences().save("alice", new PreferenceStore.Preferences("known", "Europe/Paris", true, false));

            // the first held item: one mail, at once, in her time zone, with its links
            assertEquals("250", lmtp(lmtp, "olga@example.net", "one-1", "Quarterly review").substring(0, 3));
            MimeMessage first = mailFor(relay, "alice@example.com", 1);
            assertEquals("Held for you: Quarterly review", first.getSubject());
            String text = (String) first.getContent();
            assertTrue(text.contains("Thursday 10 December 2026, 10:00\u201318:00 (Europe/Paris)"), text);
            assertTrue(text.contains("You have not had an invitation from olga@example.net before."), text);
            assertEquals("auto-generated", first.getHeader("Auto-Submitted")[0]);
            assertEquals("List-Unsubscribe=One-Click", first.getHeader("List-Unsubscribe-Post")[0]);

            // two more within the hour: no mail until the hour is up, then one digest of both
            lmtp(lmtp, "olga@example.net", "two-2", "Budget <img src=x onerror=alert(1)> https://evil.example/login");
            lmtp(lmtp, "pete@example.org", "three-3", "Offsite");
            // a sweep now queues nothing, and nothing else was queued for her: the hour has not passed (the timer's
            // own sweeps bring the digest below)
            assertEquals(0, server.heldNotices().orElseThrow().sweep(), "the hour has not passed");
            assertEquals(1, queuedFor(store, "alice@example.com"), "the hour has not passed");
            clock.advance(Duration.ofMinutes(61));
            MimeMessage digest = mailFor(relay, "alice@example.com", 2);
            assertEquals("2 calendar messages wait for your decision", digest.getSubject());
            String digestText = (String) digest.getContent();
            assertTrue(digestText.contains("Budget") && digestText.contains("Offsite"), digestText);
            assertFalse(digestText.contains("Quarterly review"), "announced once: " + digestText);
            // the sender's link is not a link in a mail this server sends
            assertTrue(digestText.contains("https[:]//evil.example/login"), digestText);
            assertFalse(digestText.contains("https://evil.example"), digestText);

            WebDriver browser = Chromium.open(device, dir.resolve("profile-" + device));
            try {
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
                wait.ignoring(StaleElementReferenceException.class);
                // the link opens a page that asks; opening it changed nothing
                String approve = find(APPROVE, text);
                assertTrue(approve.startsWith(base + "/guard/act/"), approve);
                // one spelling per link: the same bytes spelled otherwise (Base64's spare bits) are refused
                String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
                String respelled = approve.substring(0, approve.length() - 1)
                        + alphabet.charAt(alphabet.indexOf(approve.charAt(approve.length() - 1)) ^ 1);
                assertEquals(403, post(http, respelled, Map.of()).statusCode());
                String firstId = null;
                for (JsonNode h : held(http, base)) {
                    if (h.get("uid").asText().equals("one-1")) {
                        firstId = h.get("id").asText();
                    }
                }
                browser.get(approve);
                wait.until(d -> d.getTitle().startsWith("Approve?"));
                assertTrue(browser.findElement(By.tagName("main")).getText().contains("Quarterly review"));
                assertEquals(3, held(http, base).size(), "a GET decides nothing");
                Chromium.shot(browser, device, "one-click-confirm");
                browser.findElement(By.id("confirm")).click();
                wait.until(d -> d.getTitle().startsWith("Done"));
                assertEquals(2, held(http, base).size());
                // the same link again: the item is decided, and the page says so
                browser.get(approve);
                wait.until(d -> d.getTitle().startsWith("Already decided"));
                // held again (as after a failed delivery), the used link still does nothing
                store.scheduling().reopen(firstId);
                HttpResponse<String> again = post(http, approve, Map.of());
                assertEquals(409, again.statusCode());
                assertTrue(again.body().contains("used already"), again.body());
                assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "/guard/api/held/" + firstId
                        + "/approve")).header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                        "alice:alice".getBytes(StandardCharsets.UTF_8))).POST(HttpRequest.BodyPublishers.noBody())
                        .build(), HttpResponse.BodyHandlers.ofString()).statusCode());

                // posted twice by a script: the second finds it decided
                String deny = find(DENY, digestText.substring(digestText.indexOf("Budget")));
                // the confirmation page shows the sender's markup as text
                String confirm = http.send(HttpRequest.newBuilder(URI.create(deny)).build(),
                        HttpResponse.BodyHandlers.ofString()).body();
                assertTrue(confirm.contains("Budget &lt;img src=x onerror=alert(1)&gt;"), confirm);
                assertFalse(confirm.contains("<img"), confirm);
                assertEquals(200, post(http, deny, Map.of()).statusCode());
                assertEquals(409, post(http, deny, Map.of()).statusCode());
                assertEquals(1, held(http, base).size());

                // a changed link, a link bound to alice edited to name bob, a cross-site POST: all refused
                String other = find(APPROVE, digestText.substring(digestText.indexOf("Offsite")));
                String token = other.substring(other.lastIndexOf('/') + 1);
                int at = other.length() - 5;
                String forged = other.substring(0, at) + (other.charAt(at) == 'A' ? 'B' : 'A') + other.substring(at + 1);
                browser.get(forged);
                wait.until(d -> d.getTitle().startsWith("This link is not valid"));
                String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]),
                        StandardCharsets.UTF_8).replace("alice\n", "bob\n");
                String asBob = base + "/guard/act/" + Base64.getUrlEncoder().withoutPadding()
                        .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + token.split("\\.")[1];
                assertEquals(403, post(http, asBob, Map.of()).statusCode());
                assertEquals(403, post(http, other, Map.of("Origin", "https://evil.example")).statusCode());
                assertEquals(403, post(http, other, Map.of("Sec-Fetch-Site", "cross-site")).statusCode());
                assertEquals(1, held(http, base).size());

                // the daily digest lists what still waits
                store.preferences().save("alice", new PreferenceStore.Preferences("known", "Europe/Paris", true,
                        true));
                clock.advance(Duration.ofHours(25));
                MimeMessage daily = mailFor(relay, "alice@example.com", 3);
                assertEquals("Still waiting: Offsite", daily.getSubject());

                // unsubscribing: a page asks, the POST stops the mail (a mail program's RFC 8058 POST works too)
                String unsubscribe = find(UNSUBSCRIBE, (String) daily.getContent());
                browser.get(unsubscribe);
                wait.until(d -> d.getTitle().startsWith("Stop these mails?"));
                browser.findElement(By.id("confirm")).click();
                wait.until(d -> d.getTitle().startsWith("No more mails"));
                JsonNode settings = JSON.readTree(api(http, base, "/guard/api/settings"));
                assertFalse(settings.get("mailHeld").asBoolean());
                lmtp(lmtp, "quinn@example.org", "four-4", "Lunch");
                clock.advance(Duration.ofHours(2));
                assertEquals(0, server.heldNotices().orElseThrow().sweep(), "no more mail after unsubscribing");
                assertEquals(3, queuedFor(store, "alice@example.com"), "no more mail after unsubscribing");
                // eight days on, a link has expired
                clock.advance(Duration.ofDays(8));
                browser.get(other);
                assertTrue(browser.getTitle().startsWith("This link has expired"), browser.getTitle() + ": "
                        + browser.findElement(By.tagName("main")).getText());
                assertEquals(410, http.send(HttpRequest.newBuilder(URI.create(other)).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode());

            } finally {
                browser.quit();
            }
        } finally {
            relay.stop();
        }
    }

    private static String find(Pattern p, String text) {
        Matcher m = p.matcher(text);
        assertTrue(m.find(), p + " in " + text);
        return m.group(1);
    }

    private static List<MimeMessage> mails(GreenMail relay, String to) throws Exception {
        List<MimeMessage> mine = new ArrayList<>();
        for (MimeMessage m : relay.getReceivedMessages()) {
            if (m.getAllRecipients() != null && m.getAllRecipients()[0].toString().equals(to)) {
                mine.add(m);
            }
        }
        return mine;
    }

    /** Mails for this address in the outbound queue, whether sent yet or not. */
    private static long queuedFor(Database store, String to) {
        return store.mail().queue(Optional.empty(), 1_000).stream().filter(m -> m.envelopeTo().equals(to)).count();
    }

    private static MimeMessage mailFor(GreenMail relay, String to, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            List<MimeMessage> mine = mails(relay, to);
            if (mine.size() >= n) {
                return mine.get(n - 1);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no mail number " + n + " for " + to);
    }

    private static JsonNode held(HttpClient http, String base) throws Exception {
        return JSON.readTree(api(http, base, "/guard/api/held")).get("held");
    }

    private static String api(HttpClient http, String base, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Basic "
                + Base64.getEncoder().encodeToString("alice:alice".getBytes(StandardCharsets.UTF_8))).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    private static HttpResponse<String> post(HttpClient http, String url, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("List-Unsubscribe=One-Click"));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** @return the LMTP reply for alice to an invitation from a stranger */
    private static String lmtp(int port, String from, String uid, String summary) throws Exception {
        String ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//remote//EN\r\nMETHOD:REQUEST\r\n"
                + "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20261201T090000Z\r\n"
                + "DTSTART:20261210T090000Z\r\nDTEND:20261210T170000Z\r\nSUMMARY:" + summary + "\r\nSEQUENCE:0\r\n"
                + "ORGANIZER:mailto:" + from + "\r\n"
                + "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:alice@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        String message = "From: <" + from + ">\r\nTo: alice@example.com\r\nSubject: Invitation\r\n"
                + "Date: Tue, 01 Dec 2026 10:00:00 +0000\r\nMessage-ID: <" + uid + "@example.net>\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: text/calendar; charset=UTF-8; method=REQUEST\r\n\r\n" + ics;
        return MailDialogue.deliver(port, true, from, List.of("alice@example.com"), message).get(0);
    }
}
