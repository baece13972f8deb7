package dev.inboxguard.caldav;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import javax.servlet.http.HttpServletResponse;
import org.w3c.dom.Attr;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * A 207 Multi-Status answer (RFC 4918 §13) written to the client as it is made, one response at a time, so that a
 * large REPORT or PROPFIND never sits whole in memory.
 */
final class Multistatus implements AutoCloseable {
    /** A property's name: its namespace and local name. */
    record Name(String namespace, String local) {
        /** @return the property as an empty element, declaring its namespace */
        String empty() {
            if (namespace.isEmpty()) {
                return "<" + local + " xmlns=\"\"/>";
            }
            return switch (namespace) {
                case "DAV:" -> "<D:" + local + "/>";
                case "urn:ietf:params:xml:ns:caldav" -> "<C:" + local + "/>";
                default -> "<X:" + local + " xmlns:X=\"" + DavError.escape(namespace) + "\"/>";
            };
        }

        static Name of(Element e) {
            return new Name(e.getNamespaceURI() == null ? "" : e.getNamespaceURI(), e.getLocalName());
        }
    }

    /** The most properties one request may name; more are a client bug or an attack (403). */
    static final int MAX_PROPERTIES = 64;

    /**
     * How large one answer may grow, in characters, for each byte one object may have ({@code limits.maxBytes}):
     * 64 of the largest objects, 64 MiB by default. Past it the answer ends with a 507 for the request itself.
     */
    static final long ANSWER_OBJECTS = 64;

    private final HttpServletResponse resp;
    private final Writer out;
    private final GzipBody compressed;
    private final long maxChars;
    private boolean finished;
    private long written;
    private boolean truncated;

    /** An answer of at most {@link #ANSWER_OBJECTS} MiB. */
    Multistatus(HttpServletResponse resp) throws IOException {
        this(resp, ANSWER_OBJECTS * 1024 * 1024);
    }

    /**
     * @param resp     where it is written
     * @param maxChars how large it may grow before it is cut short with a 507
     */
    Multistatus(HttpServletResponse resp, long maxChars) throws IOException {
        this(resp, maxChars, false);
    }

    /**
     * @param resp     where it is written
     * @param maxChars how large it may grow before it is cut short with a 507; counted before any compression
     * @param gzip     whether to send it gzipped, for a client that accepts that
     */
    Multistatus(HttpServletResponse resp, long maxChars, boolean gzip) throws IOException {
        this.maxChars = maxChars;
        this.resp = resp;
        resp.setStatus(207);
        resp.setContentType("application/xml; charset=utf-8");
        OutputStream body = resp.getOutputStream();
        resp.addHeader("Vary", "Accept-Encoding");
        if (gzip) {
            resp.setHeader("Content-Encoding", "gzip");
            compressed = new GzipBody(body);
            body = compressed;
        } else {
            compressed = null;
        }
        Writer buffered = new BufferedWriter(new OutputStreamWriter(body, StandardCharsets.UTF_8), 16 * 1024);
        out = new java.io.FilterWriter(buffered) {
            @Override
            public void write(String str, int off, int len) throws IOException {
                written += len;
                super.write(str, off, len);
            }

            @Override
            public void write(char[] cbuf, int off, int len) throws IOException {
                written += len;
                super.write(cbuf, off, len);
            }

            @Override
            public void write(int c) throws IOException {
                written++;
                super.write(c);
            }
        };
        out.write("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:multistatus xmlns:D=\"DAV:\" "
                + "xmlns:C=\"urn:ietf:params:xml:ns:caldav\" xmlns:CS=\"http://calendarserver.org/ns/\">\n");
    }

    /**
     * @param prop a DAV:prop element
     * @return the property names it lists, each once, or null if there are more than {@link #MAX_PROPERTIES}
     */
    static List<Name> names(Element prop) {
        Map<Name, Boolean> names = new LinkedHashMap<>();
        for (Node n = prop == null ? null : prop.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                names.put(Name.of(e), true);
                if (names.size() > MAX_PROPERTIES) {
                    return null;
                }
            }
        }
        return new ArrayList<>(names.keySet());
    }

    /** A response with no properties, only a status (404 for a missing member, for instance). */
    void status(String href, int status, String reason) throws IOException {
        out.write("<D:response><D:href>" + DavError.escape(href) + "</D:href><D:status>HTTP/1.1 " + status + " "
                + reason + "</D:status></D:response>\n");
    }

    /**
     * A response with properties grouped by status.
     *
     * @param found   property XML that was found (200)
     * @param missing property names not found (404)
     * @param failed  other statuses: "507 Insufficient Storage" to property XML
     */
    void response(String href, List<String> found, List<Name> missing, Map<String, List<String>> failed)
            throws IOException {
        out.write("<D:response><D:href>");
        out.write(DavError.escape(href));
        out.write("</D:href>");
        if (!found.isEmpty() || missing.isEmpty() && failed.isEmpty()) {
            out.write("<D:propstat><D:prop>");
            for (String f : found) {
                out.write(f);
            }
            out.write("</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>");
        }
        if (!missing.isEmpty()) {
            out.write("<D:propstat><D:prop>");
            for (Name m : missing) {
                out.write(m.empty());
            }
            out.write("</D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat>");
        }
        for (Map.Entry<String, List<String>> e : failed.entrySet()) {
            out.write("<D:propstat><D:prop>");
            for (String f : e.getValue()) {
                out.write(f);
            }
            out.write("</D:prop><D:status>HTTP/1.1 " + e.getKey() + "</D:status></D:propstat>");
        }
        out.write("</D:response>\n");
    }

    /**
     * A response built as a DOM element elsewhere (Jackrabbit builds a PROPFIND's, one resource at a time), written
     * out and then dropped, so that only one resource's response is ever held.
     */
    void response(Element response) throws IOException {
        write(response, Bindings.ROOT);
        out.write('\n');
    }

    /**
     * The namespace prefixes in scope where an element is written: the answer's root binds D, C and CS, and an
     * element whose own prefix is bound otherwise, or not at all, declares it (DOM keeps an element's namespace, not
     * the declarations an XML text needs).
     */
    private record Bindings(String prefix, String uri, Bindings outer) {
        static final Bindings ROOT = new Bindings("", "", new Bindings("D", "DAV:", new Bindings("C",
                "urn:ietf:params:xml:ns:caldav", new Bindings("CS", "http://calendarserver.org/ns/",
                new Bindings("xml", XML, null)))));

        /** @return a prefix bound to nothing here */
        String unused() {
            for (int n = 0; ; n++) {
                if (uri("a" + n) == null) {
                    return "a" + n;
                }
            }
        }

        /** @return the namespace the prefix names here; "" for none */
        String uri(String p) {
            for (Bindings b = this; b != null; b = b.outer) {
                if (b.prefix.equals(p)) {
                    return b.uri;
                }
            }
            return p.isEmpty() ? "" : null;
        }
    }

    private static final String XMLNS = "http://www.w3.org/2000/xmlns/";
    private static final String XML = "http://www.w3.org/XML/1998/namespace";

    private void write(Element e, Bindings scope) throws IOException {
        String local = e.getLocalName();
        String prefix = e.getPrefix() == null ? "" : e.getPrefix();
        if (local == null) {
            // a DOM level 1 element has a name and no namespace: it is written in none
            local = e.getNodeName();
            prefix = "";
        }
        String uri = e.getNamespaceURI() == null ? "" : e.getNamespaceURI();
        StringBuilder tag = new StringBuilder("<").append(prefix.isEmpty() ? local : prefix + ":" + local);
        NamedNodeMap attributes = e.getAttributes();
        // declarations the element carries come first, so that none is written twice below
        for (int i = 0; i < attributes.getLength(); i++) {
            Attr a = (Attr) attributes.item(i);
            if (XMLNS.equals(a.getNamespaceURI())) {
                String declared = "xmlns".equals(a.getPrefix()) ? a.getLocalName() : "";
                scope = new Bindings(declared, a.getValue(), scope);
                tag.append(' ').append(a.getName()).append("=\"").append(attribute(a.getValue())).append('"');
            }
        }
        if (!uri.equals(scope.uri(prefix))) {
            scope = new Bindings(prefix, uri, scope);
            tag.append(prefix.isEmpty() ? " xmlns" : " xmlns:" + prefix).append("=\"").append(attribute(uri))
                    .append('"');
        }
        for (int i = 0; i < attributes.getLength(); i++) {
            Attr a = (Attr) attributes.item(i);
            if (XMLNS.equals(a.getNamespaceURI())) {
                continue;
            }
            String name = a.getName();
            String ns = a.getNamespaceURI();
            if (ns != null && !ns.isEmpty()) {
                String p = XML.equals(ns) ? "xml" : a.getPrefix() == null ? "" : a.getPrefix();
                if (p.isEmpty() || !ns.equals(scope.uri(p))) {
                    // an attribute's namespace needs a prefix of its own: a fresh one where the attribute has
                    // none, or where its prefix names another namespace here (the element's own, say)
                    if (p.isEmpty() || scope.uri(p) != null) {
                        p = scope.unused();
                    }
                    scope = new Bindings(p, ns, scope);
                    tag.append(" xmlns:").append(p).append("=\"").append(attribute(ns)).append('"');
                }
                name = p + ":" + a.getLocalName();
            }
            tag.append(' ').append(name).append("=\"").append(attribute(a.getValue())).append('"');
        }
        out.write(tag.toString());
        Node child = e.getFirstChild();
        if (child == null) {
            out.write("/>");
            return;
        }
        out.write('>');
        for (; child != null; child = child.getNextSibling()) {
            if (child instanceof Element c) {
                write(c, scope);
            } else if (child.getNodeType() == Node.TEXT_NODE || child.getNodeType() == Node.CDATA_SECTION_NODE) {
                out.write(text(child.getNodeValue()));
            }
        }
        out.write("</" + (prefix.isEmpty() ? local : prefix + ":" + local) + ">");
    }

    /** @return an attribute's value escaped, its tabs and line ends kept (a parser reads them as spaces) */
    private static String attribute(String s) {
        return text(s).replace("\"", "&quot;").replace("\n", "&#10;").replace("\t", "&#9;");
    }

    /** @return character data escaped for an element's content, quotes left as they are (ETags are quoted) */
    private static String text(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String with = switch (c) {
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '&' -> "&amp;";
                case '\r' -> "&#13;";
                case '\n', '\t' -> null;
                // XML 1.0 has no such characters; a space stands in, as for the other controls
                case '\uFFFE', '\uFFFF' -> " ";
                default -> c < 0x20 ? " " : null;
            };
            if (with != null && b == null) {
                b = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (b != null) {
                if (with == null) {
                    b.append(c);
                } else {
                    b.append(with);
                }
            }
        }
        return b == null ? s : b.toString();
    }

    /**
     * Whether the answer has room for more. Once it has not, the answer says so for the request itself: a 507 with
     * DAV:number-of-matches-within-limits (RFC 5323 §3.3, as RFC 6578 §3.6 does for sync-collection), and the caller
     * stops. A client asks again for less: a multiget of fewer hrefs, a narrower query.
     *
     * @param requestHref the request's own href
     * @return true if the caller may write another response
     */
    boolean room(String requestHref) throws IOException {
        if (truncated) {
            return false;
        }
        if (written <= maxChars) {
            return true;
        }
        cutShort(requestHref, "The answer grew past " + maxChars / 1024 + " KiB; ask for fewer objects");
        return false;
    }

    /**
     * Says for the request itself that the answer is cut short on purpose: a 507 with
     * DAV:number-of-matches-within-limits, as RFC 6578 §3.6 has a server do when it pages sync-collection.
     *
     * @param requestHref the request's own href
     * @param why         what the client should do
     */
    void cutShort(String requestHref, String why) throws IOException {
        if (truncated) {
            return;
        }
        truncated = true;
        out.write("<D:response><D:href>" + DavError.escape(requestHref) + "</D:href><D:status>HTTP/1.1 507 "
                + "Insufficient Storage</D:status><D:error><D:number-of-matches-within-limits/></D:error>"
                + "<D:responsedescription>" + DavError.escape(why) + "</D:responsedescription></D:response>\n");
    }

    /** Ends the answer with a sync token (RFC 6578 §6.4). */
    void syncToken(String token) throws IOException {
        out.write("<D:sync-token>" + DavError.escape(token) + "</D:sync-token>\n");
    }

    /** Ends the answer: only a complete answer is closed, so that one cut short by a failure does not parse. */
    void finish() throws IOException {
        out.write("</D:multistatus>\n");
        finished = true;
    }

    /**
     * Sends what is left of a finished answer. An unfinished one (a failure while it was made) sends nothing more:
     * if nothing has reached the client yet, the response is reset, so that the caller can still answer with an
     * error instead of a 207 cut short; otherwise the caller's failure aborts the connection.
     */
    @Override
    public void close() throws IOException {
        try {
            if (finished) {
                out.flush();
                if (compressed != null) {
                    compressed.finish();
                }
            } else if (!resp.isCommitted()) {
                // reset drops the gzip coding and the 207, and every other header with them: those set before
                // this answer began (Strict-Transport-Security, say) are put back for the error that follows
                Map<String, List<String>> before = new LinkedHashMap<>();
                for (String name : resp.getHeaderNames()) {
                    if (!name.equalsIgnoreCase("Content-Encoding") && !name.equalsIgnoreCase("Content-Type")
                            && !name.equalsIgnoreCase("Vary") && !name.equalsIgnoreCase("Content-Length")) {
                        before.put(name, new ArrayList<>(resp.getHeaders(name)));
                    }
                }
                resp.reset();
                before.forEach((name, values) -> values.forEach(v -> resp.addHeader(name, v)));
            }
        } finally {
            if (compressed != null) {
                compressed.release();
            }
        }
    }

    /** A gzipped body whose compressor's native memory is released at the answer's end, not when a collector runs. */
    private static final class GzipBody extends GZIPOutputStream {
        GzipBody(OutputStream body) throws IOException {
            super(body, 8 * 1024);
        }

        /** Frees the compressor without writing anything more; the servlet's stream stays open. */
        void release() {
            def.end();
        }
    }
}
