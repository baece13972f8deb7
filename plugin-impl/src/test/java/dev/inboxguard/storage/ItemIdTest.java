package dev.inboxguard.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ItemIdTest {
    /** Names made later sort after earlier ones, also across a change in the number of the time's digits. */
    @Test
    void orderedIdentifiersSortByTheTimeTheyWereMade() {
        long[] times = {0, 15, 16, 1_000, 1_764_979_200_000L, 1_764_979_200_001L, 0xffff_ffff_ffffL};
        List<String> made = new ArrayList<>();
        for (long t : times) {
            made.add(ItemId.ordered(t));
        }
        List<String> sorted = new ArrayList<>(made);
        java.util.Collections.sort(sorted);
        assertEquals(made, sorted);
        for (String id : made) {
            assertTrue(id.matches("[0-9a-f]{44}"), id);
        }
    }

    /** Two made in the same millisecond still differ, in their 128 random bits. */
    @Test
    void orderedIdentifiersOfOneMillisecondDiffer() {
        String a = ItemId.ordered(1_764_979_200_000L);
        String b = ItemId.ordered(1_764_979_200_000L);
        assertEquals(a.substring(0, 12), b.substring(0, 12));
        assertNotEquals(a, b);
    }
}
