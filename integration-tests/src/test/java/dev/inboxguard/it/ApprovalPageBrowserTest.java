package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.scheduling.RecordingOutbound;
import dev.inboxguard.server.CaldavServer;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.io.File;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The approval page in a real browser (Debian's chromium, driven by Selenium through chromedriver): alice signs in,
 * sees mallory's party crash with its reasons, approves it, and her event lists mallory. Runs whenever chromium
 * and chromedriver are installed; .ci/run installs them.
 */
class ApprovalPageBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    @TempDir
    Path data;
    @TempDir
    Path profile;

    @Test
    void aliceSignsInSeesTheHeldPartyCrashAndApprovesIt() throws Exception {
        ClientRun.require(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "chromium and chromium-driver");
        try (Database store = TestPostgres.open(data);
             CaldavServer server = new CaldavServer(new InetSocketAddress("127.0.0.1", 0), SchedulingTest.accounts(),
                     ConfigFile.defaults(), store, new RecordingOutbound(), Clock.systemUTC())
                     .start()) {
            String base = "http://127.0.0.1:" + server.port();
            HttpClient http = HttpClient.newHttpClient();
            for (String user : new String[] {"alice", "mallory"}) {
                send(http, base, user, "MKCALENDAR", "/dav/calendars/" + user + "/work/", "");
            }
            // the summary is the crasher's own text: it must reach the page as text, never as markup
            String summary = "Board <script>document.title='pwned'</script> meeting";
            send(http, base, "alice", "PUT", "/dav/calendars/alice/work/board.ics",
                    SchedulingTest.event("board-1", "alice", null, "bob").replace("Team sync", summary));
            // a copy of alice's event naming mallory is refused at PUT (RFC 6638 §3.2.4); her answer, sent
            // explicitly through her outbox, reaches the guard, which holds it for alice
            send(http, base, "mallory", "POST", "/dav/calendars/mallory/outbox/", "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
                    + "PRODID:-//crasher//EN\r\nMETHOD:REPLY\r\nBEGIN:VEVENT\r\nUID:board-1\r\n"
                    + "DTSTAMP:20261121T090000Z\r\nSEQUENCE:0\r\nSUMMARY:" + summary + "\r\n"
                    + "ORGANIZER:mailto:alice@example.com\r\nATTENDEE;PARTSTAT=ACCEPTED:mailto:mallory@example.com\r\n"
                    + "END:VEVENT\r\nEND:VCALENDAR\r\n");

            ChromeOptions options = new ChromeOptions();
            options.setBinary(CHROMIUM.toFile());
            options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--window-size=1000,700",
                    "--user-data-dir=" + profile);
            ChromeDriverService service = new ChromeDriverService.Builder()
                    .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
            WebDriver browser = new ChromeDriver(service, options);
            try {
                browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
                browser.get(base + "/guard/");
                assertTrue(browser.getCurrentUrl().endsWith("/guard/login"), browser.getCurrentUrl());
                browser.findElement(By.id("user")).sendKeys("alice");
                browser.findElement(By.id("password")).sendKeys("alice");
                browser.findElement(By.id("sign-in")).click();
                // the click only starts the navigation: wait for the new page, not the old one's elements
                WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
                wait.ignoring(StaleElementReferenceException.class);
                wait.until(d -> d.getTitle().startsWith("Held for your decision"));

                String page = browser.findElement(By.tagName("main")).getText();
                assertTrue(page.contains("party-crash"), page);
                assertTrue(page.contains("mailto:mallory@example.com"), page);
                assertTrue(page.contains("<script>"), "the summary is shown as text: " + page);
                assertTrue(browser.findElements(By.tagName("script")).isEmpty());
                assertFalse(browser.getTitle().contains("pwned"));
                assertTrue(browser.findElements(By.cssSelector("main a")).isEmpty(), "nothing on it is a link");
                File shot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE);
                Files.copy(shot.toPath(), Path.of("target/approval-page.png"), StandardCopyOption.REPLACE_EXISTING);

                browser.findElement(By.cssSelector("button.approve")).click();
                Boolean emptied = wait.until(d -> d.findElement(By.tagName("main")).getText()
                        .contains("Nothing is waiting"));
                assertTrue(emptied);
            } finally {
                browser.quit();
            }
            String copy = send(http, base, "alice", "GET", "/dav/calendars/alice/work/board.ics", null)
                    .replace("\r\n ", "");
            assertTrue(copy.contains("PARTSTAT=ACCEPTED:mailto:mallory@example.com")
                    || copy.matches("(?s).*ATTENDEE[^\\n]*PARTSTAT=ACCEPTED[^\\n]*mallory@example.com.*"), copy);
            JsonNode audit = new ObjectMapper().readTree(send(http, base, "alice", "GET", "/guard/api/audit", null));
            assertEquals("approved", audit.get("audit").get(audit.get("audit").size() - 1).get("event").asText());
        }
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
