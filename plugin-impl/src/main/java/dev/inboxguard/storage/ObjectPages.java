package dev.inboxguard.storage;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Function;

/**
 * Objects read a page at a time, from a list of their names read first. A reader that stops early (an answer that
 * is full) reads no more objects, and at most one page of object text is in memory however large the calendar.
 * An object deleted between the two reads is left out, as a read a moment later would leave it out.
 */
final class ObjectPages implements Iterable<StoredObject> {
    /** Objects read in one query. */
    static final int PAGE = 64;

    private final List<String> names;
    private final Function<List<String>, List<StoredObject>> read;

    /**
     * @param names the objects' names, in the order they are to come
     * @param read  reads the objects of some names, in any order
     */
    ObjectPages(List<String> names, Function<List<String>, List<StoredObject>> read) {
        this.names = names;
        this.read = read;
    }

    @Override
    public Iterator<StoredObject> iterator() {
        return new Iterator<>() {
            private int next;
            private Iterator<StoredObject> page = List.<StoredObject>of().iterator();

            @Override
            public boolean hasNext() {
                while (!page.hasNext() && next < names.size()) {
                    List<String> some = names.subList(next, Math.min(names.size(), next + PAGE));
                    next += some.size();
                    java.util.Map<String, StoredObject> byName = new java.util.HashMap<>();
                    read.apply(some).forEach(o -> byName.put(o.name(), o));
                    page = some.stream().map(byName::get).filter(java.util.Objects::nonNull).iterator();
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
