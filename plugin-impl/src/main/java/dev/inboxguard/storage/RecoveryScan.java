package dev.inboxguard.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before an embedded store that was not closed cleanly opens, makes sure H2 opens it at the newest complete version
 * anywhere in the file, not only the newest one its chain of chunks leads to.
 *
 * <p>After a crash H2 starts at the chunk its header names and follows each chunk's guess of where the next one went.
 * H2 frees a chunk as soon as no version still needed reads it, and writes a new header only after it has written a
 * chunk over a freed one. A power cut between the two leaves a chain that stops at the reused chunk: the chunks after
 * it, whose commits were fsynced and acknowledged, are still on the disk, but H2 would open at an older version
 * ({@code PowerLossTest} cuts there). H2's recovery mode reads every block of the file instead. This opens the file
 * both ways, read-only, and only if the scan finds a newer version opens it once more in recovery mode and closes it
 * at once, which writes a header that names that version. A cleanly closed store is left alone: its header is right.
 */
final class RecoveryScan {
    private static final Logger LOG = LoggerFactory.getLogger(RecoveryScan.class);
    /** One copy of H2's store header: one block at the start of the file. */
    private static final int HEADER_BLOCK = 4096;

    private RecoveryScan() {
    }

    /**
     * @param file       the store's file ({@code ….mv.db}) on the disk
     * @param fileSystem H2's file system prefix the store is opened through ({@code file:}, or a test's)
     * @return whether the header was moved on to a newer version than the chain led to
     */
    static boolean afterUncleanShutdown(Path file, String fileSystem) {
        try {
            if (!Files.isRegularFile(file) || Files.size(file) < 2L * HEADER_BLOCK || closedCleanly(file)) {
                return false;
            }
        } catch (IOException e) {
            // H2's own open reports an unreadable file
            return false;
        }
        String name = fileSystem + file;
        long followed;
        long scanned;
        try {
            try (MVStore s = new MVStore.Builder().fileName(name).readOnly().autoCommitDisabled().open()) {
                followed = s.getCurrentVersion();
            }
            try (MVStore s = new MVStore.Builder().fileName(name).readOnly().recoveryMode().autoCommitDisabled()
                    .open()) {
                scanned = s.getCurrentVersion();
            }
        } catch (MVStoreException e) {
            if (e.getErrorCode() == DataUtils.ERROR_FILE_LOCKED) {
                // open in this process or another: its own open says so
                return false;
            }
            // a file neither way opens is for H2's own open to report, with its own words
            LOG.warn("could not scan the embedded database's file {} after an unclean shutdown", file);
            return false;
        }
        if (scanned <= followed) {
            return false;
        }
        LOG.warn("the embedded database's file {} was not closed cleanly and its header leads to version {}; the "
                + "file holds version {}, which is opened", file, followed, scanned);
        // through the ordered file system, so that the new header reaches the disk only after what it names
        try (MVStore s = new MVStore.Builder().fileName(OrderedWrites.SCHEME + ":" + name).recoveryMode()
                .autoCommitDisabled().open()) {
            if (s.getCurrentVersion() != scanned) {
                throw new IllegalStateException("the scan of " + file + " found version " + scanned
                        + " the first time and " + s.getCurrentVersion() + " the second");
            }
        }
        return true;
    }

    /** @return whether the first copy of the header carries H2's clean-shutdown mark */
    private static boolean closedCleanly(Path file) throws IOException {
        ByteBuffer block = ByteBuffer.allocate(HEADER_BLOCK);
        try (FileChannel f = FileChannel.open(file, StandardOpenOption.READ)) {
            while (block.hasRemaining() && f.read(block, block.position()) > 0) {
                // read the whole block
            }
        }
        String header = new String(block.array(), 0, block.position(), StandardCharsets.ISO_8859_1);
        int end = header.indexOf('\n');
        for (String field : (end < 0 ? header : header.substring(0, end)).split(",")) {
            if (field.equals("clean:1")) {
                return true;
            }
        }
        return false;
    }
}
