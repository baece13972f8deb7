package dev.inboxguard.it;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM options the launcher ({@code plugin-impl/target/inboxguard}) gives a command of the jar that change only
 * its speed: the class-data archive beside the jar when it is newer than the jar, and the JIT's first tier only for
 * the short-lived commands. The heap is the caller's. Tests that start the jar use it, as an operator's installation
 * runs the jar; on two cores a cold {@code check} with the second tier compiling beside it took about twice as long.
 * A test that is about a cold, plain {@code java -jar} start keeps its own command line.
 */
final class JarCommandLine {
    private JarCommandLine() {
    }

    /**
     * @param jar     the jar
     * @param heap    the heap, as in {@code 256m}
     * @param command the command and its arguments
     * @return the command line
     */
    static List<String> of(Path jar, String heap, String... command) {
        List<String> line = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx" + heap));
        boolean server = command.length > 0 && (command[0].equals("serve") || command[0].equals("migrate"));
        Path archive = jar.resolveSibling(server ? "inboxguard.jsa" : "inboxguard-cli.jsa");
        try {
            if (Files.isRegularFile(archive)
                    && Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) > 0) {
                line.add("-XX:SharedArchiveFile=" + archive);
            }
        } catch (java.io.IOException e) {
            // no archive: the classes come from the jar, slower, with the same results
        }
        // as the launcher has it: the JVM's warnings on standard error, never in the verdict on standard output
        line.addAll(List.of("-Xlog:disable", "-Xlog:all=warning,cds=off,cds+dynamic=off,gc+verify=off:stderr"));
        if (!server) {
            line.add("-XX:TieredStopAtLevel=1");
        }
        line.addAll(List.of("-jar", jar.toString()));
        line.addAll(List.of(command));
        return line;
    }
}
