package dev.inboxguard.caldav;

import dev.inboxguard.server.Account;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.server.BasicAuthentication;
import java.io.IOException;
import javax.servlet.ServletException;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.apache.jackrabbit.webdav.DavException;
import org.apache.jackrabbit.webdav.DavLocatorFactory;
import org.apache.jackrabbit.webdav.DavResource;
import org.apache.jackrabbit.webdav.DavResourceFactory;
import org.apache.jackrabbit.webdav.DavServletResponse;
import org.apache.jackrabbit.webdav.DavSessionProvider;
import org.apache.jackrabbit.webdav.WebdavRequest;
import org.apache.jackrabbit.webdav.server.AbstractWebdavServlet;

/**
 * The CalDAV servlet: Jackrabbit's WebDAV request handling over the server's own resources. Authentication
 * happens before it ({@link BasicAuthentication}); the session provider only hands the account on.
 */
public final class CaldavServlet extends AbstractWebdavServlet {
    private static final long serialVersionUID = 1L;

    private transient DavLocatorFactory locators;
    private transient DavResourceFactory resources;
    private transient DavSessionProvider sessions;

    /**
     * @param prefix   the path the servlet is mounted at, such as {@code /dav}
     * @param accounts the users
     */
    public CaldavServlet(String prefix, Accounts accounts) {
        this.locators = new DavPaths(prefix);
        this.resources = new CaldavResources(prefix, locators, accounts);
        this.sessions = new DavSessionProvider() {
            @Override
            public boolean attachSession(WebdavRequest request) throws DavException {
                Object account = request.getAttribute(BasicAuthentication.ACCOUNT);
                if (!(account instanceof Account a)) {
                    throw new DavException(DavServletResponse.SC_UNAUTHORIZED);
                }
                request.setDavSession(new UserSession(a));
                return true;
            }

            @Override
            public void releaseSession(WebdavRequest request) {
                request.setDavSession(null);
            }
        };
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        try {
            super.service(request, response);
        } catch (RuntimeException e) {
            // Jackrabbit throws unchecked exceptions for some malformed bodies; they are the client's fault
            if (!response.isCommitted()) {
                response.sendError(HttpServletResponse.SC_BAD_REQUEST, "Malformed request");
            }
        }
    }

    @Override
    protected boolean isPreconditionValid(WebdavRequest request, DavResource resource) {
        return true;
    }

    @Override
    protected boolean isCreateAbsoluteURI() {
        return false;
    }

    @Override
    public DavSessionProvider getDavSessionProvider() {
        return sessions;
    }

    @Override
    public void setDavSessionProvider(DavSessionProvider provider) {
        this.sessions = provider;
    }

    @Override
    public DavLocatorFactory getLocatorFactory() {
        return locators;
    }

    @Override
    public void setLocatorFactory(DavLocatorFactory factory) {
        this.locators = factory;
    }

    @Override
    public DavResourceFactory getResourceFactory() {
        return resources;
    }

    @Override
    public void setResourceFactory(DavResourceFactory factory) {
        this.resources = factory;
    }
}
