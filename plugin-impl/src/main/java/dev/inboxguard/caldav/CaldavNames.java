package dev.inboxguard.caldav;

import org.apache.jackrabbit.webdav.DavConstants;
import org.apache.jackrabbit.webdav.property.DavPropertyName;
import org.apache.jackrabbit.webdav.property.ResourceType;
import org.apache.jackrabbit.webdav.xml.Namespace;

/** The WebDAV, CalDAV (RFC 4791, RFC 6638) and CalendarServer names the server speaks. */
final class CaldavNames {
    static final Namespace DAV = DavConstants.NAMESPACE;
    static final Namespace CALDAV = Namespace.getNamespace("C", "urn:ietf:params:xml:ns:caldav");

    static final DavPropertyName CURRENT_USER_PRINCIPAL = DavPropertyName.create("current-user-principal", DAV);
    static final DavPropertyName PRINCIPAL_URL = DavPropertyName.create("principal-URL", DAV);
    static final DavPropertyName PRINCIPAL_COLLECTION_SET = DavPropertyName.create("principal-collection-set", DAV);
    static final DavPropertyName CURRENT_USER_PRIVILEGE_SET =
            DavPropertyName.create("current-user-privilege-set", DAV);
    static final DavPropertyName OWNER = DavPropertyName.create("owner", DAV);
    static final DavPropertyName CALENDAR_DESCRIPTION = DavPropertyName.create("calendar-description", CALDAV);
    static final DavPropertyName MAX_RESOURCE_SIZE = DavPropertyName.create("max-resource-size", CALDAV);
    static final DavPropertyName MAX_ATTENDEES = DavPropertyName.create("max-attendees-per-instance", CALDAV);
    static final DavPropertyName SUPPORTED_CALENDAR_DATA = DavPropertyName.create("supported-calendar-data", CALDAV);
    static final DavPropertyName SUPPORTED_COLLATIONS = DavPropertyName.create("supported-collation-set", CALDAV);
    static final DavPropertyName SCHEDULE_TAG = DavPropertyName.create("schedule-tag", CALDAV);
    static final DavPropertyName SCHEDULE_CALENDAR_TRANSP = DavPropertyName.create("schedule-calendar-transp", CALDAV);
    static final DavPropertyName CALENDAR_HOME_SET = DavPropertyName.create("calendar-home-set", CALDAV);
    static final DavPropertyName CALENDAR_USER_ADDRESS_SET =
            DavPropertyName.create("calendar-user-address-set", CALDAV);

    static final Namespace CALENDARSERVER = Namespace.getNamespace("CS", "http://calendarserver.org/ns/");
    static final DavPropertyName SUPPORTED_COMPONENTS =
            DavPropertyName.create("supported-calendar-component-set", CALDAV);
    static final DavPropertyName SYNC_TOKEN = DavPropertyName.create("sync-token", DAV);
    static final DavPropertyName GETCTAG = DavPropertyName.create("getctag", CALENDARSERVER);

    static final DavPropertyName SCHEDULE_INBOX_URL = DavPropertyName.create("schedule-inbox-URL", CALDAV);
    static final DavPropertyName SCHEDULE_OUTBOX_URL = DavPropertyName.create("schedule-outbox-URL", CALDAV);
    static final DavPropertyName SCHEDULE_DEFAULT_CALENDAR_URL =
            DavPropertyName.create("schedule-default-calendar-URL", CALDAV);
    static final DavPropertyName CALENDAR_USER_TYPE = DavPropertyName.create("calendar-user-type", CALDAV);
    static final int SCHEDULE_INBOX = ResourceType.registerResourceType("schedule-inbox", CALDAV);
    static final int SCHEDULE_OUTBOX = ResourceType.registerResourceType("schedule-outbox", CALDAV);
    static final String INBOX = "inbox";
    static final String OUTBOX = "outbox";

    static final int PRINCIPAL = ResourceType.registerResourceType("principal", DAV);
    static final int CALENDAR = ResourceType.registerResourceType("calendar", CALDAV);

    private CaldavNames() {
    }
}
