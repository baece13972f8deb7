package dev.inboxguard.caldav;

import dev.inboxguard.api.CalendarUserAddress;
import dev.inboxguard.server.Account;
import dev.inboxguard.server.Accounts;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.apache.jackrabbit.webdav.xml.DomUtil;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Finding other people (RFC 3744 §9.4, §9.5): principal-property-search over display names and calendar-user
 * addresses, and principal-search-property-set, which says what can be searched. A user sees others only when
 * the directory is visible ({@code caldav.directory: users}); their calendars stay private either way. Searches
 * are bounded: at most {@value #MAX_RESULTS} principals per answer, and a few search terms per request.
 */
final class PrincipalReports {
    static final int MAX_RESULTS = 100;
    private static final int MAX_TERMS = 8;
    private static final String DAV = "DAV:";
    private static final String CALDAV = "urn:ietf:params:xml:ns:caldav";

    private final String prefix;
    private final Accounts accounts;
    private final boolean directory;

    PrincipalReports(String prefix, Accounts accounts, boolean directory) {
        this.prefix = prefix;
        this.accounts = accounts;
        this.directory = directory;
    }

    /** @return true if the user may see the principal */
    boolean visible(Account asking, Account other) {
        return directory || asking.name().equals(other.name());
    }

    /** @return the principals the user may see, by name */
    List<Account> visible(Account asking) {
        return accounts.all().stream().filter(a -> visible(asking, a)).sorted(Comparator.comparing(Account::name))
                .toList();
    }

    String href(Account a) {
        return prefix + DavPaths.PRINCIPALS + "/" + DavHrefs.segment(a.name()) + "/";
    }

    /**
     * @return true if this was a principal report, now answered; false to let the WebDAV library answer
     */
    boolean report(HttpServletRequest req, HttpServletResponse resp, Account asking) throws IOException {
        byte[] body = req.getInputStream().readAllBytes();
        Document doc;
        try {
            doc = DomUtil.parseDocument(new ByteArrayInputStream(body));
        } catch (Exception e) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "The REPORT body is not well-formed XML");
            return true;
        }
        Element root = doc.getDocumentElement();
        if (!DAV.equals(root.getNamespaceURI())) {
            DavError.dav(resp, HttpServletResponse.SC_FORBIDDEN, "supported-report", "here: "
                    + "principal-property-search and principal-search-property-set; calendar reports run on a "
                    + "calendar");
            return true;
        }
        switch (root.getLocalName()) {
            case "principal-search-property-set" -> searchable(resp);
            case "principal-property-search" -> search(root, resp, asking);
            default -> DavError.dav(resp, HttpServletResponse.SC_FORBIDDEN, "supported-report", "here: "
                    + "principal-property-search and principal-search-property-set; calendar reports run on a "
                    + "calendar");
        }
        return true;
    }

    private void searchable(HttpServletResponse resp) throws IOException {
        String x = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:principal-search-property-set xmlns:D=\"DAV:\" "
                + "xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
                + "<D:principal-search-property><D:prop><D:displayname/></D:prop>"
                + "<D:description xml:lang=\"en\">Name</D:description></D:principal-search-property>"
                + "<D:principal-search-property><D:prop><C:calendar-user-address-set/></D:prop>"
                + "<D:description xml:lang=\"en\">Calendar address</D:description></D:principal-search-property>"
                + "</D:principal-search-property-set>\n";
        byte[] bytes = x.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        resp.setStatus(HttpServletResponse.SC_OK);
        resp.setContentType("application/xml; charset=utf-8");
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

    private record Term(List<Multistatus.Name> properties, String match, String type) {
        boolean matches(Account a) {
            for (Multistatus.Name p : properties) {
                List<String> values = switch (p.namespace() + p.local()) {
                    case DAV + "displayname" -> List.of(a.displayName());
                    case CALDAV + "calendar-user-address-set", "http://calendarserver.org/ns/email-address-set" ->
                            a.addresses().stream().map(CalendarUserAddress::uri).toList();
                    default -> List.of();
                };
                for (String v : values) {
                    String value = v.toLowerCase(Locale.ROOT);
                    boolean hit = switch (type) {
                        case "starts-with" -> value.startsWith(match)
                                || value.startsWith("mailto:") && value.substring(7).startsWith(match);
                        case "equals" -> value.equals(match) || value.equals("mailto:" + match);
                        default -> value.contains(match);
                    };
                    if (hit) {
                        return true;
                    }
                }
            }
            return false;
        }
    }

    private void search(Element root, HttpServletResponse resp, Account asking) throws IOException {
        boolean anyOf = "anyof".equals(root.getAttribute("test").strip());
        List<Term> terms = new ArrayList<>();
        for (Node n = root.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && DAV.equals(e.getNamespaceURI()) && "property-search".equals(e.getLocalName())) {
                Element match = DomUtil.getChildElement(e, "match", CaldavNames.DAV);
                List<Multistatus.Name> props = Multistatus.names(DomUtil.getChildElement(e, "prop", CaldavNames.DAV));
                if (match == null || props == null || props.isEmpty() || terms.size() >= MAX_TERMS) {
                    resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "Each property-search names properties and "
                            + "a match; at most " + MAX_TERMS + " of them");
                    return;
                }
                String text = match.getTextContent().strip().toLowerCase(Locale.ROOT);
                if (text.length() > 200) {
                    resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "A match has at most 200 characters");
                    return;
                }
                String type = match.getAttribute("match-type").strip();
                terms.add(new Term(props, text, type));
            }
        }
        if (terms.isEmpty()) {
            resp.sendError(HttpServletResponse.SC_BAD_REQUEST, "A principal-property-search has a property-search");
            return;
        }
        List<Multistatus.Name> wanted = Multistatus.names(DomUtil.getChildElement(root, "prop", CaldavNames.DAV));
        if (wanted == null) {
            resp.sendError(HttpServletResponse.SC_FORBIDDEN, "At most " + Multistatus.MAX_PROPERTIES
                    + " properties per request");
            return;
        }
        int found = 0;
        try (Multistatus out = new Multistatus(resp)) {
            for (Account a : visible(asking)) {
                boolean hit = anyOf ? terms.stream().anyMatch(t -> t.matches(a))
                        : terms.stream().allMatch(t -> t.matches(a));
                if (!hit) {
                    continue;
                }
                if (++found > MAX_RESULTS) {
                    // RFC 5323 §3.3's way of saying "there is more": a 507 for the search itself
                    out.status(req(), 507, "Insufficient Storage");
                    break;
                }
                Map<String, String> props = properties(a);
                List<String> ok = new ArrayList<>();
                List<Multistatus.Name> missing = new ArrayList<>();
                for (Multistatus.Name w : wanted) {
                    String v = props.get(w.namespace() + w.local());
                    if (v == null) {
                        missing.add(w);
                    } else {
                        ok.add(v);
                    }
                }
                out.response(href(a), ok, missing, Map.of());
            }
            out.finish();
        }
    }

    private String req() {
        return prefix + DavPaths.PRINCIPALS + "/";
    }

    /** @return what anyone who may see a principal reads of it, as XML by property */
    Map<String, String> properties(Account a) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(DAV + "displayname", "<D:displayname>" + DavError.escape(a.displayName()) + "</D:displayname>");
        out.put(DAV + "resourcetype", "<D:resourcetype><D:collection/><D:principal/></D:resourcetype>");
        out.put(DAV + "principal-URL", "<D:principal-URL><D:href>" + DavError.escape(href(a))
                + "</D:href></D:principal-URL>");
        StringBuilder addresses = new StringBuilder("<C:calendar-user-address-set>");
        StringBuilder emails = new StringBuilder("<CS:email-address-set>");
        for (CalendarUserAddress address : a.addresses()) {
            addresses.append("<D:href>").append(DavError.escape(address.uri())).append("</D:href>");
            if (address.uri().regionMatches(true, 0, "mailto:", 0, 7)) {
                emails.append("<CS:email-address>").append(DavError.escape(address.uri().substring(7)))
                        .append("</CS:email-address>");
            }
        }
        out.put(CALDAV + "calendar-user-address-set", addresses.append("</C:calendar-user-address-set>").toString());
        out.put("http://calendarserver.org/ns/email-address-set", emails.append("</CS:email-address-set>").toString());
        out.put(CALDAV + "calendar-user-type", "<C:calendar-user-type>INDIVIDUAL</C:calendar-user-type>");
        return out;
    }
}
