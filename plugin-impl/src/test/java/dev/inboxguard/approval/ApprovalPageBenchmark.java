package dev.inboxguard.approval;

import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.storage.HeldItem;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What the approval page costs to render: each held item read from its stored iCalendar (bounded reader), told in
 * words (time in the user's zone, the recurrence, each finding as a sentence), then the JTE template. One page with
 * 20 held items, the most a person is likely to face at once; and one held item, a mail's confirmation page.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
public class ApprovalPageBenchmark {
    private Pages pages;
    private List<HeldItem> items;
    private final ZoneId paris = ZoneId.of("Europe/Paris");
    private final Frame frame = new Frame("Alice", "0".repeat(64), true, "held");

    @Setup
    public void setUp() {
        pages = new Pages(new CalendarReader(ConfigFile.defaults().limits()), "status");
        items = new ArrayList<>();
        String findings = "[{\"code\":\"sender.unknown\",\"severity\":\"low\",\"message\":\"olga@example.net is not "
                + "someone the recipient knows\",\"property\":\"ORGANIZER\",\"value\":\"mailto:olga@example.net\"},"
                + "{\"code\":\"content.suspicious-url\",\"severity\":\"medium\",\"message\":\"the host is an IP "
                + "address\",\"property\":\"DESCRIPTION\",\"value\":\"http://192.0.2.7/login\"}]";
        for (int i = 0; i < 20; i++) {
            String ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//remote//EN\r\nMETHOD:REQUEST\r\n"
                    + "BEGIN:VEVENT\r\nUID:bench-" + i + "@example.net\r\nDTSTAMP:20261201T090000Z\r\n"
                    + "DTSTART;TZID=Europe/Berlin:20261210T090000\r\nDTEND;TZID=Europe/Berlin:20261210T100000\r\n"
                    + "RRULE:FREQ=WEEKLY;BYDAY=TH;UNTIL=20270301T000000Z\r\nSUMMARY:Weekly review " + i + "\r\n"
                    + "LOCATION:Room " + i + "\r\nDESCRIPTION:Agenda at http://192.0.2.7/login\r\n"
                    + "ORGANIZER;CN=Olga Petrova:mailto:olga@example.net\r\n"
                    + "ATTENDEE;CN=Alice;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:alice@example.com\r\n"
                    + "ATTENDEE;CN=Bob;PARTSTAT=ACCEPTED:mailto:bob@example.com\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
            items.add(new HeldItem(String.format("%032x", i), "alice", "mailto:alice@example.com", "alice",
                    "recipient", "REQUEST", "bench-" + i + "@example.net", "mailto:olga@example.net",
                    "Weekly review " + i, "imip", ics.getBytes(StandardCharsets.UTF_8), findings, 1_764_000_000_000L,
                    HeldItem.HELD, "", 0, "{\"transport\":\"imip\",\"messageId\":\"<m" + i + "@example.net>\","
                    + "\"envelopeSender\":\"olga@example.net\",\"from\":\"olga@example.net\","
                    + "\"authentication\":[\"dkim=pass (example.net)\"]}"));
        }
    }

    /** The whole page with 20 held items. */
    @Benchmark
    public int pageWithTwentyHeldItems() {
        List<HeldCard> cards = new ArrayList<>(items.size());
        for (HeldItem h : items) {
            cards.add(pages.held(h, paris));
        }
        return Pages.render("home.jte", Map.of("frame", frame, "held", cards, "delivered", List.of(), "sent",
                List.of(), "notice", "")).getContentLength();
    }

    /** One held item told in words, without the page around it. */
    @Benchmark
    public HeldCard oneHeldItem() {
        return pages.held(items.get(0), paris);
    }
}
