package dev.inboxguard.caldav;

import dev.inboxguard.server.Account;
import java.util.List;
import org.apache.jackrabbit.webdav.DavResource;
import org.apache.jackrabbit.webdav.DavResourceLocator;
import org.apache.jackrabbit.webdav.property.DavPropertyName;
import org.apache.jackrabbit.webdav.property.DavPropertySet;
import org.apache.jackrabbit.webdav.property.DefaultDavProperty;
import org.apache.jackrabbit.webdav.property.ResourceType;

/** A user's calendar home (RFC 4791 §6.2.1): the collection that holds their calendars. */
final class CalendarHome extends ServerResource {
    private final Account account;

    CalendarHome(DavResourceLocator locator, CaldavResources factory, UserSession session, Account account) {
        super(locator, factory, session);
        this.account = account;
    }

    @Override
    public String getSupportedMethods() {
        // RFC 4791 §5.1.1: MKCALENDAR is listed where a calendar can be made; RFC 5689: so is MKCOL
        return "OPTIONS, GET, HEAD, PROPFIND, MKCALENDAR, MKCOL";
    }

    @Override
    DavPropertySet ownProperties() {
        DavPropertySet set = new DavPropertySet();
        set.add(new ResourceType(ResourceType.COLLECTION));
        set.add(new DefaultDavProperty<>(DavPropertyName.DISPLAYNAME, account.displayName(), false));
        set.add(new org.apache.jackrabbit.webdav.property.HrefProperty(CaldavNames.OWNER,
                resources().principalHref(account.name()), true));
        return set;
    }

    @Override
    List<DavResource> members() {
        List<DavResource> out = new java.util.ArrayList<>(resources().calendars(account, user()));
        out.add(resources().schedulingCollection(account, CaldavNames.INBOX, user()));
        out.add(resources().schedulingCollection(account, CaldavNames.OUTBOX, user()));
        return out;
    }
}
