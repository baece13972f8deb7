package dev.inboxguard.ical;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/** Reads a stream up to a byte limit and stops there, so an oversized input never fills the heap. */
public final class BoundedInput {
    private BoundedInput() {
    }

    /**
     * @param in    the stream; not closed
     * @param limit the most bytes to accept
     * @return all bytes, or empty if the stream holds more than {@code limit}; at most {@code limit + 1} bytes
     * are read either way
     * @throws IOException if reading fails
     */
    public static Optional<byte[]> read(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(limit, 64 * 1024) + 1);
        byte[] buffer = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = in.read(buffer, 0, (int) Math.min(buffer.length, (long) limit + 1 - total))) > 0) {
            total += n;
            if (total > limit) {
                return Optional.empty();
            }
            out.write(buffer, 0, n);
        }
        return Optional.of(out.toByteArray());
    }
}
