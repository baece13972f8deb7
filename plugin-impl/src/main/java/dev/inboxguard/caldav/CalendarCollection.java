package dev.inboxguard.caldav;

import dev.inboxguard.storage.StoredCalendar;
import java.util.List;
import org.apache.jackrabbit.webdav.DavResource;
import org.apache.jackrabbit.webdav.DavResourceLocator;
import org.apache.jackrabbit.webdav.property.DavPropertyName;
import org.apache.jackrabbit.webdav.property.DavPropertySet;
import org.apache.jackrabbit.webdav.property.DefaultDavProperty;
import org.apache.jackrabbit.webdav.property.ResourceType;

/** A calendar collection (RFC 4791 §4.2), read from the store. */
final class CalendarCollection extends ServerResource {
    private final StoredCalendar calendar;

    CalendarCollection(DavResourceLocator locator, CaldavResources factory, UserSession session,
                       StoredCalendar calendar) {
        super(locator, factory, session);
        this.calendar = calendar;
    }

    @Override
    public String getSupportedMethods() {
        return "OPTIONS, GET, HEAD, PROPFIND, REPORT, DELETE";
    }

    @Override
    public String getDisplayName() {
        return calendar.displayName();
    }

    @Override
    DavPropertySet ownProperties() {
        DavPropertySet set = new DavPropertySet();
        set.add(new ResourceType(new int[] {ResourceType.COLLECTION, CaldavNames.CALENDAR}));
        set.add(new DefaultDavProperty<>(DavPropertyName.DISPLAYNAME, calendar.displayName(), false));
        set.add(new ComponentSetProperty(calendar.components()));
        // the revision changes with every write to the calendar: clients poll it to know when to sync
        set.add(new DefaultDavProperty<>(CaldavNames.GETCTAG, Long.toString(calendar.revision()), true));
        set.add(new ReportSetProperty());
        set.add(new DefaultDavProperty<>(CaldavNames.SYNC_TOKEN, CalendarReports.token(calendar.revision()), true));
        return set;
    }

    @Override
    List<DavResource> members() {
        return resources().objects(calendar, user());
    }
}
