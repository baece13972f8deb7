package dev.inboxguard.caldav;

import java.util.List;
import org.apache.jackrabbit.webdav.DavException;
import org.apache.jackrabbit.webdav.DavResource;
import org.apache.jackrabbit.webdav.DavResourceLocator;
import org.apache.jackrabbit.webdav.property.DavPropertySet;
import org.apache.jackrabbit.webdav.property.ResourceType;

/** The root of the DAV tree, where {@code /.well-known/caldav} leads; it lists the asking user's principal only. */
final class DavRoot extends ServerResource {
    DavRoot(DavResourceLocator locator, CaldavResources factory, UserSession session) {
        super(locator, factory, session);
    }

    @Override
    public String getDisplayName() {
        return "InboxGuard";
    }

    @Override
    DavPropertySet ownProperties() {
        DavPropertySet set = new DavPropertySet();
        set.add(new ResourceType(ResourceType.COLLECTION));
        return set;
    }

    @Override
    List<DavResource> members() throws DavException {
        String self = user().account().name();
        return List.of(resources().principal(self, user()), resources().home(self, user()));
    }
}
