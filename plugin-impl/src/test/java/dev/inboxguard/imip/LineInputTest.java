package dev.inboxguard.imip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LineInputTest {

    /** A socket's input as it may arrive: at most a few bytes per read, and now and then a read of none. */
    private static InputStream trickle(byte[] bytes, int perRead) {
        return new ByteArrayInputStream(bytes) {
            private boolean empty;

            @Override
            public synchronized int read(byte[] b, int off, int len) {
                empty = !empty;
                if (empty && len > 0 && available() > 0) {
                    return 0;
                }
                return super.read(b, off, Math.min(len, perRead));
            }
        };
    }

    private static List<String> lines(LineInput in, int room) throws IOException {
        List<String> pieces = new ArrayList<>();
        byte[] into = new byte[room];
        for (int n = in.readLine(into); n >= 0; n = in.readLine(into)) {
            assertTrue(n > 0, "a read that copies nothing is not a line");
            pieces.add(new String(into, 0, n, StandardCharsets.ISO_8859_1));
        }
        return pieces;
    }

    @ParameterizedTest
    @CsvSource({"1, 4, 64", "3, 5, 64", "7, 16, 6", "64, 8, 3", "1000, 1000, 1000"})
    void everyByteComesOnceInOrderAndEachPieceEndsAtALineEndOrWhereItsRoomDoes(int perRead, int buffer, int room)
            throws IOException {
        String text = "LHLO x\r\nMAIL FROM:<a@example.org>\r\n\nbare\nlf\r\n.\r\n" + "Y".repeat(37) + "\r\nend";
        LineInput in = new LineInput(trickle(text.getBytes(StandardCharsets.ISO_8859_1), perRead), buffer);
        List<String> pieces = lines(in, room);
        assertEquals(text, String.join("", pieces));
        for (int i = 0; i < pieces.size(); i++) {
            String p = pieces.get(i);
            boolean last = i == pieces.size() - 1;
            // no LF but at the end of a piece; a piece without one filled its room, or is the stream's last
            assertFalse(p.substring(0, p.length() - 1).contains("\n"), p);
            assertTrue(p.endsWith("\n") || p.length() == room || last, p);
        }
        assertFalse(in.hasMore());
        assertEquals(-1, in.readLine(new byte[4]), "still ended");
    }

    @ParameterizedTest
    @CsvSource({"1", "2", "9"})
    void aLineLongerThanTheBufferAndTheRoomComesInPiecesThatJoinUp(int perRead) throws IOException {
        byte[] line = new byte[10_000];
        Arrays.fill(line, (byte) 'z');
        line[line.length - 1] = '\n';
        LineInput in = new LineInput(trickle(line, perRead), 7);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        byte[] into = new byte[300];
        int pieces = 0;
        for (int n = in.readLine(into); n >= 0; n = in.readLine(into)) {
            joined.write(into, 0, n);
            pieces++;
        }
        assertArrayEquals(line, joined.toByteArray());
        assertEquals((10_000 + 299) / 300, pieces);
    }

    @ParameterizedTest
    @CsvSource({"1", "100"})
    void bytesInHandOrWaitingAtTheSourceCountAsMore(int perRead) throws IOException {
        LineInput in = new LineInput(trickle("NOOP\r\nRSET\r\n".getBytes(StandardCharsets.US_ASCII), perRead), 64);
        assertTrue(in.hasMore());
        byte[] into = new byte[64];
        assertEquals(6, in.readLine(into));
        assertTrue(in.hasMore(), "the pipelined RSET");
        assertEquals(6, in.readLine(into));
        assertFalse(in.hasMore());
        assertEquals(-1, in.readLine(into));
    }
}
