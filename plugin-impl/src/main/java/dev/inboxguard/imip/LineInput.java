package dev.inboxguard.imip;

import java.io.IOException;
import java.io.InputStream;

/**
 * A mail session's input, handed out a line at a time from a buffer of its own. SMTP and LMTP are line protocols
 * and a message arrives as lines too; read a byte at a time through {@link java.io.BufferedInputStream}, whose every
 * read takes its lock, the loop over a message's bytes was the largest cost of the session's own code in a flight
 * recording of the LMTP load (docs/benchmarks.md). One session reads from one thread, so nothing here is locked.
 */
final class LineInput {
    private final InputStream source;
    private final byte[] buffer;
    private int start;
    private int end;

    /**
     * @param source where the bytes come from; its reads enforce the session's deadlines
     * @param size   the buffer's size
     */
    LineInput(InputStream source, int size) {
        this.source = source;
        this.buffer = new byte[size];
    }

    /**
     * Copies bytes up to and including the next LF, or until {@code into} is full, whichever comes first.
     *
     * @param into where the bytes go, from its start
     * @return how many bytes were copied (the last one is LF if the line ended within them); fewer than a whole line
     *     only if {@code into} filled up or the stream ended; -1 if the stream ended before any byte
     * @throws IOException as the source's read
     */
    int readLine(byte[] into) throws IOException {
        int n = 0;
        while (n < into.length) {
            if (start == end && !fill()) {
                return n == 0 ? -1 : n;
            }
            int limit = Math.min(end, start + into.length - n);
            int at = start;
            while (at < limit && buffer[at] != '\n') {
                at++;
            }
            boolean lineEnds = at < limit;
            int stop = lineEnds ? at + 1 : limit;
            System.arraycopy(buffer, start, into, n, stop - start);
            n += stop - start;
            start = stop;
            if (lineEnds) {
                return n;
            }
        }
        return n;
    }

    /** @return whether bytes are in hand or the source has some ready without blocking (a pipelining client's) */
    boolean hasMore() throws IOException {
        return start < end || source.available() > 0;
    }

    private boolean fill() throws IOException {
        while (true) {
            int read = source.read(buffer, 0, buffer.length);
            if (read < 0) {
                return false;
            }
            if (read > 0) {
                start = 0;
                end = read;
                return true;
            }
        }
    }
}
