package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.config.GuardConfig;
import dev.inboxguard.server.Account;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.server.InboxGuardServer;
import dev.inboxguard.server.PasswordHash;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The people's pages in a real browser (Debian's chromium, driven by Selenium through chromedriver), once on a
 * desktop window and once with phone emulation (390×844, device pixel ratio 3): the landing page, sign-in,
 * settings (invitations from known senders only, a time zone, a block list), a stranger's invitation by LMTP held
 * and denied, a party crash held and approved, a double decision from a stale tab, report spam (the sender is
 * blocked and the operator exports an RFC 5965 report), removing a delivered invitation without answering, and an
 * expired sign-in that leads back to the sign-in page. Screenshots land in target/screenshots.
 */
class ApprovalPageBrowserTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path data;
    @TempDir
    Path profile;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"desktop", "phone"})
    void everyFlowOfThePeoplesPages(String device) throws Exception {
        Chromium.require();
        MovableClock clock = new MovableClock();
        Accounts accounts = new Accounts(List.of("alice", "bob", "mallory").stream()
                .map(n -> new Account(n, PasswordHash.of(n), n.substring(0, 1).toUpperCase() + n.substring(1),
                        List.of(CalendarUserAddress.of("mailto:" + n + "@example.com")))).toList(),
                Set.of("alice"), clock);
        Path yaml = profile.resolve("guard.yaml");
        Files.writeString(yaml, """
                mail:
                  hostname: mx.example.com
                  lmtp: {bind: 127.0.0.1, port: 0}
                """);
        GuardConfig config = ConfigFile.load(yaml);
        try (Database store = TestPostgres.open(data);
             InboxGuardServer server = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0), config,
                     accounts, store, clock)) {
            String base = "http://127.0.0.1:" + server.httpPort();
            int lmtp = server.lmtpPort().orElseThrow();
            HttpClient http = HttpClient.newHttpClient();
            for (String user : new String[] {"alice", "bob", "mallory"}) {
                send(http, base, user, "MKCALENDAR", "/dav/calendars/" + user + "/work/", "");
            }
            WebDriver browser = Chromium.open(device, profile.resolve(device));
            try {
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
                wait.ignoring(StaleElementReferenceException.class);
                // Chrome's own word for an element a navigation replaced while it was read ("Node with given id does
                // not belong to the document", once in CI): the condition is asked again, as for a stale element
                wait.ignoring(org.openqa.selenium.WebDriverException.class);
                browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));

                // the bare address: a page naming the CalDAV URL and the way to the approval page
                browser.get(base + "/");
                assertEquals(base + "/dav/", browser.findElement(By.id("caldav-url")).getText());
                browser.findElement(By.id("guard-link")).click();
                wait.until(d -> d.getCurrentUrl().endsWith("/guard/login"));
                signIn(browser, wait, "alice");
                assertTrue(browser.findElements(By.id("nothing-held")).size() == 1);
                fitsTheScreen(browser, device);

                // settings: only known senders, Paris time, and a blocked domain
                browser.findElement(By.linkText("Settings")).click();
                wait.until(d -> d.getTitle().startsWith("Settings"));
                browser.findElement(By.cssSelector("label[for=timezone]"));
                browser.findElement(By.id("inv-known")).click();
                new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("timezone")))
                        .selectByValue("Europe/Paris");
                browser.findElement(By.id("save-settings")).click();
                wait.until(d -> d.findElements(By.id("notice")).size() == 1);
                assertTrue(browser.findElement(By.id("notice")).getText().contains("saved"));
                assertTrue(browser.findElement(By.id("inv-known")).isSelected());
                browser.findElement(By.id("entry")).sendKeys("@Spam.Example");
                browser.findElement(By.id("add-block")).click();
                wait.until(d -> d.findElement(By.id("blocked")).getText().contains("@spam.example"));
                shot(browser, device, "settings");
                JsonNode settings = JSON.readTree(send(http, base, "alice", "GET", "/guard/api/settings", null));
                assertEquals("known", settings.get("invitations").asText());
                assertEquals("Europe/Paris", settings.get("timeZone").asText());
                assertEquals("@spam.example", settings.get("block").get(0).asText());

                // a stranger's invitation by mail waits, shown in words and in Paris time
                assertEquals("250", lmtp(lmtp, "olga@example.net", invitation("review-1", "olga@example.net",
                        "Olga Petrova", "Quarterly review", "RRULE:FREQ=WEEKLY;BYDAY=TH;COUNT=4\r\n")).substring(0, 3));
                browser.get(base + "/guard/");
                WebElement card = browser.findElement(By.cssSelector("section.held"));
                String text = card.getText();
                assertTrue(text.contains("Quarterly review"), text);
                assertTrue(text.contains("Thursday 10 December 2026, 10:00–18:00 (Europe/Paris)"), text);
                assertTrue(text.contains("every week on Thursday, 4 times"), text);
                assertTrue(text.contains("Olga Petrova <olga@example.net>"), text);
                assertTrue(text.contains("Alice <alice@example.com> (not answered yet)"), text);
                assertTrue(text.contains("You have not had an invitation from olga@example.net before."), text);
                assertTrue(text.contains("By e-mail from olga@example.net"), text);
                assertTrue(text.contains("Message-ID <review-1@example.net>"), text);
                assertTrue(text.contains("Deny: The invitation is discarded and never reaches your calendar; nothing "
                        + "is sent back."), text);
                assertFalse(text.contains("mailto:"), text);
                shot(browser, device, "held-invitation");

                // two tabs on the same item: one approves, the other's stale Deny gets a page, not JSON
                String id = card.getAttribute("id").substring("held-".length());
                String first = browser.getWindowHandle();
                browser.switchTo().newWindow(WindowType.TAB);
                browser.get(base + "/guard/");
                String second = browser.getWindowHandle();
                browser.switchTo().window(first);
                // by keyboard alone: Tab through the page to Approve, then Enter
                tabTo(browser, "approve-" + id);
                browser.switchTo().activeElement().sendKeys(Keys.ENTER);
                wait.until(d -> d.findElements(By.id("notice")).size() == 1);
                assertTrue(browser.findElement(By.id("notice")).getText().startsWith("Approved"));
                browser.switchTo().window(second);
                browser.findElement(By.id("deny-" + id)).click();
                wait.until(d -> d.getTitle().startsWith("Already decided"));
                assertTrue(browser.findElement(By.id("message")).getText().contains("was already approved by alice"),
                        browser.findElement(By.id("message")).getText());
                assertTrue(browser.getPageSource().indexOf("{\"error\"") < 0);
                browser.close();
                browser.switchTo().window(first);

                // approved, it reached her calendar: "remove without answering" takes it away and tells olga nothing
                browser.get(base + "/guard/");
                WebElement delivered = browser.findElement(By.cssSelector("section.delivered"));
                assertTrue(delivered.getText().contains("Quarterly review"), delivered.getText());
                assertTrue(store.calendars().objectByUid("alice", "review-1").isPresent(), "in her calendar");
                delivered.findElement(By.cssSelector("button[id^=remove-]")).click();
                wait.until(d -> d.findElements(By.id("notice")).size() == 1);
                assertTrue(browser.findElements(By.cssSelector("section.delivered")).isEmpty());
                assertTrue(store.calendars().objectByUid("alice", "review-1").isEmpty(), "gone from her calendar");
                assertFalse(send(http, base, "alice", "GET", "/guard/api/sent", null).contains("olga"),
                        "nothing was sent to olga");

                // a party crash on alice's own event, with markup in the title: held for her, approved
                String summary = "Board <script>document.title='pwned'</script> meeting";
                send(http, base, "alice", "PUT", "/dav/calendars/alice/work/board.ics",
                        SchedulingTest.event("board-1", "alice", null, "bob").replace("Team sync", summary));
                send(http, base, "mallory", "POST", "/dav/calendars/mallory/outbox/", "BEGIN:VCALENDAR\r\n"
                        + "VERSION:2.0\r\nPRODID:-//crasher//EN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:board-1\r\n"
                        + "DTSTAMP:20261121T090000Z\r\nSEQUENCE:0\r\nSUMMARY:" + summary + "\r\n"
                        + "ORGANIZER:mailto:alice@example.com\r\n"
                        + "ATTENDEE;PARTSTAT=ACCEPTED:mailto:mallory@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
                // mallory, who sent it, sees whose decision it waits for
                String mallorys = send(http, base, "mallory", "GET", "/guard/api/sent", null);
                assertTrue(mallorys.contains("waits for Alice’s decision"), mallorys);
                browser.get(base + "/guard/");
                card = browser.findElement(By.cssSelector("section.held"));
                text = card.getText();
                assertTrue(text.contains("mallory@example.com answered as a guest, but was never invited."), text);
                assertTrue(text.contains("Approve: mallory@example.com joins the guest list of"), text);
                assertTrue(text.contains("<script>"), "the title is shown as text: " + text);
                assertTrue(browser.findElements(By.tagName("script")).isEmpty());
                assertFalse(browser.getTitle().contains("pwned"));
                assertTrue(browser.findElements(By.cssSelector("main section a")).isEmpty(), "no link in a card");
                shot(browser, device, "held-party-crash");
                card.findElement(By.cssSelector("button.approve")).click();
                wait.until(d -> d.findElements(By.id("nothing-held")).size() == 1);
                mallorys = send(http, base, "mallory", "GET", "/guard/api/sent", null);
                assertTrue(mallorys.contains("delivered after Alice approved it"), mallorys);
                String copy = send(http, base, "alice", "GET", "/dav/calendars/alice/work/board.ics", null)
                        .replace("\r\n ", "");
                assertTrue(copy.matches("(?s).*ATTENDEE[^\\n]*mallory@example.com.*"), copy);

                // another stranger's invitation: denied with a click; it never reaches her calendar
                assertEquals("250", lmtp(lmtp, "wendy@other.example", invitation("webinar-1", "wendy@other.example",
                        "Wendy", "Free webinar", "")).substring(0, 3));
                browser.get(base + "/guard/");
                browser.findElement(By.cssSelector("section.held button.deny")).click();
                wait.until(d -> d.findElements(By.id("notice")).size() == 1);
                assertTrue(browser.findElement(By.id("notice")).getText().startsWith("Denied"));
                assertTrue(store.calendars().objectByUid("alice", "webinar-1").isEmpty());
                assertTrue(send(http, base, "alice", "GET", "/guard/api/audit", null).contains("\"denied\""));

                // a stranger's spam: reported, removed, blocked; the operator exports it; the next one is refused
                assertEquals("250", lmtp(lmtp, "eve@stranger.example", invitation("prize-1", "eve@stranger.example",
                        "Eve", "You won a prize", "")).substring(0, 3));
                browser.get(base + "/guard/");
                card = browser.findElement(By.cssSelector("section.held"));
                assertTrue(card.getText().contains("You won a prize"));
                card.findElement(By.cssSelector("button[id^=spam-]")).click();
                wait.until(d -> d.findElements(By.id("notice")).size() == 1);
                assertTrue(browser.findElement(By.id("notice")).getText().startsWith("Reported as spam"));
                assertTrue(browser.findElements(By.cssSelector("section.held")).isEmpty());
                JsonNode reports = JSON.readTree(send(http, base, "alice", "GET", "/guard/api/reports", null));
                assertEquals(1, reports.get("reports").size());
                assertEquals("mailto:eve@stranger.example", reports.get("reports").get(0).get("sender").asText());
                String arf = send(http, base, "alice", "GET", reports.get("reports").get(0).get("arf").asText(), null);
                assertTrue(arf.contains("Content-Type: multipart/report; report-type=feedback-report"), arf);
                assertTrue(arf.contains("Feedback-Type: abuse") && arf.contains("Original-Mail-From: "
                        + "<eve@stranger.example>") && arf.contains("Reported-Domain: stranger.example"), arf);
                assertTrue(arf.contains("UID:prize-1"), arf);
                assertTrue(lmtp(lmtp, "eve@stranger.example", invitation("prize-2", "eve@stranger.example", "Eve",
                        "Another prize", "")).startsWith("550"), "blocked");
                JsonNode audit = JSON.readTree(send(http, base, "alice", "GET", "/guard/api/audit", null));
                assertTrue(audit.toString().contains("\"event\":\"reported-spam\""), audit.toString());
                assertFalse(send(http, base, "alice", "GET", "/guard/api/held", null).contains("prize"));

                // the sign-in expires (eight hours on): a form leads to the sign-in page, never a password dialog
                browser.findElement(By.linkText("Settings")).click();
                wait.until(d -> d.getTitle().startsWith("Settings"));
                clock.advance(Duration.ofHours(9));
                browser.findElement(By.id("save-settings")).click();
                wait.until(d -> d.getCurrentUrl().contains("/guard/login"));
                assertTrue(browser.findElement(By.tagName("main")).getText().contains("Your sign-in has expired"));
                // a script's API call with a stale cookie gets a 401 without a Basic challenge, which would open a
                // browser's password dialog; a page with one goes to the sign-in page
                HttpResponse<String> expired = http.send(HttpRequest.newBuilder(URI.create(base + "/guard/api/held"))
                        .header("Cookie", "ig_session=" + "0".repeat(64)).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(401, expired.statusCode());
                assertTrue(expired.headers().firstValue("WWW-Authenticate").isEmpty());
                HttpResponse<String> fresh = http.send(HttpRequest.newBuilder(URI.create(base + "/guard/api/held"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(401, fresh.statusCode());
                assertTrue(fresh.headers().firstValue("WWW-Authenticate").isPresent(), "a script is asked for Basic");
                signIn(browser, wait, "alice");
                shot(browser, device, "home");
            } finally {
                browser.quit();
            }
        }
    }

    private static void signIn(WebDriver browser, WebDriverWait wait, String user) {
        browser.findElement(By.id("user")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(user);
        browser.findElement(By.id("sign-in")).click();
        // the click only starts the navigation: wait for the new page, not the old one's elements
        wait.until(d -> d.getTitle().startsWith("Held for your decision"));
    }

    /** Presses Tab until the element with this id has the focus; fails if the keyboard never reaches it. */
    private static void tabTo(WebDriver browser, String id) {
        for (int i = 0; i < 60; i++) {
            WebElement focused = browser.switchTo().activeElement();
            if (id.equals(focused.getAttribute("id"))) {
                return;
            }
            new org.openqa.selenium.interactions.Actions(browser).sendKeys(Keys.TAB).perform();
        }
        throw new AssertionError("the keyboard never reached " + id);
    }

    /** On a phone the page is laid out for the phone's width: nothing runs off the side. */
    private static void fitsTheScreen(WebDriver browser, String device) {
        Number inner = (Number) ((JavascriptExecutor) browser).executeScript("return window.innerWidth");
        Number scroll = (Number) ((JavascriptExecutor) browser)
                .executeScript("return document.documentElement.scrollWidth");
        if (device.equals("phone")) {
            assertEquals(390, inner.intValue(), "the viewport tag makes the layout width the phone's");
        }
        assertTrue(scroll.intValue() <= inner.intValue(), scroll + " > " + inner);
    }

    private static void shot(WebDriver browser, String device, String name) throws Exception {
        fitsTheScreen(browser, device);
        Chromium.shot(browser, device, name);
    }

    private static String invitation(String uid, String organizer, String name, String summary, String rrule) {
        String ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//remote//EN\r\nMETHOD:REQUEST\r\n"
                + "BEGIN:VEVENT\r\nUID:" + uid + "\r\nDTSTAMP:20261201T090000Z\r\n"
                + "DTSTART:20261210T090000Z\r\nDTEND:20261210T170000Z\r\n" + rrule + "SUMMARY:" + summary
                + "\r\nLOCATION:Room 4\r\nSEQUENCE:0\r\nORGANIZER;CN=" + name + ":mailto:" + organizer + "\r\n"
                + "ATTENDEE;CN=Alice;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:alice@example.com\r\n"
                + "END:VEVENT\r\nEND:VCALENDAR\r\n";
        return "From: " + name + " <" + organizer + ">\r\nTo: alice@example.com\r\nSubject: Invitation\r\n"
                + "Date: Tue, 01 Dec 2026 10:00:00 +0000\r\nMessage-ID: <" + uid + "@" + organizer.substring(
                organizer.indexOf('@') + 1) + ">\r\nMIME-Version: 1.0\r\n"
                + "Content-Type: text/calendar; charset=UTF-8; method=REQUEST\r\n\r\n" + ics;
    }

    /** @return the LMTP reply for alice */
    private static String lmtp(int port, String from, String message) throws Exception {
        return MailDialogue.deliver(port, true, from, List.of("alice@example.com"), message).get(0);
    }

    private static String send(HttpClient http, String base, String user, String method, String path, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + user)
                        .getBytes(StandardCharsets.UTF_8)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (method.equals("PUT") || method.equals("POST")) {
            b.header("Content-Type", "text/calendar");
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertTrue(r.statusCode() < 300, method + " " + path + ": " + r.statusCode() + " " + r.body());
        return r.body();
    }
}
