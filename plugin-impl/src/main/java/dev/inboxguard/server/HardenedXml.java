package dev.inboxguard.server;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.apache.jackrabbit.webdav.xml.DomUtil;

/**
 * The XML parser every WebDAV request body goes through. Jackrabbit's own factory refuses external entities but
 * accepts a DOCTYPE, so an internal entity-expansion bomb ("billion laughs") still gets through; here a DOCTYPE
 * is refused outright. No WebDAV or CalDAV body needs one, nor elements nested {@value #MAX_DEPTH} deep.
 */
public final class HardenedXml {
    /** Elements nested deeper than this make the body malformed. */
    public static final int MAX_DEPTH = 100;

    private HardenedXml() {
    }

    /** Makes Jackrabbit parse with {@link #factory()}; idempotent. */
    public static synchronized void install() {
        DomUtil.setBuilderFactory(factory());
    }

    /** @return a namespace-aware DOM factory with DOCTYPEs, external entities and XInclude off */
    public static DocumentBuilderFactory factory() {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setIgnoringComments(true);
        f.setCoalescing(true);
        f.setExpandEntityReferences(false);
        f.setXIncludeAware(false);
        try {
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setFeature("http://xml.org/sax/features/external-general-entities", false);
            f.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException("this JDK's XML parser cannot be hardened", e);
        }
        // no WebDAV body nests deeper than a dozen elements; unbounded, a deep one overflows the stack of any code
        // that walks the tree (the DOM's own getTextContent among them)
        f.setAttribute("http://www.oracle.com/xml/jaxp/properties/maxElementDepth", MAX_DEPTH);
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        f.setAttribute(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        return f;
    }
}
