package dev.inboxguard.it.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a load run's process used: its CPU time, and its peak resident memory (Linux's VmHWM) and heap. Both count
 * the server's and the client's together when the server runs in the process. Issue 17 asks for RSS under 512 MB
 * through the load runs: run with {@code -Xmx384m}, the heap the launcher gives {@code serve}, to measure what an
 * operator's server would use. CPU per request steadies what requests per second does not on a shared machine.
 */
final class ProcessUse {
    private ProcessUse() {
    }

    /** @return the CPU time this process has used, in nanoseconds */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Prints the peak resident memory and the heap's cap. */
    static void printPeakMemory() {
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
