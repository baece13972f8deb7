package dev.inboxguard.caldav;

import dev.inboxguard.server.Account;
import java.util.List;
import org.apache.jackrabbit.webdav.DavResource;
import org.apache.jackrabbit.webdav.DavResourceLocator;
import org.apache.jackrabbit.webdav.property.DavPropertyName;
import org.apache.jackrabbit.webdav.property.DavPropertySet;
import org.apache.jackrabbit.webdav.property.DefaultDavProperty;
import org.apache.jackrabbit.webdav.property.HrefProperty;
import org.apache.jackrabbit.webdav.property.ResourceType;

/**
 * A user's scheduling inbox or outbox (RFC 6638 §2.1, §2.2). The inbox lists what the guard delivered; only the
 * server writes into it, and the user reads and removes. The outbox takes POSTs ({@link CalendarRequests}).
 */
final class SchedulingCollection extends ServerResource {
    private final Account owner;
    private final String which;

    SchedulingCollection(DavResourceLocator locator, CaldavResources factory, UserSession session, Account owner,
                         String which) {
        super(locator, factory, session);
        this.owner = owner;
        this.which = which;
    }

    private boolean inbox() {
        return which.equals(CaldavNames.INBOX);
    }

    @Override
    public String getSupportedMethods() {
        return inbox() ? "OPTIONS, GET, HEAD, PROPFIND" : "OPTIONS, POST, PROPFIND";
    }

    @Override
    DavPropertySet ownProperties() {
        DavPropertySet set = new DavPropertySet();
        set.add(new ResourceType(new int[] {ResourceType.COLLECTION,
                inbox() ? CaldavNames.SCHEDULE_INBOX : CaldavNames.SCHEDULE_OUTBOX}));
        set.add(new DefaultDavProperty<>(DavPropertyName.DISPLAYNAME, inbox() ? "Inbox" : "Outbox", false));
        if (inbox()) {
            resources().defaultCalendarHref(owner).ifPresent(href ->
                    set.add(new HrefProperty(CaldavNames.SCHEDULE_DEFAULT_CALENDAR_URL, href, true)));
        }
        return set;
    }

    @Override
    List<DavResource> members() {
        return inbox() ? resources().inbox(owner, user()) : List.of();
    }
}
