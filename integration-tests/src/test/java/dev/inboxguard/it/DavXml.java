package dev.inboxguard.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;

/**
 * WebDAV answers read as XML with namespaces (RFC 4918 §14), so that the tests do not depend on the server's
 * prefixes: multistatus responses by decoded href, each property with the status of its propstat, and DAV:error
 * bodies (RFC 4918 §16).
 */
final class DavXml {
    private DavXml() {
    }

    static Document parse(String xml) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            return f.newDocumentBuilder().parse(new InputSource(new StringReader(xml)));
        } catch (Exception e) {
            throw new AssertionError("not XML (" + e.getMessage() + "): " + xml, e);
        }
    }

    static List<Element> children(Element parent, String ns, String local) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && ns.equals(e.getNamespaceURI()) && local.equals(e.getLocalName())) {
                out.add(e);
            }
        }
        return out;
    }

    static List<Element> elements(Element parent) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                out.add(e);
            }
        }
        return out;
    }

    static Element child(Element parent, String ns, String local) {
        List<Element> c = children(parent, ns, local);
        return c.isEmpty() ? null : c.get(0);
    }

    /** @return "{namespace}local" */
    static String key(String ns, String local) {
        return "{" + ns + "}" + local;
    }

    static String key(Element e) {
        return key(e.getNamespaceURI(), e.getLocalName());
    }

    /** @return the status code of an RFC 4918 status line such as "HTTP/1.1 404 Not Found" */
    static int statusCode(String line) {
        String[] parts = line.strip().split("\\s+");
        return Integer.parseInt(parts[1]);
    }

    /** @return the percent-decoded (UTF-8) path of an href, which may be a path or an absolute URL */
    static String decodePath(String href) {
        String h = href.strip();
        if (!h.startsWith("/")) {
            URI uri = URI.create(h);
            if (uri.isOpaque()) {
                return h; // mailto: and the like: no path to decode
            }
            h = uri.getRawPath();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            if (c == '%') {
                out.write(Integer.parseInt(h.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** @return the answer's 207 body, parsed; fails naming the request when the status is not 207 */
    static Multistatus multistatus(String request, HttpResponse<String> r) {
        assertEquals(207, r.statusCode(), request + " answers 207 Multi-Status: " + r.body());
        return new Multistatus(r.body());
    }

    /** @return true if the body is a DAV:error naming the precondition {ns}local (RFC 4918 §16) */
    static boolean hasPrecondition(String body, String ns, String local) {
        if (body == null || body.isBlank() || !body.strip().startsWith("<")) {
            return false;
        }
        Document d = parse(body);
        Element root = d.getDocumentElement();
        if (!(RfcServer.D.equals(root.getNamespaceURI()) && "error".equals(root.getLocalName()))) {
            return false;
        }
        return !children(root, ns, local).isEmpty();
    }

    /** An RFC 4918 §14.16 multistatus. */
    static final class Multistatus {
        final String body;
        final List<Response> responses = new ArrayList<>();
        final Element root;

        Multistatus(String body) {
            this.body = body;
            this.root = parse(body).getDocumentElement();
            if (!(RfcServer.D.equals(root.getNamespaceURI()) && "multistatus".equals(root.getLocalName()))) {
                throw new AssertionError("not a DAV:multistatus: " + body);
            }
            for (Element e : children(root, RfcServer.D, "response")) {
                responses.add(new Response(e));
            }
        }

        /** @return the response whose decoded href is this path, or null */
        Response get(String decodedPath) {
            for (Response r : responses) {
                if (r.path.equals(decodedPath)) {
                    return r;
                }
            }
            return null;
        }

        /** @return the response for this path; fails when there is none */
        Response require(String decodedPath) {
            Response r = get(decodedPath);
            if (r == null) {
                throw new AssertionError("no response for " + decodedPath + " in " + body);
            }
            return r;
        }

        /** @return every decoded href */
        Set<String> paths() {
            Set<String> out = new TreeSet<>();
            responses.forEach(r -> out.add(r.path));
            return out;
        }

        /** @return the decoded names of the members of the collection at decodedParent (the last segment) */
        Set<String> members(String decodedParent) {
            Set<String> out = new TreeSet<>();
            for (Response r : responses) {
                if (r.path.startsWith(decodedParent) && r.path.length() > decodedParent.length()) {
                    String rest = r.path.substring(decodedParent.length());
                    out.add(rest.endsWith("/") ? rest.substring(0, rest.length() - 1) : rest);
                }
            }
            return out;
        }

        /** @return the number of responses with this decoded href */
        long count(String decodedPath) {
            return responses.stream().filter(r -> r.path.equals(decodedPath)).count();
        }
    }

    /** One DAV:response: its href, its own status if any, and its properties with the status of each. */
    static final class Response {
        final String rawHref;
        final String path;
        /** the response-level DAV:status, or 0 when the response has propstats */
        final int status;
        final Map<String, Integer> propStatus = new LinkedHashMap<>();
        final Map<String, Element> props = new LinkedHashMap<>();
        final Element element;

        Response(Element e) {
            this.element = e;
            Element href = child(e, RfcServer.D, "href");
            this.rawHref = href == null ? "" : href.getTextContent().strip();
            this.path = decodePath(rawHref);
            Element st = child(e, RfcServer.D, "status");
            this.status = st == null ? 0 : statusCode(st.getTextContent());
            for (Element ps : children(e, RfcServer.D, "propstat")) {
                int code = statusCode(child(ps, RfcServer.D, "status").getTextContent());
                Element prop = child(ps, RfcServer.D, "prop");
                if (prop != null) {
                    for (Element p : elements(prop)) {
                        propStatus.put(key(p), code);
                        props.put(key(p), p);
                    }
                }
            }
        }

        /** @return the status of the propstat holding {ns}local, or -1 when it is in none */
        int status(String ns, String local) {
            return propStatus.getOrDefault(key(ns, local), -1);
        }

        /** @return the property element; fails unless it came with 200 */
        Element ok(String ns, String local) {
            int s = status(ns, local);
            if (s != 200) {
                throw new AssertionError(path + ": " + key(ns, local) + " has status " + s + " in "
                        + DavXml.toString(element));
            }
            return props.get(key(ns, local));
        }

        /** @return the text of a property that came with 200 */
        String text(String ns, String local) {
            return ok(ns, local).getTextContent();
        }

        /** @return the calendar-data text, with CRLF line ends made LF and lines unfolded */
        String calendarData() {
            return Ical.unfold(text(RfcServer.C, "calendar-data"));
        }

        /** @return the decoded paths of the DAV:href elements inside a property */
        List<String> hrefs(String ns, String local) {
            List<String> out = new ArrayList<>();
            for (Element h : children(ok(ns, local), RfcServer.D, "href")) {
                out.add(decodePath(h.getTextContent()));
            }
            return out;
        }
    }

    static String toString(Node n) {
        try {
            javax.xml.transform.Transformer t = javax.xml.transform.TransformerFactory.newInstance()
                    .newTransformer();
            t.setOutputProperty(javax.xml.transform.OutputKeys.OMIT_XML_DECLARATION, "yes");
            java.io.StringWriter w = new java.io.StringWriter();
            t.transform(new javax.xml.transform.dom.DOMSource(n), new javax.xml.transform.stream.StreamResult(w));
            return w.toString();
        } catch (Exception e) {
            return String.valueOf(n);
        }
    }
}
