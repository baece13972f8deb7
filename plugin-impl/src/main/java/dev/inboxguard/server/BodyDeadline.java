package dev.inboxguard.server;

import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.NanoTime;

/**
 * A deadline for a request's body that grows with what has come: {@value #GRACE_SECONDS} s from the first read,
 * and another second for each {@code bytesPerSecond} bytes received, the shape of Apache's {@code mod_reqtimeout}
 * ({@code body=20,MinRate=500}). A body read while it is still behind that is refused with 408, and the request's
 * thread is free again.
 *
 * <p>Jetty's own {@code minRequestDataRate} is an average from the first byte with no allowance: a 250-byte PUT
 * whose second half comes a second late would be refused. The idle timeout alone lets a body sent a byte every 29 s
 * hold its thread for as long as its declared length lasts. Checked at each read, which a trickled byte causes; a
 * body that stops altogether is left to the idle timeout.
 */
final class BodyDeadline extends Request.Wrapper {
    static final long GRACE_SECONDS = 20;

    private final long bytesPerSecond;
    private long firstRead;
    private long received;

    /**
     * @param request        the request whose body is read
     * @param bytesPerSecond the rate the deadline grows by
     */
    BodyDeadline(Request request, long bytesPerSecond) {
        super(request);
        this.bytesPerSecond = bytesPerSecond;
    }

    @Override
    public Content.Chunk read() {
        if (firstRead == 0) {
            firstRead = NanoTime.now();
        }
        Content.Chunk chunk = super.read();
        if (chunk == null || chunk.getFailure() != null) {
            return chunk;
        }
        received += chunk.remaining();
        if (chunk.isLast()) {
            return chunk; // the whole body is here: late, perhaps, but nothing is gained by refusing it now
        }
        long allowedMillis = GRACE_SECONDS * 1000 + received * 1000 / bytesPerSecond;
        if (NanoTime.millisSince(firstRead) > allowedMillis) {
            chunk.release();
            // as Jetty's SizeLimitHandler does: the request fails, and the next read returns the failure
            getWrapped().fail(new HttpException.RuntimeException(408, "The request body came too slowly"));
            return null;
        }
        return chunk;
    }
}
