package dev.inboxguard.caldav;

import java.util.List;
import org.apache.jackrabbit.webdav.DavResource;
import org.apache.jackrabbit.webdav.DavResourceLocator;
import org.apache.jackrabbit.webdav.property.DavPropertyName;
import org.apache.jackrabbit.webdav.property.DavPropertySet;
import org.apache.jackrabbit.webdav.property.DefaultDavProperty;
import org.apache.jackrabbit.webdav.property.ResourceType;

/**
 * The principal collection (RFC 3744 §5.8): where clients search for people ({@link PrincipalReports}). It lists
 * the principals the asking user may see: everyone when the directory is visible, else only themselves.
 */
final class PrincipalCollection extends ServerResource {
    PrincipalCollection(DavResourceLocator locator, CaldavResources factory, UserSession session) {
        super(locator, factory, session);
    }

    @Override
    public String getSupportedMethods() {
        return "OPTIONS, PROPFIND, REPORT";
    }

    @Override
    DavPropertySet ownProperties() {
        DavPropertySet set = new DavPropertySet();
        set.add(new ResourceType(ResourceType.COLLECTION));
        set.add(new DefaultDavProperty<>(DavPropertyName.DISPLAYNAME, "People", false));
        set.add(LiveProperty.privileges(LiveProperty.READER));
        return set;
    }

    @Override
    List<DavResource> members() {
        return resources().visiblePrincipals(user());
    }
}
