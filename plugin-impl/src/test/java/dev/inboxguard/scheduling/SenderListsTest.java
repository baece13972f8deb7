package dev.inboxguard.scheduling;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.inboxguard.api.CalendarUserAddress;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How people's list entries are written and matched. */
class SenderListsTest {
    @Test
    void entriesAreAddressesOrDomainsInOneSpelling() {
        assertEquals(Optional.of("mailto:eve@stranger.example"), SenderLists.entry(" Eve@Stranger.Example "));
        assertEquals(Optional.of("mailto:eve@stranger.example"), SenderLists.entry("MAILTO:eve@stranger.example"));
        assertEquals(Optional.of("@spam.example"), SenderLists.entry("@Spam.Example"));
        assertEquals(Optional.of("@spam.example"), SenderLists.entry("spam.example"));
        assertEquals(Optional.of("@xn--bcher-kva.example"), SenderLists.entry("@bücher.example"));
        assertEquals(Optional.empty(), SenderLists.entry("<script>@x"));
        assertEquals(Optional.empty(), SenderLists.entry("localhost"));
        assertEquals(Optional.empty(), SenderLists.entry(""));
        assertEquals(Optional.empty(), SenderLists.entry("a".repeat(400) + ".example"));
    }

    @Test
    void aSenderMatchesItsAddressThenEachDomainUpwards() {
        assertEquals(List.of("mailto:eve@mx.stranger.example", "@mx.stranger.example", "@stranger.example"),
                SenderLists.keys(CalendarUserAddress.of("mailto:Eve@MX.Stranger.Example")));
    }
}
