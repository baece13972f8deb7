package dev.inboxguard.storage;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Objects read a page at a time: their names and sizes first, then the text of about {@link #PAGE_BYTES} at a time,
 * each page a range of names. A reader that stops early (an answer that is full) reads no more, and a calendar of
 * any size holds at most a page of object text in memory. Most reads are one page. An object deleted between the
 * two reads is left out, as a read a moment later would leave it out.
 */
final class ObjectPages implements Iterable<StoredObject> {
    /** Object text read in one query, unless one object alone is larger. */
    static final long PAGE_BYTES = 4L << 20;

    /** An object's name and the length of its text. */
    record Sized(String name, long bytes) {
    }

    /** Reads one page. */
    interface Reader {
        /**
         * @param first the page's first name
         * @param last  its last name
         * @param all   true if the page is every object listed, so that no range of names is needed
         * @return the objects whose names are from first to last, both included, in name order
         */
        List<StoredObject> read(String first, String last, boolean all);
    }

    private final List<Sized> objects;
    private final Reader range;

    /**
     * @param objects the objects, in name order
     * @param range   reads a page
     */
    ObjectPages(List<Sized> objects, Reader range) {
        this.objects = objects;
        this.range = range;
    }

    @Override
    public Iterator<StoredObject> iterator() {
        return new Iterator<>() {
            private int next;
            private Iterator<StoredObject> page = List.<StoredObject>of().iterator();

            @Override
            public boolean hasNext() {
                while (!page.hasNext() && next < objects.size()) {
                    int first = next;
                    long bytes = objects.get(next++).bytes();
                    while (next < objects.size() && bytes + objects.get(next).bytes() <= PAGE_BYTES) {
                        bytes += objects.get(next++).bytes();
                    }
                    page = range.read(objects.get(first).name(), objects.get(next - 1).name(),
                            first == 0 && next == objects.size()).iterator();
                }
                return page.hasNext();
            }

            @Override
            public StoredObject next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return page.next();
            }
        };
    }
}
