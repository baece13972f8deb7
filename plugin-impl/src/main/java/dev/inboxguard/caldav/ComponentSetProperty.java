package dev.inboxguard.caldav;

import java.util.Set;
import org.apache.jackrabbit.webdav.property.AbstractDavProperty;
import org.apache.jackrabbit.webdav.xml.DomUtil;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/** CALDAV:supported-calendar-component-set (RFC 4791 §5.2.3): one {@code <C:comp name="..."/>} per kind. */
final class ComponentSetProperty extends AbstractDavProperty<Set<String>> {
    private final Set<String> components;

    ComponentSetProperty(Set<String> components) {
        super(CaldavNames.SUPPORTED_COMPONENTS, true);
        this.components = Set.copyOf(components);
    }

    @Override
    public Set<String> getValue() {
        return components;
    }

    @Override
    public Element toXml(Document document) {
        Element property = getName().toXml(document);
        for (String c : components.stream().sorted().toList()) {
            Element comp = DomUtil.addChildElement(property, "comp", CaldavNames.CALDAV);
            comp.setAttribute("name", c);
        }
        return property;
    }
}
