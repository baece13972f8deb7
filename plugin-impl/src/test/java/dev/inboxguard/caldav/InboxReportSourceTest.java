package dev.inboxguard.caldav;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.inboxguard.storage.ObjectSummary;
import dev.inboxguard.storage.StoredObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The scheduling inbox as a REPORT's source: listed from summaries, each text read only when it is needed. */
class InboxReportSourceTest {
    private final List<String> reads = new ArrayList<>();
    private Set<String> gone = Set.of();

    private Optional<StoredObject> read(String name) {
        reads.add(name);
        return gone.contains(name) ? Optional.empty() : Optional.of(new StoredObject(name, name, "\"" + name + "\"",
                ("text of " + name).getBytes(StandardCharsets.UTF_8), 1));
    }

    private CalendarReports.Source inbox() {
        List<ObjectSummary> listed = List.of(new ObjectSummary("a.ics", "\"a.ics\"", 9, 1, ""),
                new ObjectSummary("b.ics", "\"b.ics\"", 9, 2, ""), new ObjectSummary("c.ics", "\"c.ics\"", 9, 3, ""));
        return CalendarReports.inbox(listed, this::read);
    }

    @Test
    void aSyncReadsNoTextUntilItsAnswerAsksForOne() {
        CalendarReports.Sync first = inbox().since("", 1000, true).orElseThrow();
        assertEquals(List.of("a.ics", "b.ics", "c.ics"), first.changed().stream().map(ObjectSummary::name).toList());
        assertTrue(reads.isEmpty(), "listing read " + reads);
        assertEquals("text of b.ics", new String(first.read().apply("b.ics").orElseThrow().data(),
                StandardCharsets.UTF_8));
        assertEquals(List.of("b.ics"), reads);
        assertEquals(first.token(), CalendarReports.inboxToken(List.of("\"c.ics\"", "\"a.ics\"", "\"b.ics\"")),
                "the token digests the listed ETags, as the CTag does");
        assertTrue(inbox().since(first.token(), 1000, true).orElseThrow().changed().isEmpty());
        assertTrue(inbox().since("urn:inboxguard:inbox:older", 1000, false).isEmpty(), "an older token is refused");
    }

    @Test
    void aMultigetReadsOnlyTheItemsItNamesAndOnlyForTheirText() {
        CalendarReports.Listed b = inbox().listed("b.ics").orElseThrow();
        assertEquals(9, b.summary().size());
        assertTrue(reads.isEmpty(), "an ETag or a size needs no text");
        assertEquals("b.ics", b.text().get().orElseThrow().name());
        assertTrue(inbox().listed("elsewhere.ics").isEmpty());
        assertTrue(inbox().object("elsewhere.ics").isEmpty());
        assertEquals(List.of("b.ics"), reads, "a name the listing lacks is not looked up");
    }

    @Test
    void aQueryReadsOneItemAtATimeAndPassesOverOneRemovedSinceTheListing() {
        gone = Set.of("b.ics");
        Iterator<StoredObject> each = inbox().all().iterator();
        assertTrue(reads.isEmpty());
        assertEquals("a.ics", each.next().name());
        assertEquals(List.of("a.ics"), reads, "the next item is not read ahead of the answer");
        assertEquals("c.ics", each.next().name());
        assertEquals(List.of("a.ics", "b.ics", "c.ics"), reads);
        assertTrue(!each.hasNext());
    }
}
