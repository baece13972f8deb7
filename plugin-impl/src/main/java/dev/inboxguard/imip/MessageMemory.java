package dev.inboxguard.imip;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory that messages being received and handled may take at once, shared by every session of both mail
 * listeners. Each session's message limit bounds one message, but not sixty-four of them: without a shared budget,
 * a few clients sending large messages together run the heap out and the server exits. A session takes memory
 * before it buffers more of a message and gives it back when its replies are sent; one that cannot take it answers
 * {@code 452 4.3.1}, and the MTA tries again later.
 */
final class MessageMemory {
    private final long budget;
    private final AtomicLong taken = new AtomicLong();

    /** @param budget bytes that all messages in hand may take together */
    MessageMemory(long budget) {
        if (budget <= 0) {
            throw new IllegalArgumentException("the budget must be positive");
        }
        this.budget = budget;
    }

    /**
     * @param maxMessageBytes the largest message a listener takes
     * @return a quarter of the heap, which leaves room for the parsing and screening of what is held; but at least
     *     room for one message of the largest size as a session holds it (its blocks, then the whole: about twice
     *     its size), or such a message would be deferred with 452 for ever, even on an idle server
     */
    static MessageMemory forMessagesOf(int maxMessageBytes) {
        return new MessageMemory(Math.max(Runtime.getRuntime().maxMemory() / 4, 2L * maxMessageBytes + (2 << 20)));
    }

    /**
     * @param bytes how much more a session is about to hold
     * @return whether it may; if not, nothing was taken
     */
    boolean take(long bytes) {
        while (true) {
            long now = taken.get();
            if (now + bytes > budget) {
                return false;
            }
            if (taken.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** @param bytes memory taken before and no longer held */
    void giveBack(long bytes) {
        taken.addAndGet(-bytes);
    }

    /** @return bytes taken now */
    long taken() {
        return taken.get();
    }
}
