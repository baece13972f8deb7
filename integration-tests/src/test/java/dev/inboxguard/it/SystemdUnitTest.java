package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/deploy/inboxguard.service is a unit that systemd reads without complaint, and its hardening does not quietly
 * erode: {@code systemd-analyze security} must keep rating it as exposed as it was measured, or less.
 */
class SystemdUnitTest {
    private static final Path UNIT = Path.of("../docs/deploy/inboxguard.service");
    private static final Path LAUNCHER = Path.of("../plugin-impl/target/inboxguard");
    /** Measured 3.2 with systemd 252 (Debian 12); the margin allows for other versions' weights. */
    private static final double MAX_EXPOSURE = 3.5;
    private static final Pattern EXPOSURE = Pattern.compile("Overall exposure level for \\S+: (\\d+(?:\\.\\d+)?)");

    @TempDir
    Path dir;

    @Test
    void systemdReadsTheUnitWithoutComplaint() throws Exception {
        Path analyze = systemdAnalyze();
        String unit = Files.readString(UNIT);
        // verify checks that the command exists, so point it at the built launcher, run as whoever we are
        String copy = replace(unit, "ExecStart=/opt/inboxguard/inboxguard ",
                "ExecStart=" + LAUNCHER.toAbsolutePath().normalize() + " ");
        copy = replace(copy, "User=inboxguard", "User=" + System.getProperty("user.name"));
        copy = replace(copy, "Group=inboxguard\n", "");
        Path file = Files.writeString(dir.resolve("inboxguard.service"), copy);

        Result r = run(analyze.toString(), "verify", file.toString());
        assertEquals(0, r.exit, r.output);
        // systemd only warns about an unknown key or a bad value, and still exits 0; a clean unit is never named
        List<String> about = r.output.lines().filter(l -> l.contains("inboxguard.service")).toList();
        assertTrue(about.isEmpty(), "systemd-analyze verify complains:\n" + String.join("\n", about));
    }

    @Test
    void hardeningKeepsItsMeasuredExposure() throws Exception {
        Path analyze = systemdAnalyze();
        Assumptions.assumeTrue(run(analyze.toString(), "--help").output.contains("--offline"),
                "this systemd-analyze has no security --offline (systemd 250 or later)");
        Result r = run(analyze.toString(), "security", "--offline=yes", UNIT.toAbsolutePath().normalize().toString());
        Matcher m = EXPOSURE.matcher(r.output);
        assertTrue(m.find(), "no overall exposure level in:\n" + r.output);
        double exposure = Double.parseDouble(m.group(1));
        assertTrue(exposure <= MAX_EXPOSURE, "exposure " + exposure + " > " + MAX_EXPOSURE + ":\n" + r.output);
    }

    private static Path systemdAnalyze() {
        Path found = Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator))
                .map(d -> Path.of(d, "systemd-analyze")).filter(Files::isExecutable).findFirst().orElse(null);
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(found != null, "CI needs systemd-analyze (Debian package systemd) to check the unit");
        }
        Assumptions.assumeTrue(found != null, "systemd-analyze is not installed");
        return found;
    }

    private static String replace(String text, String what, String with) {
        assertTrue(text.contains(what), "the unit no longer contains " + what.strip());
        return text.replace(what, with);
    }

    private record Result(int exit, String output) {
    }

    private Result run(String... command) throws Exception {
        Path out = Files.createTempFile(dir, "systemd-analyze", ".out");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().put("SYSTEMD_COLORS", "0");
        pb.environment().put("SYSTEMD_PAGER", "");
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 60 s");
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }
}
