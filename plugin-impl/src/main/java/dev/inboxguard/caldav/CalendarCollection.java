package dev.inboxguard.caldav;

import dev.inboxguard.storage.StoredCalendar;
import java.util.List;
import org.apache.jackrabbit.webdav.DavResource;
import org.apache.jackrabbit.webdav.DavResourceLocator;
import org.apache.jackrabbit.webdav.DavServletResponse;
import org.apache.jackrabbit.webdav.MultiStatusResponse;
import org.apache.jackrabbit.webdav.property.DavProperty;
import org.apache.jackrabbit.webdav.property.PropEntry;
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

    /**
     * PROPPATCH: DAV:displayname can change; anything else is refused. All or nothing (RFC 4918 §9.2): when one
     * change is refused, the others fail with 424 and nothing is stored.
     */
    @Override
    public MultiStatusResponse alterProperties(List<? extends PropEntry> changes) {
        MultiStatusResponse response = new MultiStatusResponse(getHref(), null);
        String displayName = null;
        boolean refused = false;
        for (PropEntry e : changes) {
            if (e instanceof DavProperty<?> p && p.getName().equals(DavPropertyName.DISPLAYNAME)
                    && p.getValue() instanceof String text && text.strip().length() <= 1000) {
                displayName = text.strip();
            } else {
                refused = true;
            }
        }
        for (PropEntry e : changes) {
            DavPropertyName name = e instanceof DavProperty<?> p ? p.getName() : (DavPropertyName) e;
            boolean ours = name.equals(DavPropertyName.DISPLAYNAME) && e instanceof DavProperty<?>;
            response.add(name, !refused ? DavServletResponse.SC_OK
                    : ours ? DavServletResponse.SC_FAILED_DEPENDENCY : DavServletResponse.SC_FORBIDDEN);
        }
        if (!refused && displayName != null) {
            resources().rename(calendar, displayName.isEmpty() ? calendar.name() : displayName);
        }
        return response;
    }

    @Override
    List<DavResource> members() {
        return resources().objects(calendar, user());
    }
}
