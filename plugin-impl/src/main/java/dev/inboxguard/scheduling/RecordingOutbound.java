package dev.inboxguard.scheduling;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Keeps outgoing iMIP messages in memory and logs them: the outbound port when no mail relay is configured. */
public final class RecordingOutbound implements OutboundImip {
    private static final Logger LOG = LoggerFactory.getLogger(RecordingOutbound.class);
    private static final int KEEP = 1000;
    private final List<OutgoingItip> sent = new ArrayList<>();

    @Override
    public synchronized String send(OutgoingItip message) {
        LOG.info("iMIP {} for {} to {} (no mail relay configured; recorded only)", message.method(), message.uid(),
                message.to());
        if (sent.size() == KEEP) {
            sent.remove(0);
        }
        sent.add(message);
        return "1.1";
    }

    /** @return the messages recorded so far, oldest first (at most the last 1,000) */
    public synchronized List<OutgoingItip> sent() {
        return List.copyOf(sent);
    }
}
