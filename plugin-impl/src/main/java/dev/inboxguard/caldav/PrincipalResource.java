package dev.inboxguard.caldav;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.server.Account;
import java.util.List;
import org.apache.jackrabbit.webdav.DavResource;
import org.apache.jackrabbit.webdav.DavResourceLocator;
import org.apache.jackrabbit.webdav.property.DavPropertyName;
import org.apache.jackrabbit.webdav.property.DavPropertySet;
import org.apache.jackrabbit.webdav.property.DefaultDavProperty;
import org.apache.jackrabbit.webdav.property.HrefProperty;
import org.apache.jackrabbit.webdav.property.ResourceType;

/** A user's principal (RFC 3744 §2, RFC 4791 §6.2.1): where a client finds the user's calendar home and addresses. */
final class PrincipalResource extends ServerResource {
    private final Account account;

    PrincipalResource(DavResourceLocator locator, CaldavResources factory, UserSession session, Account account) {
        super(locator, factory, session);
        this.account = account;
    }

    @Override
    public String getDisplayName() {
        return account.displayName();
    }

    private boolean self() {
        return account.name().equals(user().account().name());
    }

    @Override
    public String getSupportedMethods() {
        return "OPTIONS, PROPFIND, REPORT";
    }

    /**
     * Anyone who may see a principal reads its name, addresses and type, so that clients can complete attendees;
     * only its owner reads where its calendars and scheduling collections are.
     */
    @Override
    DavPropertySet ownProperties() {
        DavPropertySet set = new DavPropertySet();
        set.add(new ResourceType(new int[] {ResourceType.COLLECTION, CaldavNames.PRINCIPAL}));
        set.add(new DefaultDavProperty<>(DavPropertyName.DISPLAYNAME, account.displayName(), false));
        set.add(new HrefProperty(CaldavNames.PRINCIPAL_URL, getHref(), true));
        set.add(new HrefProperty(CaldavNames.CALENDAR_USER_ADDRESS_SET,
                account.addresses().stream().map(CalendarUserAddress::uri).toArray(String[]::new), true));
        set.add(new DefaultDavProperty<>(CaldavNames.CALENDAR_USER_TYPE, "INDIVIDUAL", true));
        if (!self()) {
            set.add(LiveProperty.privileges(LiveProperty.READER));
            return set;
        }
        set.add(new HrefProperty(CaldavNames.CALENDAR_HOME_SET, resources().homeHref(account.name()), true));
        set.add(new HrefProperty(CaldavNames.SCHEDULE_INBOX_URL, resources().homeHref(account.name())
                + CaldavNames.INBOX + "/", true));
        set.add(new HrefProperty(CaldavNames.SCHEDULE_OUTBOX_URL, resources().homeHref(account.name())
                + CaldavNames.OUTBOX + "/", true));
        return set;
    }

    @Override
    List<DavResource> members() {
        return List.of();
    }
}
