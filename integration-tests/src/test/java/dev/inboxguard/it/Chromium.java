package dev.inboxguard.it;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/** Debian's Chromium through its chromedriver, headless, as a desktop window or an emulated phone. */
final class Chromium {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    private Chromium() {
    }

    /** Runs the test only where both are installed (.ci/run installs them, so under CI their absence fails). */
    static void require() {
        ClientRun.require(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "chromium and chromium-driver");
    }

    /**
     * @param device  {@code desktop} (1100×900) or {@code phone} (390×844, device pixel ratio 3, a phone's user agent)
     * @param profile a directory of its own for the browser's profile
     */
    static WebDriver open(String device, Path profile) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile);
        if (device.equals("phone")) {
            options.setExperimentalOption("mobileEmulation", Map.of("deviceMetrics", Map.of("width", 390, "height",
                    844, "pixelRatio", 3.0), "userAgent", "Mozilla/5.0 (Linux; Android 14; Pixel 8) "
                    + "AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"));
        } else {
            options.addArguments("--window-size=1100,900");
        }
        return new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build(), options);
    }

    /** Saves a screenshot as target/screenshots/DEVICE-NAME.png (the ones in docs/ come from here). */
    static void shot(WebDriver browser, String device, String name) throws Exception {
        File shot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE);
        Path target = Path.of("target/screenshots/" + device + "-" + name + ".png");
        Files.createDirectories(target.getParent());
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
    }
}
