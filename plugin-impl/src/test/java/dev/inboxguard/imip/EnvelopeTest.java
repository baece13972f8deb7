package dev.inboxguard.imip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class EnvelopeTest {

    @Test
    void pathsParseWithParametersSourceRoutesAndTheNullSender() {
        assertEquals(new EnvelopePath("a@example.com", List.of("SIZE=12", "BODY=8BITMIME")),
                EnvelopePath.parse("FROM:<a@example.com> SIZE=12 BODY=8BITMIME", "FROM:").orElseThrow());
        assertEquals("a@example.com", EnvelopePath.parse("from: <@relay.example:a@example.com>", "FROM:")
                .orElseThrow().address());
        assertEquals("", EnvelopePath.parse("FROM:<>", "FROM:").orElseThrow().address());
        assertEquals("\"a>b\"@example.com", EnvelopePath.parse("TO:<\"a>b\"@example.com>", "TO:").orElseThrow()
                .address());
        for (String bad : List.of("FROM:a@example.com", "FROM:<a@example.com", "TO:<a@example.com>",
                "FROM:<a b@example.com>", "FROM:<nodomain>", "FROM:<" + "x".repeat(300) + "@example.com>")) {
            assertTrue(EnvelopePath.parse(bad, "FROM:").isEmpty(), bad);
        }
    }

    @Test
    void thePipeClientSendsCrlfLinesWithLeadingDotsDoubled() {
        byte[] wire = LmtpClient.toWireFormat("Subject: x\n\n.hidden\r\nlast".getBytes(StandardCharsets.UTF_8));
        assertEquals("Subject: x\r\n\r\n..hidden\r\nlast\r\n", new String(wire, StandardCharsets.UTF_8));
        assertEquals("a\r\nb\r\n", new String(LmtpClient.toWireFormat("a\rb".getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8), "a bare CR ends a line too");
    }

    @Test
    void repliesAreOneSafeLineAndReadBack() {
        MailReply r = new MailReply(550, "5.7.1", "Refused: \r\n550 fake\u0000 é");
        assertEquals("550 5.7.1 Refused: ??550 fake? ?", r.line());
        assertEquals(r, MailReply.parse(r.line()));
        assertTrue(new MailReply(451, "4.7.1", "x").transientFailure());
    }
}
