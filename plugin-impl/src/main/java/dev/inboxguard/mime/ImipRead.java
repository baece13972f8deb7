package dev.inboxguard.mime;

import dev.inboxguard.api.Finding;
import java.util.List;

/** The outcome of reading an untrusted e-mail: the iMIP content, or the findings that stopped reading. */
public sealed interface ImipRead {

    /** @param message the calendar part and header facts */
    record Extracted(ImipMessage message) implements ImipRead {
    }

    /**
     * @param findings         why the e-mail was not read: {@code limits.size} or {@code malformed}
     * @param noCalendarPart   true if the e-mail was readable but has no calendar part (ordinary mail, which a
     *                         gateway may be set to accept and drop)
     */
    record Refused(List<Finding> findings, boolean noCalendarPart) implements ImipRead {
        /** Copies the list. */
        public Refused {
            findings = List.copyOf(findings);
        }

        /** @param findings why the e-mail was not read */
        public Refused(List<Finding> findings) {
            this(findings, false);
        }
    }
}
