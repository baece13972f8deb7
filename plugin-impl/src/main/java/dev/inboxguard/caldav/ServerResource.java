package dev.inboxguard.caldav;

import java.io.IOException;
import java.util.List;
import org.apache.jackrabbit.webdav.DavException;
import org.apache.jackrabbit.webdav.DavResource;
import org.apache.jackrabbit.webdav.DavResourceFactory;
import org.apache.jackrabbit.webdav.DavResourceIterator;
import org.apache.jackrabbit.webdav.DavResourceIteratorImpl;
import org.apache.jackrabbit.webdav.DavResourceLocator;
import org.apache.jackrabbit.webdav.DavServletResponse;
import org.apache.jackrabbit.webdav.DavSession;
import org.apache.jackrabbit.webdav.MultiStatusResponse;
import org.apache.jackrabbit.webdav.io.InputContext;
import org.apache.jackrabbit.webdav.io.OutputContext;
import org.apache.jackrabbit.webdav.lock.ActiveLock;
import org.apache.jackrabbit.webdav.lock.LockInfo;
import org.apache.jackrabbit.webdav.lock.LockManager;
import org.apache.jackrabbit.webdav.lock.Scope;
import org.apache.jackrabbit.webdav.lock.Type;
import org.apache.jackrabbit.webdav.property.DavProperty;
import org.apache.jackrabbit.webdav.property.DavPropertyName;
import org.apache.jackrabbit.webdav.property.DavPropertySet;
import org.apache.jackrabbit.webdav.property.HrefProperty;
import org.apache.jackrabbit.webdav.property.PropEntry;

/**
 * The common ground of the server's WebDAV resources: the root, principals, homes, calendars and calendar objects.
 * Properties cannot be changed through WebDAV, members are added by the calendar methods
 * ({@link CalendarRequests}) rather than by Jackrabbit, and nothing can be locked.
 */
abstract class ServerResource implements DavResource {
    private static final String METHODS = "OPTIONS, GET, HEAD, PROPFIND";

    private final DavResourceLocator locator;
    private final CaldavResources factory;
    private final UserSession session;

    ServerResource(DavResourceLocator locator, CaldavResources factory, UserSession session) {
        this.locator = locator;
        this.factory = factory;
        this.session = session;
    }

    /** @return the properties of this collection, besides those every resource has */
    abstract DavPropertySet ownProperties();

    /** @return the members listed by a PROPFIND of depth 1 */
    abstract List<DavResource> members() throws DavException;

    /** @return a new, empty DOM document, for writing properties out */
    static org.w3c.dom.Document document() {
        try {
            return org.apache.jackrabbit.webdav.xml.DomUtil.createDocument();
        } catch (javax.xml.parsers.ParserConfigurationException e) {
            throw new IllegalStateException("no XML document builder", e);
        }
    }

    UserSession user() {
        return session;
    }

    CaldavResources resources() {
        return factory;
    }

    @Override
    public String getComplianceClass() {
        // no access-control: the privilege properties are readable, but there is no ACL method
        return "1, 3, calendar-access, calendar-auto-schedule, extended-mkcol";
    }

    @Override
    public String getSupportedMethods() {
        return METHODS;
    }

    @Override
    public boolean exists() {
        return true;
    }

    @Override
    public boolean isCollection() {
        return true;
    }

    @Override
    public String getDisplayName() {
        String path = locator.getResourcePath();
        return path.substring(path.lastIndexOf('/') + 1);
    }

    @Override
    public DavResourceLocator getLocator() {
        return locator;
    }

    @Override
    public String getResourcePath() {
        return locator.getResourcePath();
    }

    @Override
    public String getHref() {
        return href(true);
    }

    /**
     * @return the resource's href, each segment percent-encoded as {@link DavHrefs} does, so that every href the
     * server writes, from PROPFIND or a REPORT, spells a name the same way
     */
    String href(boolean collection) {
        StringBuilder b = new StringBuilder(locator.getPrefix());
        String path = locator.getResourcePath();
        for (String segment : path == null ? new String[0] : path.split("/")) {
            if (!segment.isEmpty()) {
                b.append('/').append(DavHrefs.segment(segment));
            }
        }
        if (collection || b.length() == locator.getPrefix().length()) {
            b.append('/');
        }
        return b.toString();
    }

    @Override
    public long getModificationTime() {
        return factory.startedAt();
    }

    @Override
    public void spool(OutputContext context) throws IOException {
        // a GET of a collection has no body worth sending; HEAD and GET answer with headers only
        context.setContentLength(0);
    }

    @Override
    public DavPropertyName[] getPropertyNames() {
        return getProperties().getPropertyNames();
    }

    @Override
    public DavProperty<?> getProperty(DavPropertyName name) {
        return getProperties().get(name);
    }

    @Override
    public DavPropertySet getProperties() {
        DavPropertySet set = ownProperties();
        set.add(new HrefProperty(CaldavNames.CURRENT_USER_PRINCIPAL,
                factory.principalHref(session.account().name()), true));
        set.add(new HrefProperty(CaldavNames.PRINCIPAL_COLLECTION_SET, factory.principalsHref(), true));
        if (!set.contains(CaldavNames.CURRENT_USER_PRIVILEGE_SET)) {
            set.add(LiveProperty.privileges(LiveProperty.OWNER));
        }
        set.add(LiveProperty.supportedPrivileges());
        return set;
    }

    @Override
    public void setProperty(DavProperty<?> property) throws DavException {
        throw new DavException(DavServletResponse.SC_FORBIDDEN, "this collection's properties cannot be changed");
    }

    @Override
    public void removeProperty(DavPropertyName name) throws DavException {
        throw new DavException(DavServletResponse.SC_FORBIDDEN, "this collection's properties cannot be changed");
    }

    @Override
    public MultiStatusResponse alterProperties(List<? extends PropEntry> changes) throws DavException {
        throw new DavException(DavServletResponse.SC_FORBIDDEN, "this collection's properties cannot be changed");
    }

    @Override
    public DavResource getCollection() {
        return null;
    }

    @Override
    public void addMember(DavResource resource, InputContext input) throws DavException {
        throw new DavException(DavServletResponse.SC_FORBIDDEN, "nothing can be created here");
    }

    @Override
    public DavResourceIterator getMembers() {
        try {
            return new DavResourceIteratorImpl(members());
        } catch (DavException e) {
            return new DavResourceIteratorImpl(List.of());
        }
    }

    @Override
    public void removeMember(DavResource member) throws DavException {
        throw new DavException(DavServletResponse.SC_FORBIDDEN, "nothing can be deleted here");
    }

    @Override
    public void move(DavResource destination) throws DavException {
        throw new DavException(DavServletResponse.SC_FORBIDDEN, "this collection cannot be moved");
    }

    @Override
    public void copy(DavResource destination, boolean shallow) throws DavException {
        throw new DavException(DavServletResponse.SC_FORBIDDEN, "this collection cannot be copied");
    }

    @Override
    public boolean isLockable(Type type, Scope scope) {
        return false;
    }

    @Override
    public boolean hasLock(Type type, Scope scope) {
        return false;
    }

    @Override
    public ActiveLock getLock(Type type, Scope scope) {
        return null;
    }

    @Override
    public ActiveLock[] getLocks() {
        return new ActiveLock[0];
    }

    @Override
    public ActiveLock lock(LockInfo info) throws DavException {
        throw new DavException(DavServletResponse.SC_PRECONDITION_FAILED, "locking is not supported");
    }

    @Override
    public ActiveLock refreshLock(LockInfo info, String token) throws DavException {
        throw new DavException(DavServletResponse.SC_PRECONDITION_FAILED, "locking is not supported");
    }

    @Override
    public void unlock(String token) throws DavException {
        throw new DavException(DavServletResponse.SC_PRECONDITION_FAILED, "locking is not supported");
    }

    @Override
    public void addLockManager(LockManager manager) {
    }

    @Override
    public DavResourceFactory getFactory() {
        return factory;
    }

    @Override
    public DavSession getSession() {
        return session;
    }
}
