package dev.inboxguard.it.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The peak resident memory of a load run's process (Linux's VmHWM), the server's and the client's together when the
 * server runs in it, and the heap it was given: issue 17 asks for RSS under 512 MB through the load runs. Run with {@code -Xmx384m}, the heap the
 * launcher gives {@code serve}, to measure what an operator's server would use.
 */
final class PeakMemory {
    private PeakMemory() {
    }

    static void print() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    System.out.printf("peak resident memory of this process (the load client, and the server when it "
                            + "runs here): %d MB, heap at most %d MB%n", kb / 1024, Runtime.getRuntime().maxMemory() / (1024 * 1024));
                }
            }
        } catch (IOException | NumberFormatException e) {
            System.out.println("peak resident memory: not readable here (" + e.getClass().getSimpleName() + ")");
        }
    }
}
