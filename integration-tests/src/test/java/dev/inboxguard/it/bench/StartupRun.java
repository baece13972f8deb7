package dev.inboxguard.it.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Cold starts of the packaged jar, each a new JVM, measured from the process's start: {@code serve --demo} until
 * its first {@code /health} 200 (on a data directory that exists, and on a new one), and a {@code check} of one
 * e-mail until the process exits. Each with and without the class-data archive, and {@code check} also with only
 * the C1 compiler, and both through the launcher beside the jar; the kinds interleave, so that the machine's load
 * falls on all of them alike. Prints the fastest, median and slowest milliseconds of each. Not a test: run it by hand with
 * {@code java -cp ... dev.inboxguard.it.bench.StartupRun JAR ARCHIVE EMAIL [runs]}.
 */
public final class StartupRun {
    private StartupRun() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        Path archive = Path.of(args[1]);
        Path email = Path.of(args[2]);
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 7;
        Path work = Files.createTempDirectory("startup-run");
        Path existing = work.resolve("existing");
        // the launcher beside the jar: its own heap, archives and, for check, C1 only
        List<String> launcher = List.of(jar.resolveSibling("inboxguard").toString());
        serve(java(List.of(), jar), existing); // creates the data directory the "existing" runs open
        Map<String, List<Long>> times = new LinkedHashMap<>();
        for (int i = 0; i < runs; i++) {
            for (boolean withArchive : new boolean[] {false, true}) {
                List<String> flags = withArchive ? List.of("-XX:SharedArchiveFile=" + archive) : List.of();
                String how = withArchive ? "with the archive" : "without";
                times.computeIfAbsent("serve, existing data, " + how, k -> new ArrayList<>())
                        .add(serve(java(flags, jar), existing));
                times.computeIfAbsent("serve, new data directory, " + how, k -> new ArrayList<>())
                        .add(serve(java(flags, jar), work.resolve("new-" + i + "-" + withArchive)));
                times.computeIfAbsent("check of one e-mail, " + how, k -> new ArrayList<>())
                        .add(check(java(flags, jar), email));
            }
            // a process this short is over before C2 has compiled anything worth having; compiling cost it time
            times.computeIfAbsent("check, with the archive and C1 only", k -> new ArrayList<>())
                    .add(check(java(List.of("-XX:SharedArchiveFile=" + archive, "-XX:TieredStopAtLevel=1"), jar), email));
            times.computeIfAbsent("serve, existing data, through the launcher", k -> new ArrayList<>())
                    .add(serve(launcher, existing));
            times.computeIfAbsent("check, through the launcher", k -> new ArrayList<>()).add(check(launcher, email));
        }
        times.forEach((what, ms) -> {
            ms.sort(Comparator.naturalOrder());
            System.out.printf("%-45s fastest %5d ms, median %5d ms, slowest %5d ms (%d runs)%n", what, ms.get(0),
                    ms.get(ms.size() / 2), ms.get(ms.size() - 1), ms.size());
        });
    }

    private static List<String> java(List<String> flags, Path jar) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(flags);
        command.add("-Xmx256m");
        command.add("-jar");
        command.add(jar.toString());
        return command;
    }

    private static long serve(List<String> launch, Path data) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        List<String> command = new ArrayList<>(launch);
        command.addAll(List.of("serve", "--demo", "--http-port", String.valueOf(port), "--lmtp-port", "0", "--data",
                data.toString()));
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            while (!healthy(port)) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("serve exited with " + p.exitValue());
                }
                if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(60)) {
                    throw new IllegalStateException("serve not healthy after 60 s");
                }
                Thread.sleep(5);
            }
            return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        } finally {
            p.destroy();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    /** One plain HTTP/1.1 request: a client library's own start-up would be counted against the server's. */
    private static boolean healthy(int port) {
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(5_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] head = in.readNBytes(12);
            return new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200");
        } catch (IOException e) {
            return false;
        }
    }

    private static long check(List<String> launch, Path email) throws Exception {
        List<String> command = new ArrayList<>(launch);
        command.addAll(List.of("check", email.toString()));
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        int status = p.waitFor();
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        if (status != 0) {
            throw new IllegalStateException("check exited with " + status);
        }
        return ms;
    }
}
