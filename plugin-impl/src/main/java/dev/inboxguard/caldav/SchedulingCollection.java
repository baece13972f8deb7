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
import org.apache.jackrabbit.webdav.DavException;
import org.apache.jackrabbit.webdav.DavServletResponse;
import org.apache.jackrabbit.webdav.MultiStatusResponse;
import org.apache.jackrabbit.webdav.property.DavProperty;
import org.apache.jackrabbit.webdav.property.PropEntry;
import org.w3c.dom.Element;

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
        return inbox() ? "OPTIONS, GET, HEAD, PROPFIND, PROPPATCH, REPORT" : "OPTIONS, POST, PROPFIND";
    }

    @Override
    DavPropertySet ownProperties() {
        DavPropertySet set = new DavPropertySet();
        set.add(new ResourceType(new int[] {ResourceType.COLLECTION,
                inbox() ? CaldavNames.SCHEDULE_INBOX : CaldavNames.SCHEDULE_OUTBOX}));
        set.add(new DefaultDavProperty<>(DavPropertyName.DISPLAYNAME, inbox() ? "Inbox" : "Outbox", false));
        if (inbox()) {
            resources().defaultCalendarHref(owner).ifPresent(href ->
                    set.add(new HrefProperty(CaldavNames.SCHEDULE_DEFAULT_CALENDAR_URL, href, false)));
        }
        if (inbox()) {
            // from the summaries' ETags: the CTag of an inbox is asked for often, and reads no text
            String state = CalendarReports.inboxToken(resources().inboxEtags(owner));
            set.add(new DefaultDavProperty<>(CaldavNames.GETCTAG, state, true));
            set.add(new DefaultDavProperty<>(CaldavNames.SYNC_TOKEN, state, true));
            set.add(new ReportSetProperty(false));
        }
        // RFC 6638 §6.1: the owner's own scheduling privileges, besides reading and removing
        set.add(LiveProperty.privileges(inbox()
                ? new String[] {"read", "unbind", "write-properties", "read-current-user-privilege-set"}
                : new String[] {"read", "read-current-user-privilege-set"}));
        return set;
    }

    /**
     * RFC 6638 §9.2: the inbox's schedule-default-calendar-URL may be pointed at another of the owner's calendars
     * that takes events; nothing else here changes.
     */
    @Override
    public MultiStatusResponse alterProperties(List<? extends PropEntry> changes) throws DavException {
        MultiStatusResponse response = new MultiStatusResponse(getHref(), null);
        String wanted = null;
        boolean refused = false;
        for (PropEntry e : changes) {
            if (inbox() && e instanceof DavProperty<?> p && p.getName().equals(CaldavNames.SCHEDULE_DEFAULT_CALENDAR_URL)) {
                Element x = p.toXml(document());
                Element href = org.apache.jackrabbit.webdav.xml.DomUtil.getChildElement(x, "href", CaldavNames.DAV);
                wanted = href == null ? null : href.getTextContent().strip();
            } else {
                refused = true;
            }
        }
        String calendar = wanted == null ? null : calendarName(wanted);
        boolean ok = !refused && calendar != null && resources().scheduling().homes().setDefault(owner.name(), calendar);
        for (PropEntry e : changes) {
            DavPropertyName name = e instanceof DavProperty<?> p ? p.getName() : (DavPropertyName) e;
            boolean ours = name.equals(CaldavNames.SCHEDULE_DEFAULT_CALENDAR_URL) && e instanceof DavProperty<?>;
            response.add(name, ok ? DavServletResponse.SC_OK : ours && refused ? DavServletResponse.SC_FAILED_DEPENDENCY
                    : ours ? DavServletResponse.SC_CONFLICT : DavServletResponse.SC_FORBIDDEN);
        }
        return response;
    }

    /** @return the name of one of the owner's calendars that an href names, or null */
    private String calendarName(String href) {
        String home = resources().homeHref(owner.name());
        java.util.Optional<String> path = DavHrefs.path(href);
        java.util.Optional<String> homePath = DavHrefs.decode(home);
        if (path.isEmpty() || homePath.isEmpty() || !path.get().startsWith(homePath.get())) {
            return null;
        }
        String rest = path.get().substring(homePath.get().length());
        rest = rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest;
        return rest.isEmpty() || rest.contains("/") ? null : rest;
    }

    @Override
    List<DavResource> members() {
        return inbox() ? resources().inbox(owner, user()) : List.of();
    }
}
