package dev.inboxguard.caldav;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.apache.jackrabbit.webdav.property.AbstractDavProperty;
import org.apache.jackrabbit.webdav.property.DavPropertyName;
import org.apache.jackrabbit.webdav.xml.DomUtil;
import org.apache.jackrabbit.webdav.xml.Namespace;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** A property a client set on a calendar, given back exactly as it was written ({@link CollectionProperties}). */
final class StoredProperty extends AbstractDavProperty<String> {
    private final String xml;

    /**
     * @param clark the name, {@code {namespace}local}
     * @param xml   the property element as stored
     */
    StoredProperty(String clark, String xml) {
        super(name(clark), false);
        this.xml = xml;
    }

    static DavPropertyName name(String clark) {
        int close = clark.indexOf('}');
        return DavPropertyName.create(clark.substring(close + 1), Namespace.getNamespace(clark.substring(1, close)));
    }

    @Override
    public String getValue() {
        return xml;
    }

    @Override
    public Element toXml(Document document) {
        try {
            Element stored = DomUtil.parseDocument(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)))
                    .getDocumentElement();
            return (Element) document.importNode(stored, true);
        } catch (Exception e) {
            // stored by this server from a parsed element, so it parses; an empty element is the safe answer
            return getName().toXml(document);
        }
    }
}
