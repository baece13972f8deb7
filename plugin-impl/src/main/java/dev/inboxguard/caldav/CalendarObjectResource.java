package dev.inboxguard.caldav;

import dev.inboxguard.storage.StoredObject;
import java.io.IOException;
import java.util.List;
import org.apache.jackrabbit.webdav.DavResource;
import org.apache.jackrabbit.webdav.DavResourceLocator;
import org.apache.jackrabbit.webdav.io.OutputContext;
import org.apache.jackrabbit.webdav.property.DavPropertyName;
import org.apache.jackrabbit.webdav.property.DavPropertySet;
import org.apache.jackrabbit.webdav.property.DefaultDavProperty;
import org.apache.jackrabbit.webdav.property.ResourceType;
import org.apache.jackrabbit.webdav.util.HttpDateFormat;

/** A calendar object resource (RFC 4791 §4.1) as PROPFIND sees it; GET, PUT and DELETE go to {@link CalendarRequests}. */
final class CalendarObjectResource extends ServerResource {
    private final StoredObject object;

    CalendarObjectResource(DavResourceLocator locator, CaldavResources factory, UserSession session,
                           StoredObject object) {
        super(locator, factory, session);
        this.object = object;
    }

    StoredObject object() {
        return object;
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
        return object.modified();
    }

    @Override
    public void spool(OutputContext context) throws IOException {
        context.setContentType("text/calendar; charset=utf-8");
        context.setContentLength(object.size());
        context.setETag(object.etag());
        if (context.hasStream()) {
            context.getOutputStream().write(object.data());
        }
    }

    @Override
    DavPropertySet ownProperties() {
        DavPropertySet set = new DavPropertySet();
        set.add(new ResourceType(ResourceType.DEFAULT_RESOURCE));
        set.add(new DefaultDavProperty<>(DavPropertyName.GETETAG, object.etag(), false));
        set.add(new DefaultDavProperty<>(DavPropertyName.GETCONTENTTYPE, "text/calendar; charset=utf-8", false));
        set.add(new DefaultDavProperty<>(DavPropertyName.GETCONTENTLENGTH, Integer.toString(object.size()), false));
        set.add(new DefaultDavProperty<>(DavPropertyName.GETLASTMODIFIED,
                HttpDateFormat.modificationDateFormat().format(new java.util.Date(object.modified())), false));
        if (!object.scheduleTag().isEmpty() && CalendarRequests.isSchedulingObject(object.data())) {
            set.add(new DefaultDavProperty<>(CaldavNames.SCHEDULE_TAG, object.scheduleTag(), true));
        }
        return set;
    }

    @Override
    List<DavResource> members() {
        return List.of();
    }
}
