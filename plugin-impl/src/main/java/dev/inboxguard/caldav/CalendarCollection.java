package dev.inboxguard.caldav;

import dev.inboxguard.storage.StoredCalendar;
import java.util.List;
import org.apache.jackrabbit.webdav.DavException;
import org.apache.jackrabbit.webdav.DavResource;
import org.apache.jackrabbit.webdav.DavServletResponse;
import org.apache.jackrabbit.webdav.DavResourceLocator;
import org.apache.jackrabbit.webdav.MultiStatusResponse;
import org.apache.jackrabbit.webdav.property.DavProperty;
import org.apache.jackrabbit.webdav.property.PropEntry;
import org.apache.jackrabbit.webdav.property.DavPropertyName;
import org.apache.jackrabbit.webdav.property.DavPropertySet;
import org.apache.jackrabbit.webdav.property.DefaultDavProperty;
import org.apache.jackrabbit.webdav.property.HrefProperty;
import org.apache.jackrabbit.webdav.property.ResourceType;
import org.apache.jackrabbit.webdav.xml.DomUtil;
import org.apache.jackrabbit.webdav.xml.Namespace;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import java.util.ArrayList;
import java.util.Map;

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
        return "OPTIONS, GET, HEAD, PROPFIND, PROPPATCH, REPORT, DELETE, PUT, COPY, MOVE";
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
        set.add(new HrefProperty(CaldavNames.OWNER, resources().principalHref(calendar.owner()), true));
        set.add(LiveProperty.text(CaldavNames.MAX_RESOURCE_SIZE, Integer.toString(resources().limits().maxBytes())));
        set.add(LiveProperty.text(CaldavNames.MAX_ATTENDEES, Integer.toString(resources().limits().maxAttendees())));
        set.add(new LiveProperty(CaldavNames.SUPPORTED_CALENDAR_DATA, (doc, e) -> {
            Element data = DomUtil.addChildElement(e, "calendar-data", CaldavNames.CALDAV);
            data.setAttribute("content-type", "text/calendar");
            data.setAttribute("version", "2.0");
        }));
        set.add(new LiveProperty(CaldavNames.SUPPORTED_COLLATIONS, (doc, e) -> {
            for (String c : new String[] {"i;ascii-casemap", "i;octet", "i;unicode-casemap"}) {
                DomUtil.addChildElement(e, "supported-collation", CaldavNames.CALDAV, c);
            }
        }));
        // RFC 6638 §9.1: a calendar counts towards free-busy unless its owner says otherwise
        set.add(new LiveProperty(CaldavNames.SCHEDULE_CALENDAR_TRANSP, (doc, e) ->
                DomUtil.addChildElement(e, "opaque", CaldavNames.CALDAV)));
        for (Map.Entry<String, String> p : resources().store().properties(calendar.owner(), calendar.name())
                .entrySet()) {
            set.add(new StoredProperty(p.getKey(), p.getValue()));
        }
        return set;
    }

    /**
     * PROPPATCH (RFC 4918 §9.2): all or nothing. When one change is refused, the others fail with 424 and nothing
     * is stored ({@link CollectionProperties}).
     */
    @Override
    public MultiStatusResponse alterProperties(List<? extends PropEntry> changes) throws DavException {
        if (changes.size() > Multistatus.MAX_PROPERTIES) {
            throw new DavException(DavServletResponse.SC_FORBIDDEN, "at most " + Multistatus.MAX_PROPERTIES
                    + " properties per PROPPATCH");
        }
        Document doc = document();
        List<CollectionProperties.Instruction> instructions = new ArrayList<>();
        for (PropEntry e : changes) {
            if (e instanceof DavProperty<?> p) {
                Element set = p.toXml(doc);
                instructions.add(new CollectionProperties.Instruction(Multistatus.Name.of(set), set));
            } else if (e instanceof DavPropertyName n) {
                instructions.add(new CollectionProperties.Instruction(new Multistatus.Name(n.getNamespace().getURI(),
                        n.getName()), null));
            }
        }
        CollectionProperties.Verdict verdict = resources().collectionProperties().judge(instructions, false, false,
                resources().store().properties(calendar.owner(), calendar.name()));
        MultiStatusResponse response = new MultiStatusResponse(getHref(), verdict.reason().isEmpty() ? null
                : verdict.reason());
        for (Map.Entry<Multistatus.Name, Integer> s : verdict.statuses().entrySet()) {
            response.add(DavPropertyName.create(s.getKey().local(), Namespace.getNamespace(s.getKey().namespace())),
                    s.getValue());
        }
        verdict.change().ifPresent(change -> {
            if (!change.stored().isEmpty()) {
                resources().store().changeProperties(calendar.owner(), calendar.name(), change.stored());
            }
            change.displayName().ifPresent(d -> resources().rename(calendar, d.isEmpty() ? calendar.name() : d));
        });
        return response;
    }

    @Override
    List<DavResource> members() {
        return resources().objects(calendar, user());
    }
}
