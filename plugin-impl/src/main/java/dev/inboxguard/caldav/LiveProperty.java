package dev.inboxguard.caldav;

import java.util.List;
import java.util.function.BiConsumer;
import org.apache.jackrabbit.webdav.property.AbstractDavProperty;
import org.apache.jackrabbit.webdav.property.DavPropertyName;
import org.apache.jackrabbit.webdav.xml.DomUtil;
import org.apache.jackrabbit.webdav.xml.Namespace;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** A property the server computes, written as XML by a function: privileges, hrefs, CalDAV limits. */
final class LiveProperty extends AbstractDavProperty<String> {
    private final BiConsumer<Document, Element> content;

    LiveProperty(DavPropertyName name, BiConsumer<Document, Element> content) {
        super(name, true);
        this.content = content;
    }

    @Override
    public String getValue() {
        return null;
    }

    @Override
    public Element toXml(Document document) {
        Element property = getName().toXml(document);
        content.accept(document, property);
        return property;
    }

    /** A property holding text, such as CALDAV:max-resource-size. */
    static LiveProperty text(DavPropertyName name, String text) {
        return new LiveProperty(name, (doc, e) -> e.setTextContent(text));
    }

    static final String[] OWNER = {"all", "read", "write", "write-properties", "write-content", "bind", "unbind",
            "read-current-user-privilege-set"};
    static final String[] READER = {"read", "read-current-user-privilege-set"};

    /** DAV:current-user-privilege-set (RFC 3744 §5.4), with CALDAV:read-free-busy wherever DAV:read is granted. */
    static LiveProperty privileges(String... dav) {
        return new LiveProperty(DavPropertyName.create("current-user-privilege-set", CaldavNames.DAV), (doc, e) -> {
            for (String p : dav) {
                DomUtil.addChildElement(DomUtil.addChildElement(e, "privilege", CaldavNames.DAV), p, CaldavNames.DAV);
            }
            if (List.of(dav).contains("read")) {
                DomUtil.addChildElement(DomUtil.addChildElement(e, "privilege", CaldavNames.DAV), "read-free-busy",
                        CaldavNames.CALDAV);
            }
        });
    }

    /** DAV:supported-privilege-set (RFC 3744 §5.3): the tree of privileges this server knows. */
    static LiveProperty supportedPrivileges() {
        return new LiveProperty(DavPropertyName.create("supported-privilege-set", CaldavNames.DAV), (doc, e) -> {
            Element all = privilege(e, "all", CaldavNames.DAV, "Everything");
            Element read = privilege(all, "read", CaldavNames.DAV, "Read");
            privilege(read, "read-free-busy", CaldavNames.CALDAV, "Read free-busy time");
            privilege(all, "read-current-user-privilege-set", CaldavNames.DAV, "Read your own privileges");
            Element write = privilege(all, "write", CaldavNames.DAV, "Write");
            privilege(write, "write-properties", CaldavNames.DAV, "Write properties");
            privilege(write, "write-content", CaldavNames.DAV, "Write content");
            privilege(write, "bind", CaldavNames.DAV, "Add members");
            privilege(write, "unbind", CaldavNames.DAV, "Remove members");
        });
    }

    private static Element privilege(Element parent, String name, Namespace ns, String description) {
        Element supported = DomUtil.addChildElement(parent, "supported-privilege", CaldavNames.DAV);
        DomUtil.addChildElement(DomUtil.addChildElement(supported, "privilege", CaldavNames.DAV), name, ns);
        DomUtil.addChildElement(supported, "description", CaldavNames.DAV, description)
                .setAttribute("xml:lang", "en");
        return supported;
    }
}
