package dev.inboxguard.caldav;

import dev.inboxguard.config.ConfigFile;
import dev.inboxguard.ical.CalendarRead;
import dev.inboxguard.ical.CalendarReader;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.fortuna.ical4j.model.Calendar;
import org.apache.jackrabbit.webdav.xml.DomUtil;
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
 * What a calendar-query costs on a calendar of 200 objects (150 single events over a year, 50 weekly series in
 * Europe/Berlin with an override each): the filter alone on parsed objects, the filter with parsing (the server's
 * path for objects the index finds), and expand of every series over a month.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgs = {"-Xmx1g"})
@Warmup(iterations = 3, time = 1, timeUnit = TimeUnit.SECONDS)
@Measurement(iterations = 5, time = 1, timeUnit = TimeUnit.SECONDS)
public class CalendarQueryBenchmark {
    private final CalendarReader reader = new CalendarReader(ConfigFile.defaults().limits());
    private final List<byte[]> raw = new ArrayList<>();
    private final List<Calendar> parsed = new ArrayList<>();
    private final List<Calendar> series = new ArrayList<>();
    private QueryFilter month;
    private QueryFilter summary;
    private CalendarData expand;

    @Setup
    public void setUp() throws Exception {
        for (int i = 0; i < 150; i++) {
            int day = 1 + i % 28;
            int monthOfYear = 1 + i % 12;
            add(String.format("BEGIN:VEVENT\r\nUID:single-%d\r\nDTSTAMP:20270101T000000Z\r\n"
                    + "DTSTART:2027%02d%02dT090000Z\r\nDTEND:2027%02d%02dT100000Z\r\nSUMMARY:Meeting %d\r\n"
                    + "END:VEVENT\r\n", i, monthOfYear, day, monthOfYear, day, i), false);
        }
        for (int i = 0; i < 50; i++) {
            add(String.format("BEGIN:VEVENT\r\nUID:series-%d\r\nDTSTAMP:20270101T000000Z\r\n"
                    + "DTSTART;TZID=Europe/Berlin:20270104T%02d0000\r\nDURATION:PT1H\r\nRRULE:FREQ=WEEKLY\r\n"
                    + "SUMMARY:Standup %d\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:series-%d\r\n"
                    + "DTSTAMP:20270101T000000Z\r\nRECURRENCE-ID;TZID=Europe/Berlin:20270301T%02d0000\r\n"
                    + "DTSTART;TZID=Europe/Berlin:20270302T%02d0000\r\nDURATION:PT1H\r\nSUMMARY:Moved\r\n"
                    + "END:VEVENT\r\n", i, 8 + i % 10, i, i, 8 + i % 10, 8 + i % 10), true);
        }
        month = filter("<C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\"><C:time-range "
                + "start=\"20270301T000000Z\" end=\"20270401T000000Z\"/></C:comp-filter></C:comp-filter>");
        summary = filter("<C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\"><C:prop-filter "
                + "name=\"SUMMARY\"><C:text-match>standup 4</C:text-match></C:prop-filter></C:comp-filter>"
                + "</C:comp-filter>");
        expand = CalendarData.read(element("<C:calendar-data xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><C:expand "
                + "start=\"20270301T000000Z\" end=\"20270401T000000Z\"/></C:calendar-data>"));
    }

    private void add(String event, boolean recurring) {
        byte[] bytes = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n" + event + "END:VCALENDAR\r\n")
                .getBytes(StandardCharsets.UTF_8);
        Calendar c = ((CalendarRead.Parsed) reader.read(bytes)).calendar();
        raw.add(bytes);
        parsed.add(c);
        if (recurring) {
            series.add(c);
        }
    }

    private static QueryFilter filter(String inner) throws Exception {
        return QueryFilter.read(element("<C:filter xmlns:C=\"urn:ietf:params:xml:ns:caldav\">" + inner
                + "</C:filter>"));
    }

    private static org.w3c.dom.Element element(String xml) throws Exception {
        return DomUtil.parseDocument(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)))
                .getDocumentElement();
    }

    /** A month's time range over 200 parsed objects, series expanded. */
    @Benchmark
    public int timeRangeOnParsed() {
        int n = 0;
        for (Calendar c : parsed) {
            n += month.matches(c) ? 1 : 0;
        }
        return n;
    }

    /** The same with each object read from its bytes, within the guard's limits, as the server does. */
    @Benchmark
    public int timeRangeWithParsing() {
        int n = 0;
        for (byte[] b : raw) {
            if (reader.read(b) instanceof CalendarRead.Parsed p && month.matches(p.calendar())) {
                n++;
            }
        }
        return n;
    }

    /** A text search (SUMMARY contains) over 200 parsed objects. */
    @Benchmark
    public int textMatchOnParsed() {
        int n = 0;
        for (Calendar c : parsed) {
            n += summary.matches(c) ? 1 : 0;
        }
        return n;
    }

    /** expand of 50 weekly series over a month: about 220 instances written out. */
    @Benchmark
    public int expandMonth() throws Exception {
        int n = 0;
        for (Calendar c : series) {
            n += expand.render(c).length();
        }
        return n;
    }
}
