package dev.inboxguard.caldav;

import dev.inboxguard.storage.ObjectSummary;
import dev.inboxguard.storage.StoredObject;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.jackrabbit.webdav.DavResource;
import org.apache.jackrabbit.webdav.DavResourceLocator;
import org.apache.jackrabbit.webdav.io.OutputContext;
import org.apache.jackrabbit.webdav.property.DavProperty;
import org.apache.jackrabbit.webdav.property.DavPropertyName;
import org.apache.jackrabbit.webdav.property.DavPropertySet;
import org.apache.jackrabbit.webdav.property.DefaultDavProperty;
import org.apache.jackrabbit.webdav.property.ResourceType;

/**
 * A calendar object resource (RFC 4791 §4.1) as PROPFIND sees it; GET, PUT and DELETE go to {@link CalendarRequests}.
 * A listing builds it from the object's summary; the iCalendar text is read only for what needs it (the Schedule-Tag,
 * which only a scheduling object shows, and a body), so listing ETags reads no calendar data.
 */
final class CalendarObjectResource extends ServerResource {
    /** What a listing's summary answers alone. */
    private static final java.util.Set<DavPropertyName> FROM_SUMMARY = java.util.Set.of(DavPropertyName.GETETAG,
            DavPropertyName.GETCONTENTTYPE, DavPropertyName.GETCONTENTLENGTH, DavPropertyName.GETLASTMODIFIED,
            DavPropertyName.RESOURCETYPE);

    private final ObjectSummary summary;
    private final Supplier<Optional<StoredObject>> load;
    private Optional<StoredObject> loaded;
    private DavPropertySet properties;
    private DavPropertySet summaryProperties;

    CalendarObjectResource(DavResourceLocator locator, CaldavResources factory, UserSession session,
                           StoredObject object) {
        this(locator, factory, session, ObjectSummary.of(object), () -> Optional.of(object));
    }

    /**
     * @param summary what the listing said
     * @param load    reads the whole object, when asked for something the summary lacks
     */
    CalendarObjectResource(DavResourceLocator locator, CaldavResources factory, UserSession session,
                           ObjectSummary summary, Supplier<Optional<StoredObject>> load) {
        super(locator, factory, session);
        this.summary = summary;
        this.load = load;
    }

    /** @return the whole object, read once; empty if it went away since the listing */
    Optional<StoredObject> object() {
        if (loaded == null) {
            loaded = load.get();
        }
        return loaded;
    }

    @Override
    public boolean isCollection() {
        return false;
    }

    @Override
    public String getHref() {
        return href(false);
    }

    @Override
    public String getSupportedMethods() {
        return "OPTIONS, GET, HEAD, PUT, DELETE, PROPFIND";
    }

    @Override
    public long getModificationTime() {
        return summary.modified();
    }

    @Override
    public void spool(OutputContext context) throws IOException {
        // the body and its ETag from one read, even if the object changed since the listing
        Optional<StoredObject> now = object();
        byte[] data = now.map(StoredObject::data).orElse(new byte[0]);
        context.setContentType("text/calendar; charset=utf-8");
        context.setContentLength(data.length);
        context.setETag(now.map(StoredObject::etag).orElse(summary.etag()));
        if (context.hasStream()) {
            context.getOutputStream().write(data);
        }
    }

    @Override
    public DavProperty<?> getProperty(DavPropertyName name) {
        // what a synchronizing client asks of every object comes from the summary alone
        if (FROM_SUMMARY.contains(name)) {
            return summaryProperties().get(name);
        }
        return getProperties().get(name);
    }

    @Override
    public DavPropertySet getProperties() {
        if (properties == null) {
            properties = super.getProperties();
        }
        return properties;
    }

    private DavPropertySet summaryProperties() {
        if (summaryProperties == null) {
            summaryProperties = summarize();
        }
        return summaryProperties;
    }

    private DavPropertySet summarize() {
        DavPropertySet set = new DavPropertySet();
        set.add(new ResourceType(ResourceType.DEFAULT_RESOURCE));
        set.add(new DefaultDavProperty<>(DavPropertyName.GETETAG, summary.etag(), false));
        set.add(new DefaultDavProperty<>(DavPropertyName.GETCONTENTTYPE, "text/calendar; charset=utf-8", false));
        set.add(new DefaultDavProperty<>(DavPropertyName.GETCONTENTLENGTH, Long.toString(summary.size()), false));
        set.add(new DefaultDavProperty<>(DavPropertyName.GETLASTMODIFIED,
                CalendarRequests.httpDate(summary.modified()), false));
        return set;
    }

    @Override
    DavPropertySet ownProperties() {
        DavPropertySet set = summarize(); // a set of its own: the caller adds to it, the memoized one stays as it is
        if (!summary.scheduleTag().isEmpty()
                && object().map(o -> CalendarRequests.isSchedulingObject(o.data())).orElse(false)) {
            set.add(new DefaultDavProperty<>(CaldavNames.SCHEDULE_TAG, summary.scheduleTag(), true));
        }
        return set;
    }

    @Override
    List<DavResource> members() {
        return List.of();
    }
}
