package dev.inboxguard.caldav;

import java.util.ArrayList;
import java.util.List;
import org.apache.jackrabbit.webdav.property.AbstractDavProperty;
import org.apache.jackrabbit.webdav.property.DavProperty;
import org.apache.jackrabbit.webdav.property.PropEntry;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * A property to set, as the client wrote it in its PROPPATCH. Jackrabbit keeps a property's name and content but
 * drops the attributes of the property element itself, and RFC 4918 §4.3 has a server keep the xml:lang in scope
 * there; this one gives back the element whole, with an xml:lang written further out (on DAV:prop, say) put on it.
 */
final class WrittenProperty extends AbstractDavProperty<Object> {
    private final DavProperty<?> parsed;
    private final Element written;

    private WrittenProperty(DavProperty<?> parsed, Element written) {
        super(parsed.getName(), false);
        this.parsed = parsed;
        this.written = written;
    }

    @Override
    public Object getValue() {
        return parsed.getValue();
    }

    @Override
    public Element toXml(Document document) {
        return (Element) document.importNode(written, true);
    }

    /**
     * @param parsed  Jackrabbit's change list, in document order
     * @param request the PROPPATCH body it was read from
     * @return the list with each property to set as written; Jackrabbit's own where the two do not line up
     */
    static List<PropEntry> asWritten(List<? extends PropEntry> parsed, Document request) {
        List<Element> written = new ArrayList<>();
        Element update = request == null ? null : request.getDocumentElement();
        for (Element instruction : children(update)) {
            boolean set = dav(instruction, "set");
            if (!set && !dav(instruction, "remove")) {
                continue;
            }
            // as Jackrabbit reads it: the instruction's first DAV:prop, each element in it one property
            for (Element prop : children(instruction)) {
                if (dav(prop, "prop")) {
                    for (Element p : children(prop)) {
                        written.add(set ? p : null);
                    }
                    break;
                }
            }
        }
        List<PropEntry> out = new ArrayList<>(parsed);
        if (written.size() != parsed.size()) {
            return out;
        }
        for (int i = 0; i < out.size(); i++) {
            Element e = written.get(i);
            if (out.get(i) instanceof DavProperty<?> p && e != null && p.getName().getName().equals(e.getLocalName())
                    && p.getName().getNamespace().getURI().equals(e.getNamespaceURI() == null ? ""
                    : e.getNamespaceURI())) {
                out.set(i, new WrittenProperty(p, withLanguage(e)));
            }
        }
        return out;
    }

    private static final String XML = "http://www.w3.org/XML/1998/namespace";

    /** @return the element, carrying the xml:lang in scope where it was written (on DAV:prop, say) */
    private static Element withLanguage(Element e) {
        if (e.hasAttributeNS(XML, "lang")) {
            return e;
        }
        for (Node n = e.getParentNode(); n instanceof Element outer; n = n.getParentNode()) {
            if (outer.hasAttributeNS(XML, "lang")) {
                Element copy = (Element) e.cloneNode(true);
                copy.setAttributeNS(XML, "xml:lang", outer.getAttributeNS(XML, "lang"));
                return copy;
            }
        }
        return e;
    }

    private static boolean dav(Element e, String local) {
        return "DAV:".equals(e.getNamespaceURI()) && local.equals(e.getLocalName());
    }

    private static List<Element> children(Element parent) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent == null ? null : parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e) {
                out.add(e);
            }
        }
        return out;
    }
}
