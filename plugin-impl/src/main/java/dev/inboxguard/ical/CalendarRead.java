package dev.inboxguard.ical;

import dev.inboxguard.api.Finding;
import java.util.List;
import net.fortuna.ical4j.model.Calendar;

/** The outcome of reading untrusted iCalendar bytes: a parsed object, or the findings that stopped reading. */
public sealed interface CalendarRead {

    /**
     * @param calendar the parsed object
     * @param bytes    the bytes it came from
     */
    record Parsed(Calendar calendar, byte[] bytes) implements CalendarRead {
    }

    /** @param findings why the input was not parsed: {@code limits.size} or {@code malformed} */
    record Refused(List<Finding> findings) implements CalendarRead {
        /** Copies the list. */
        public Refused {
            findings = List.copyOf(findings);
        }
    }
}
