package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.function.Executable;

/**
 * One run of a real third-party client's script for the client tests (vdirsyncer, tsdav): a bounded time, output
 * to a file (a chatty client cannot fill a pipe and stall), and a process tree that is killed when the time is up.
 * The scripts print {@code ok STEP} or {@code FAIL STEP: why} per step.
 *
 * @param finished false when the time ran out
 * @param exit the exit code, -1 when it did not finish
 * @param output stdout and stderr together
 */
record ClientRun(boolean finished, int exit, String output) {

    /**
     * @param dir the working directory
     * @param env extra environment
     * @param log where the output goes
     * @param timeout how long the client may take
     * @param command the command
     * @return how it went
     */
    static ClientRun run(Path dir, Map<String, String> env, Path log, Duration timeout, String... command)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close(); // nothing on stdin: a client that asks a question gets end-of-file
        boolean finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        String out = Files.readString(log, StandardCharsets.UTF_8);
        return new ClientRun(finished, finished ? p.exitValue() : -1, out);
    }

    /** @return true when the command exits 0 within 60 seconds */
    static boolean answers(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Skips the test when the client is missing, except under CI, whose {@code .ci/run} installs it. */
    static void require(boolean installed, String what) {
        if ("true".equals(System.getenv("CI"))) {
            assertTrue(installed, what + " is missing; .ci/run installs it");
        }
        Assumptions.assumeTrue(installed, what + " is not installed");
    }

    /** Prints the whole output when the run did not pass, then asserts every step, each under its RFC section. */
    void assertSteps(String client, Map<String, String> stepsToRfc) {
        boolean passed = finished && exit == 0;
        if (!passed) {
            System.out.println("---- " + client + (finished ? " exited " + exit : " timed out") + "; its output:");
            System.out.println(output);
            System.out.println("---- end of " + client + " output");
        }
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> assertTrue(finished, client + " did not finish in time"));
        stepsToRfc.forEach((step, rfc) -> checks.add(() -> {
            String line = output.lines().filter(l -> l.equals("ok " + step) || l.startsWith("FAIL " + step + ":"))
                    .findFirst().orElse(null);
            assertTrue(("ok " + step).equals(line), rfc + " -- " + client + " step '" + step + "': "
                    + (line == null ? "not reached" : line));
        }));
        checks.add(() -> assertTrue(passed, client + " exited " + exit));
        assertAll(client, checks);
    }
}
