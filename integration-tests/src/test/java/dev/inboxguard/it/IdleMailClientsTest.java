package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.server.InboxGuardServer;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idle mail clients against the whole server, both listeners open (issue 17): 64 connections from 127.0.0.2 (all of
 * 127/8 is loopback on Linux) to each listener, greeted and then left silent. One address holds at most half of
 * LMTP's 64 slots and a quarter of SMTP's; the rest are told 421 at once, and the MTA on 127.0.0.1 is still greeted
 * on both and delivers an invitation through LMTP.
 */
class IdleMailClientsTest {
    @TempDir
    Path data;

    /** @return how many of 64 connections from 127.0.0.2 were greeted (220) and how many refused (421) */
    private static int[] idleFromOneAddress(int port, List<Socket> kept) throws Exception {
        int greeted = 0;
        int refused = 0;
        for (int i = 0; i < 64; i++) {
            Socket s = new Socket(InetAddress.getByName("127.0.0.1"), port, InetAddress.getByName("127.0.0.2"), 0);
            kept.add(s);
            s.setSoTimeout(10_000);
            String first = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            if (String.valueOf(first).startsWith("220")) {
                greeted++;
            } else if (String.valueOf(first).startsWith("421")) {
                refused++;
            }
        }
        return new int[] {greeted, refused};
    }

    private static String greeting(int port) throws Exception {
        try (Socket mta = new Socket("127.0.0.1", port)) {
            mta.setSoTimeout(2_000);
            return new BufferedReader(new InputStreamReader(mta.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
        }
    }

    @Test
    void idleConnectionsFromOneAddressLockNeitherListenerAgainstTheMta() throws Exception {
        Path yaml = Files.writeString(data.resolve("guard.yaml"), """
                imip: {trustedAuthservIds: [mx.example.com]}
                senders: {allow: ["@example.net"]}
                mail:
                  lmtp: {bind: 127.0.0.1, port: 0}
                  smtp: {bind: 127.0.0.1, port: 0}
                """);
        List<Socket> idle = new ArrayList<>();
        try (Database store = TestPostgres.open(data);
             InboxGuardServer server = InboxGuardServer.start(new InetSocketAddress("127.0.0.1", 0),
                     ConfigFile.load(yaml), SchedulingTest.accounts(), store, Clock.systemUTC())) {
            int lmtp = server.lmtpPort().orElseThrow();
            int smtp = server.smtpPort().orElseThrow();
            int[] onLmtp = idleFromOneAddress(lmtp, idle);
            assertEquals(32, onLmtp[0], "LMTP: half the slots for one address");
            assertEquals(32, onLmtp[1], "LMTP: the rest told 421 at once");
            int[] onSmtp = idleFromOneAddress(smtp, idle);
            assertEquals(16, onSmtp[0], "SMTP: a quarter of the slots for one address");
            assertEquals(48, onSmtp[1], "SMTP: the rest told 421 at once");

            assertTrue(greeting(smtp).startsWith("220"), "the SMTP listener still greets another address");
            assertTrue(greeting(lmtp).startsWith("220"), "the LMTP listener still greets the MTA");
            String ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n"
                    + "UID:idle-1@example.net\r\nDTSTAMP:20261121T090000Z\r\nDTSTART:20261201T100000Z\r\n"
                    + "DTEND:20261201T110000Z\r\nSUMMARY:Through\r\nSEQUENCE:0\r\nORGANIZER:mailto:org@example.net\r\n"
                    + "ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:bob@example.com\r\nEND:VEVENT\r\n"
                    + "END:VCALENDAR\r\n";
            List<String> replies = MailDialogue.deliver(lmtp, true, "org@example.net", List.of("bob@example.com"),
                    "Authentication-Results: mx.example.com; dkim=pass header.d=example.net\r\n"
                            + "From: org@example.net\r\nTo: bob@example.com\r\nSubject: Through\r\n"
                            + "Date: Sat, 21 Nov 2026 10:00:00 +0000\r\nMessage-ID: <idle-1@example.net>\r\n"
                            + "MIME-Version: 1.0\r\nContent-Type: text/calendar; charset=UTF-8; method=REQUEST\r\n\r\n"
                            + ics);
            assertEquals(1, replies.size(), replies.toString());
            assertTrue(replies.get(0).startsWith("250 2.0.0"), replies.toString());
            assertEquals(1, store.scheduling().inbox("bob").size());
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
    }
}
