package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher, {@code plugin-impl/target/inboxguard}, as an operator runs it: the heap and class-data archive it
 * gives each command, the operator's options winning, the archives made again where the jar is moved, and the same
 * verdicts as {@code java -jar}. {@code -Xshare:on} makes a JVM refuse to start unless its archive was mapped, so a
 * run with it proves the archive fits the jar.
 */
class LauncherTest {
    private static final Path TARGET = Path.of("../plugin-impl/target").toAbsolutePath().normalize();
    private static final Path LAUNCHER = TARGET.resolve("inboxguard");
    private static final Pattern ANNOUNCED = Pattern.compile("http://[^/:]+:(\\d+)/\\.well-known/caldav");

    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {
    }

    /** The launcher with this JDK, none of the operator's settings from the test's own environment, then env's. */
    private static ProcessBuilder launching(List<String> command, Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("INBOXGUARD_HEAP");
        pb.environment().remove("INBOXGUARD_JAVA_OPTS");
        pb.environment().putAll(env);
        return pb;
    }

    private Run run(Path launcher, Map<String, String> env, Path stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = launching(command, env);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))
                : ProcessBuilder.Redirect.from(stdin.toFile()));
        Process p = pb.start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the launcher did not finish: " + command);
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Path invitation() throws Exception {
        Path mail = dir.resolve("invitation.eml");
        try (var in = LauncherTest.class.getResourceAsStream("/samples/invitation.eml")) {
            Files.copy(in, mail);
        }
        return mail;
    }

    private static String args(long pid) throws Exception {
        return Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
    }

    @Test
    void serveGetsABoundedHeapAndTheServersArchiveAndAnswers() throws Exception {
        assertTrue(Files.isExecutable(LAUNCHER), "build plugin-impl first: " + LAUNCHER);
        Process p = launching(List.of(LAUNCHER.toString(), "serve", "--demo", "--http-port", "0", "--lmtp-port", "0",
                "--data", dir.resolve("data").toString()), Map.of("INBOXGUARD_JAVA_OPTS", "-Xshare:on"))
                .redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String base = null;
            for (String line; base == null && (line = out.readLine()) != null; ) {
                Matcher m = ANNOUNCED.matcher(line);
                if (m.find()) {
                    base = "http://127.0.0.1:" + m.group(1);
                }
            }
            assertTrue(base != null, "serve did not announce its port");
            // the launcher execs the JVM, so the process started is the server itself
            String jvm = args(p.pid());
            assertTrue(jvm.contains(" -Xmx384m "), jvm);
            assertTrue(jvm.contains("-XX:SharedArchiveFile=" + TARGET.resolve("inboxguard.jsa")), jvm);
            assertTrue(!jvm.contains("TieredStopAtLevel"), "the server keeps the JIT's second tier: " + jvm);
            assertTrue(Files.readString(Path.of("/proc", Long.toString(p.pid()), "maps"))
                    .contains(TARGET.resolve("inboxguard.jsa").toString()), "the archive is mapped");
            var http = java.net.http.HttpClient.newHttpClient();
            var health = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/health"))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode());
        } finally {
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    void checkGivesTheJarsVerdictWithItsOwnArchiveAndTheOperatorsOptionsWin() throws Exception {
        Path mail = invitation();
        String[] check = {"check", "--now", "2026-11-20T10:00:00Z", mail.toString()};
        Run launched = run(LAUNCHER, Map.of("INBOXGUARD_JAVA_OPTS", "-Xshare:on -XshowSettings:vm"), null, check);
        assertEquals(0, launched.status(), launched.err());
        assertTrue(launched.err().contains("Max. Heap Size: 256.00M"), launched.err());
        List<String> plain = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", TARGET.resolve("inboxguard.jar").toString()));
        plain.addAll(List.of(check));
        Process p = new ProcessBuilder(plain).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String expected = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor());
        assertTrue(expected.contains("\"action\""), expected);
        assertEquals(expected, launched.out());

        Run heap = run(LAUNCHER, Map.of("INBOXGUARD_HEAP", "200m", "INBOXGUARD_JAVA_OPTS", "-XshowSettings:vm"),
                null, check);
        assertTrue(heap.err().contains("Max. Heap Size: 200.00M"), heap.err());
        Run overridden = run(LAUNCHER, Map.of("INBOXGUARD_JAVA_OPTS", "-Xmx300m -XshowSettings:vm"), null, check);
        assertTrue(overridden.err().contains("Max. Heap Size: 300.00M"), overridden.err());
        assertEquals(expected, overridden.out());
        // a warning of the JVM's own (here: no large pages on this machine) goes to standard error; by default the
        // JVM prints it on standard output, in front of the verdict, which then no longer parses
        Run warned = run(LAUNCHER, Map.of("INBOXGUARD_JAVA_OPTS", "-XX:+UseLargePages"), null, check);
        assertEquals(0, warned.status(), warned.err());
        assertEquals(expected, warned.out());
        assertTrue(warned.err().contains("[warning][pagesize]"), warned.err());
    }

    /**
     * Runs {@code check -} and reads the JVM's arguments while it waits for its input: the launcher execs the JVM,
     * so the process is the JVM itself.
     */
    private Run checkSeeingTheJvm(Path launcher, Map<String, String> env, Path mail, List<String> jvm)
            throws Exception {
        ProcessBuilder pb = launching(List.of(launcher.toString(), "check", "--now", "2026-11-20T10:00:00Z", "-"),
                env);
        Path out = Files.createTempFile(dir, "out", ".txt");
        Path err = Files.createTempFile(dir, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            String args = "";
            while (!args.contains(" -jar ") && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(5);
                try {
                    args = args(p.pid());
                } catch (java.nio.file.NoSuchFileException gone) {
                    break; // it exited before it read its input: the assertions below say how
                }
            }
            jvm.add(args);
            try (var in = p.getOutputStream()) {
                in.write(Files.readAllBytes(mail));
            }
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("check did not finish");
            }
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void aReplacedJarRunsWithoutItsOldArchivesUntilClassDataMakesNewOnes() throws Exception {
        // a path with a space, as /opt/Inbox Guard might be; the jar is new, the archives are those of target/
        Path home = Files.createDirectories(dir.resolve("opt/inbox guard"));
        for (String file : List.of("inboxguard", "inboxguard.jsa", "inboxguard-cli.jsa")) {
            Files.copy(TARGET.resolve(file), home.resolve(file), StandardCopyOption.COPY_ATTRIBUTES);
        }
        Files.copy(TARGET.resolve("inboxguard.jar"), home.resolve("inboxguard.jar"));
        Path launcher = home.resolve("inboxguard");
        Path mail = invitation();
        List<String> jvm = new ArrayList<>();
        // archives older than the jar belong to another jar: not used, and nothing said about them
        Run stale = checkSeeingTheJvm(launcher, Map.of(), mail, jvm);
        assertEquals(0, stale.status(), stale.err());
        assertEquals("", stale.err());
        assertTrue(stale.out().contains("\"action\""), stale.out());
        assertTrue(!jvm.get(0).contains("SharedArchiveFile"), jvm.get(0));
        assertTrue(jvm.get(0).contains("-Xmx256m") && jvm.get(0).contains("-XX:TieredStopAtLevel=1"), jvm.get(0));

        Run made = run(launcher, Map.of(), null, "class-data");
        assertEquals(0, made.status(), made.out() + made.err());
        for (String archive : List.of("inboxguard.jsa", "inboxguard-cli.jsa")) {
            // readable by a service running as another user, whatever the umask of whoever made them
            assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(home.resolve(archive))));
        }
        Run fresh = checkSeeingTheJvm(launcher, Map.of("INBOXGUARD_JAVA_OPTS", "-Xshare:on"), mail, jvm);
        assertEquals(0, fresh.status(), fresh.err());
        assertEquals(stale.out(), fresh.out());
        assertTrue(jvm.get(1).contains("-XX:SharedArchiveFile=" + home.resolve("inboxguard-cli.jsa")), jvm.get(1));

        // through a symbolic link, as from /usr/local/bin, it still finds the jar beside the real file
        Path link = Files.createSymbolicLink(dir.resolve("inboxguard"), launcher);
        Run linked = run(link, Map.of("INBOXGUARD_JAVA_OPTS", "-Xshare:on"), mail, "check", "--now",
                "2026-11-20T10:00:00Z", "-");
        assertEquals(fresh, linked);

        // without its jar: a usage error, except for ingest under an MTA, where only 75 defers the message
        Files.delete(home.resolve("inboxguard.jar"));
        Run noJar = run(launcher, Map.of(), null, "check", "-");
        assertEquals(2, noJar.status());
        assertTrue(noJar.err().contains("inboxguard.jar is missing"), noJar.err());
        assertEquals(75, run(launcher, Map.of(), mail, "ingest", "--sender", "a@example.com", "--recipient",
                "b@example.com").status());
    }
}
