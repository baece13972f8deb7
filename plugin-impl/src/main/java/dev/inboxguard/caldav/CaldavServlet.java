package dev.inboxguard.caldav;

import dev.inboxguard.calendar.CalendarObjectRules;
import dev.inboxguard.calendar.ObjectSpan;
import dev.inboxguard.ical.CalendarReader;
import dev.inboxguard.ical.Limits;
import dev.inboxguard.server.Account;
import dev.inboxguard.server.Accounts;
import dev.inboxguard.scheduling.Scheduling;
import dev.inboxguard.server.BasicAuthentication;
import dev.inboxguard.storage.AuditEntry;
import dev.inboxguard.storage.CalendarStore;
import dev.inboxguard.storage.StoreFailure;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import javax.servlet.ReadListener;
import javax.servlet.ServletInputStream;
import javax.servlet.http.HttpServletRequestWrapper;
import org.eclipse.jetty.http.HttpException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import javax.servlet.ServletException;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.apache.jackrabbit.webdav.DavConstants;
import org.apache.jackrabbit.webdav.DavException;
import org.apache.jackrabbit.webdav.DavLocatorFactory;
import org.apache.jackrabbit.webdav.DavResource;
import org.apache.jackrabbit.webdav.DavResourceFactory;
import org.apache.jackrabbit.webdav.DavResourceIterator;
import org.apache.jackrabbit.webdav.DavServletResponse;
import org.apache.jackrabbit.webdav.DavSessionProvider;
import org.apache.jackrabbit.webdav.MultiStatusResponse;
import org.apache.jackrabbit.webdav.property.DavPropertyNameSet;
import org.apache.jackrabbit.webdav.xml.DomUtil;
import org.apache.jackrabbit.webdav.WebdavRequest;
import org.apache.jackrabbit.webdav.WebdavResponse;
import org.apache.jackrabbit.webdav.server.AbstractWebdavServlet;

/**
 * The CalDAV servlet: Jackrabbit's WebDAV request handling over the server's own resources. Authentication
 * happens before it ({@link BasicAuthentication}); the session provider only hands the account on.
 */
public final class CaldavServlet extends AbstractWebdavServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(CaldavServlet.class);

    private transient DavLocatorFactory locators;
    private transient DavResourceFactory resources;
    private transient DavSessionProvider sessions;

    /** Request attribute: the administrator acting in another user's home, if one is. */
    static final String ADMINISTERED_BY = "dev.inboxguard.administeredBy";

    private final long maxBody;
    /** How large a PROPFIND's answer may grow, in characters, as a REPORT's may. */
    private final long maxAnswer;
    private final Accounts accounts;
    private final dev.inboxguard.storage.SchedulingStore audit;
    private final java.time.Clock clock;
    private final transient CalendarRequests calendars;
    private final transient dev.inboxguard.calendar.CalendarHomes homes;

    /**
     * @param prefix   the path the servlet is mounted at, such as {@code /dav}
     * @param accounts the users
     * @param maxBody  the largest request body, in bytes
     * @param store    the calendars
     * @param limits   the bounds for reading calendar objects that clients PUT
     * @param scheduling inboxes, outboxes and implicit scheduling
     * @param transactions lets a request that commits several times wait for the disk once
     */
    public CaldavServlet(String prefix, Accounts accounts, long maxBody, CalendarStore store, Limits limits,
                         Scheduling scheduling, dev.inboxguard.storage.Transactions transactions,
                         java.time.Clock clock) {
        this.maxBody = maxBody;
        this.maxAnswer = Multistatus.ANSWER_OBJECTS * limits.maxBytes();
        this.accounts = accounts;
        this.audit = scheduling.store();
        this.clock = clock;
        CalendarReader reader = new CalendarReader(limits);
        PrincipalReports principals = new PrincipalReports(prefix, accounts,
                scheduling.homes().settings().directoryVisible());
        CollectionProperties properties = new CollectionProperties(reader);
        this.homes = scheduling.homes();
        this.calendars = new CalendarRequests(store, new CalendarObjectRules(reader), new CalendarReports(store, reader,
                limits.maxBytes()),
                limits.maxBytes(), scheduling, transactions, properties, principals);
        this.locators = new DavPaths(prefix);
        this.resources = new CaldavResources(prefix, locators, accounts, store, scheduling, principals, properties,
                limits);
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
            refuseOrServe(request, response);
        } finally {
            readRestOfRefusedBody(request, response);
        }
    }

    private void refuseOrServe(HttpServletRequest request, HttpServletResponse response)
            throws ServletException, IOException {
        String encoding = request.getHeader("Content-Encoding");
        if (encoding != null && !encoding.isBlank() && !encoding.strip().equalsIgnoreCase("identity")) {
            // Jackrabbit would inflate gzip and deflate bodies, layer upon layer, past the body cap; the compressed
            // bytes are read after the refusal (never inflated), as any refused body is
            response.setHeader("Accept-Encoding", "identity");
            response.sendError(HttpServletResponse.SC_UNSUPPORTED_MEDIA_TYPE, "Compressed request bodies are "
                    + "not accepted");
            return;
        }
        if (request.getMethod().equals("TRACE")) {
            // the servlet default echoes every header, credentials included
            response.sendError(HttpServletResponse.SC_METHOD_NOT_ALLOWED, "TRACE is not supported");
            return;
        }
        String depthHeader = request.getHeader("Depth");
        if (depthHeader != null && !Set.of("0", "1", "infinity").contains(depthHeader.strip()
                .toLowerCase(java.util.Locale.ROOT))) {
            // RFC 4918 §10.2 allows these three only; Jackrabbit reads an empty value as infinity and fails on others
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, "Depth must be 0, 1 or infinity");
            return;
        }
        HttpServletRequest bounded = request;
        if (request.getMethod().equals("PROPFIND")) {
            String depth = request.getHeader("Depth");
            if (depth != null && depth.strip().equalsIgnoreCase("infinity")) {
                // RFC 4918 §9.1: a server may refuse an unbounded walk of the tree, and here it always does
                DavError.dav(response, HttpServletResponse.SC_FORBIDDEN, "propfind-finite-depth",
                        "PROPFIND goes one level at a time here: Depth 0 or 1");
                return;
            }
            if (depth == null) {
                // RFC 4918 reads a missing Depth as infinity; clients that leave it out want the resource and its
                // members, which is as far as this server walks
                bounded = new WithDepthOne(request);
            }
        }
        if (bounded.getContentLengthLong() < 0 && bounded.getHeader("Transfer-Encoding") != null) {
            // Jetty's cap fails a chunked read midway, and Jackrabbit reports any read failure as 400; reading the
            // body here, up to the cap, gives the client the 413 it should see
            byte[] body = request.getInputStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBody + 1));
            if (body.length > maxBody) {
                response.sendError(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, "Request body too large");
                return;
            }
            bounded = new BufferedBody(bounded, body);
        }
        Optional<Account> administrator = Optional.empty();
        if (request.getAttribute(BasicAuthentication.ACCOUNT) instanceof Account signedIn
                && accounts.isAdministrator(signedIn)) {
            Optional<Account> owner = otherOwner(request, signedIn);
            if (owner.isPresent()) {
                if (request.getMethod().equals("POST")) {
                    // an outbox POST sends free-busy requests or iTIP in the owner's name: that stays theirs
                    response.sendError(HttpServletResponse.SC_FORBIDDEN, "Administrators do not schedule in "
                            + "another user's name");
                    auditAdministration(request, signedIn, owner.get(), HttpServletResponse.SC_FORBIDDEN);
                    return;
                }
                // the request is carried out in the owner's home, with the owner's rights, but it schedules
                // nothing: CalendarRequests refuses to write scheduling objects and deletes without telling anyone
                administrator = Optional.of(signedIn);
                request.setAttribute(BasicAuthentication.ACCOUNT, owner.get());
                request.setAttribute(ADMINISTERED_BY, signedIn.name());
            }
        }
        try {
            serve(request, bounded, response);
        } finally {
            if (administrator.isPresent()) {
                auditAdministration(request, administrator.get(),
                        (Account) request.getAttribute(BasicAuthentication.ACCOUNT), response.getStatus());
            }
        }
    }

    /** @return the user whose home the request names, if that is someone other than the signed-in user */
    private Optional<Account> otherOwner(HttpServletRequest request, Account signedIn) {
        String path = request.getPathInfo();
        String prefix = DavPaths.CALENDARS + "/";
        if (path == null || !path.startsWith(prefix)) {
            return Optional.empty();
        }
        String rest = path.substring(prefix.length());
        int slash = rest.indexOf('/');
        String name = slash < 0 ? rest : rest.substring(0, slash);
        return name.equals(signedIn.name()) ? Optional.empty() : accounts.find(name);
    }

    /** Each request an administrator makes in another user's home is a row of both users' audit trails. */
    private void auditAdministration(HttpServletRequest request, Account administrator, Account owner, int status) {
        try {
            audit.audit(new AuditEntry(0, clock.millis(), "administration", "caldav", primary(administrator),
                    administrator.name(), primary(owner), owner.name(), request.getMethod(),
                    request.getRequestURI(), String.valueOf(status), "", "[]", "", administrator.name()));
        } catch (RuntimeException e) {
            LOG.warn("{} {} by the administrator {}: could not be audited: {}", request.getMethod(),
                    request.getRequestURI(), administrator.name(), e.toString());
        }
    }

    private static String primary(Account a) {
        return a.addresses().isEmpty() ? "" : a.addresses().get(0).uri();
    }

    private void serve(HttpServletRequest request, HttpServletRequest bounded, HttpServletResponse response)
            throws ServletException, IOException {
        try {
            Object account = request.getAttribute(BasicAuthentication.ACCOUNT);
            if (account instanceof Account a) {
                // the user's first collections exist from their first request on
                homes.ensure(a.name());
                if (calendars.handle(bounded, response, a)) {
                    return;
                }
            }
            super.service(bounded, response);
        } catch (RuntimeException e) {
            HttpException refusal = jettyRefusal(e);
            if (refusal != null) {
                // Jetty's own refusals, such as a chunked body over the cap (413), keep their status
                if (!response.isCommitted()) {
                    response.sendError(refusal.getCode(), refusal.getReason());
                    return;
                }
                throw new AnswerCutShort();
            }
            if (transientStoreFailure(e)) {
                LOG.warn("{} {} failed: {}", request.getMethod(), request.getRequestURI(), e.toString());
            } else {
                // not the store going away: a fault of ours, whose stack the log needs
                LOG.warn("{} {} failed", request.getMethod(), request.getRequestURI(), e);
            }
            if (transientStoreFailure(e) && !response.isCommitted()) {
                // the database is down or unreachable: nothing was written, and the client should come back
                response.setHeader("Retry-After", "10");
                response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "Storage unavailable; try again");
                return;
            }
            if (!response.isCommitted()) {
                response.sendError(HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "Internal error");
                return;
            }
            // part of a streamed answer has gone out: Jetty must abort the connection, so that the client sees a
            // failed transfer, not a well-framed answer cut short that it might take for the whole
            throw new AnswerCutShort();
        }
    }

    /** A request whose body is parsed once, however often its document is asked for. */
    private static final class OnceParsed extends org.apache.jackrabbit.webdav.WebdavRequestImpl {
        private org.w3c.dom.Document document;
        private boolean parsed;

        OnceParsed(HttpServletRequest request, DavLocatorFactory locators, boolean absolute) {
            super(request, locators, absolute);
        }

        @Override
        public org.w3c.dom.Document getRequestDocument() throws DavException {
            if (!parsed) {
                document = super.getRequestDocument();
                parsed = true;
            }
            return document;
        }
    }

    /**
     * A failure after the answer's first bytes were sent, with nothing of the cause for the client to see; quiet,
     * since {@link #serve} has logged the cause.
     */
    private static final class AnswerCutShort extends RuntimeException implements org.eclipse.jetty.io.QuietException {
        AnswerCutShort() {
            super("the answer failed after it had begun; its connection is aborted", null, false, false);
        }
    }

    /**
     * A refusal before or early in a body (a header refused, XML nested too deep) leaves the rest unread. Jetty then
     * closes the connection on a client that is still sending, and the kernel's reset can destroy the answer before
     * the client reads it; the client sees no status at all. So every refusal reads the rest first, within the body
     * cap and its deadline.
     */
    private void readRestOfRefusedBody(HttpServletRequest request, HttpServletResponse response) {
        if (response.getStatus() < 400) {
            return;
        }
        try {
            if (request.getInputStream().isFinished()) {
                return;
            }
        } catch (IOException | IllegalStateException e) {
            return; // read through getReader, or already failed: nothing more to do here
        }
        drain(request, maxBody);
    }

    private static void drain(HttpServletRequest request, long max) {
        try {
            byte[] buffer = new byte[8192];
            long total = 0;
            for (int n; total <= max && (n = request.getInputStream().read(buffer)) > 0; ) {
                total += n;
            }
        } catch (IOException | RuntimeException e) {
            // over the cap or cut off: Jetty closes the connection, which is all that is left to do
        }
    }

    /** A failure that may pass; one that would recur (a value the database refuses) stays a 500. */
    private static boolean transientStoreFailure(Throwable e) {
        for (int depth = 0; e != null && depth < 8; e = e.getCause(), depth++) {
            if (e instanceof StoreFailure f) {
                return f.isTransient();
            }
        }
        return false;
    }

    private static HttpException jettyRefusal(Throwable e) {
        for (int depth = 0; e != null && depth < 8; e = e.getCause(), depth++) {
            if (e instanceof HttpException h) {
                return h;
            }
        }
        return null;
    }

    @Override
    protected void doPropFind(WebdavRequest request, WebdavResponse response, DavResource resource)
            throws IOException, DavException {
        if (!resource.exists()) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        // Jackrabbit keeps each name once but takes any number of them: the same cap as REPORT's
        int type = request.getPropFindType();
        DavPropertyNameSet names = request.getPropFindProperties();
        if ((type == DavConstants.PROPFIND_BY_PROPERTY || type == DavConstants.PROPFIND_ALL_PROP_INCLUDE)
                && names.getContentSize() > Multistatus.MAX_PROPERTIES) {
            response.sendError(HttpServletResponse.SC_FORBIDDEN, "At most " + Multistatus.MAX_PROPERTIES
                    + " properties per request");
            return;
        }
        // Jackrabbit's own PROPFIND builds the whole answer as one DOM and then as bytes before it sends a byte;
        // here each resource's response is built, written and dropped in turn. Depth is 0 or 1 by now (service).
        // The members are listed before the answer begins, so that a store that fails gets its 503, not a cut 207.
        DavResourceIterator members = request.getDepth(DavConstants.DEPTH_1) > 0 && resource.isCollection()
                ? resource.getMembers() : null;
        // RFC 4918 has no way to page a PROPFIND, and a client that lists a collection by it reads a member left out
        // as one deleted; so a listing too large for the answer cap is refused whole, before a byte of it, and the
        // cut at the cap below stays only for an estimate that falls short. About 200 characters a response and 25
        // a property (a getetag listing came to 199 a response, 60 properties to about 1,600)
        int perResponse = 200 + 25 * (type == DavConstants.PROPFIND_BY_PROPERTY ? names.getContentSize()
                : 10 + (type == DavConstants.PROPFIND_ALL_PROP_INCLUDE ? names.getContentSize() : 0));
        long responses = 1L + (members == null ? 0 : members.size());
        if (responses * perResponse > maxAnswer) {
            DavError.dav(response, HttpServletResponse.SC_FORBIDDEN, "number-of-matches-within-limits",
                    "This collection has " + (responses - 1) + " members, more than one PROPFIND lists here; a "
                            + "sync-collection REPORT (RFC 6578) lists them a page at a time");
            return;
        }
        org.w3c.dom.Document document;
        try {
            document = DomUtil.createDocument();
        } catch (javax.xml.parsers.ParserConfigurationException e) {
            throw new DavException(HttpServletResponse.SC_INTERNAL_SERVER_ERROR, e);
        }
        String href = resource.getHref();
        try (Multistatus out = new Multistatus(response, maxAnswer, acceptsGzip(request))) {
            out.response(new MultiStatusResponse(resource, names, type).toXml(document));
            while (members != null && members.hasNext() && out.room(href)) {
                out.response(new MultiStatusResponse(members.nextResource(), names, type).toXml(document));
            }
            out.finish();
        }
    }

    /** @return whether the client takes a gzipped answer (RFC 9110 §12.5.3), as Jackrabbit's PROPFIND gave it */
    static boolean acceptsGzip(HttpServletRequest request) {
        java.util.Enumeration<String> values = request.getHeaders("Accept-Encoding");
        while (values != null && values.hasMoreElements()) {
            for (String coding : values.nextElement().split(",")) {
                String[] parts = coding.split(";");
                if (!parts[0].strip().equalsIgnoreCase("gzip")) {
                    continue;
                }
                for (int i = 1; i < parts.length; i++) {
                    String q = parts[i].strip().toLowerCase(java.util.Locale.ROOT);
                    if (q.startsWith("q=") && q.substring(2).strip().matches("0(\\.0{0,3})?")) {
                        return false;
                    }
                }
                return true;
            }
        }
        return false;
    }

    @Override
    protected void doPropPatch(WebdavRequest request, WebdavResponse response, DavResource resource)
            throws IOException, DavException {
        // as Jackrabbit's own, but each property set is given to the resource as the client wrote it (xml:lang
        // kept). Jackrabbit parses the body each time its document is asked for; this request parses it once
        OnceParsed again = new OnceParsed(request, getLocatorFactory(), isCreateAbsoluteURI());
        List<? extends org.apache.jackrabbit.webdav.property.PropEntry> parsed = again.getPropPatchChangeList();
        if (parsed.isEmpty()) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST);
            return;
        }
        org.apache.jackrabbit.webdav.MultiStatus answer = new org.apache.jackrabbit.webdav.MultiStatus();
        answer.addResponse(resource.alterProperties(WrittenProperty.asWritten(parsed, again.getRequestDocument())));
        response.sendMultiStatus(answer);
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

    /** A PROPFIND that named no depth, read as Depth: 1. */
    private static final class WithDepthOne extends HttpServletRequestWrapper {
        WithDepthOne(HttpServletRequest request) {
            super(request);
        }

        @Override
        public String getHeader(String name) {
            return "Depth".equalsIgnoreCase(name) ? "1" : super.getHeader(name);
        }

        @Override
        public java.util.Enumeration<String> getHeaders(String name) {
            return "Depth".equalsIgnoreCase(name) ? java.util.Collections.enumeration(List.of("1"))
                    : super.getHeaders(name);
        }
    }

    /** A request whose chunked body has already been read, within the cap. */
    private static final class BufferedBody extends HttpServletRequestWrapper {
        private final byte[] body;

        BufferedBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("the body has already been read");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }
}
