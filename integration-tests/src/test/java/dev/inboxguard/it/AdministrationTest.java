package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.server.Account;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.server.CaldavServer;
import dev.inboxguard.server.PasswordHash;
import dev.inboxguard.scheduling.RecordingOutbound;
import dev.inboxguard.storage.Database;
import dev.inboxguard.storage.TestPostgres;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code users[].administrator}: an operator account reads and changes another user's calendars through CalDAV but
 * never schedules in their name: no outbox POST, no event with an organizer or attendees written, and a deletion
 * tells nobody. Every request leaves a row in both audit trails. Other users still see nothing of each other's homes.
 */
class AdministrationTest {
    @TempDir
    Path data;

    @Test
    void anAdministratorCleansUpAnotherUsersCalendarAndEveryRequestIsAudited() throws Exception {
        List<Account> people = new ArrayList<>();
        for (String n : List.of("alice", "bob", "carol", "root")) {
            people.add(new Account(n, PasswordHash.of(n), n, List.of(CalendarUserAddress.of("mailto:" + n
                    + "@example.com"))));
        }
        Accounts accounts = new Accounts(people, Set.of(), Set.of("root"), Clock.systemUTC());
        try (Database store = TestPostgres.open(data);
             CaldavServer server = new CaldavServer(new InetSocketAddress("127.0.0.1", 0), accounts,
                     ConfigFile.defaults(), store, new RecordingOutbound(), Clock.systemUTC()).start()) {
            DavClient dav = new DavClient(server.port());
            String path = "/dav/calendars/alice/calendar/spam.ics";
            assertEquals(201, dav.put("alice", path, SchedulingTest.event("spam-1", "alice", null, "bob"))
                    .statusCode());
            assertEquals(1, dav.api("bob", "/guard/api/inbox").get("inbox").size());

            // carol is no administrator: alice's home does not exist for her
            assertEquals(404, dav.send("carol", "PROPFIND", "/dav/calendars/alice/calendar/", null, null,
                    Map.of("Depth", "1")).statusCode());

            var listing = dav.send("root", "PROPFIND", "/dav/calendars/alice/calendar/", null, null,
                    Map.of("Depth", "1"));
            assertEquals(207, listing.statusCode(), listing.body());
            assertTrue(listing.body().contains("spam.ics"), listing.body());
            assertTrue(dav.get("root", path).contains("UID:spam-1"));
            assertEquals(403, dav.send("root", "POST", "/dav/calendars/alice/outbox/", "BEGIN:VCALENDAR\r\n"
                    + "END:VCALENDAR\r\n", "text/calendar").statusCode());
            // nothing is scheduled in alice's name: no invitation written, and a deletion tells nobody
            String invite = "/dav/calendars/alice/calendar/forged.ics";
            assertEquals(403, dav.put("root", invite, SchedulingTest.event("forged-1", "alice", null, "carol"))
                    .statusCode());
            assertEquals(403, dav.put("root", path, SchedulingTest.event("spam-1", "alice", null)).statusCode(),
                    "turning a scheduling object into a plain one would cancel it for bob");
            String plain = "/dav/calendars/alice/calendar/note.ics";
            assertEquals(201, dav.put("root", plain, SchedulingTest.event("note-1", "alice", null)
                    .replaceAll("ORGANIZER[^\r\n]*\r\n", "").replaceAll("ATTENDEE[^\r\n]*\r\n", ""))
                    .statusCode());
            assertEquals(204, dav.send("root", "DELETE", path, null, null).statusCode());
            assertEquals(404, dav.send("alice", "GET", path, null, null).statusCode());
            assertEquals(1, dav.api("bob", "/guard/api/inbox").get("inbox").size(), "no CANCEL for bob");
            assertEquals(0, dav.api("carol", "/guard/api/inbox").get("inbox").size(), "no REQUEST for carol");

            JsonNode trail = dav.api("alice", "/guard/api/audit").get("audit");
            List<String> done = new ArrayList<>();
            trail.forEach(a -> {
                if (a.get("event").asText().equals("administration")) {
                    assertEquals("root", a.get("actor").asText());
                    done.add(a.get("method").asText() + " " + a.get("uid").asText() + " " + a.get("action").asText());
                }
            });
            assertEquals(List.of("PROPFIND /dav/calendars/alice/calendar/ 207", "GET " + path + " 200",
                    "POST /dav/calendars/alice/outbox/ 403", "PUT " + invite + " 403", "PUT " + path + " 403",
                    "PUT " + plain + " 201", "DELETE " + path + " 204"), done);
            assertEquals(7, dav.api("root", "/guard/api/audit").get("audit").size());
        }
    }
}
