package dev.inboxguard.caldav;

import java.util.List;
import org.apache.jackrabbit.webdav.property.AbstractDavProperty;
import org.apache.jackrabbit.webdav.property.DavPropertyName;
import org.apache.jackrabbit.webdav.xml.DomUtil;
import org.apache.jackrabbit.webdav.xml.Namespace;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

/**
 * DAV:supported-report-set (RFC 3253 §3.1.5) of a calendar: clients such as DAVx⁵ look here before they use
 * sync-collection.
 */
final class ReportSetProperty extends AbstractDavProperty<List<String>> {
    static final DavPropertyName NAME = DavPropertyName.create("supported-report-set", CaldavNames.DAV);
    private static final List<Object[]> REPORTS = List.of(
            new Object[] {CaldavNames.CALDAV, "calendar-query"},
            new Object[] {CaldavNames.CALDAV, "calendar-multiget"},
            new Object[] {CaldavNames.CALDAV, "free-busy-query"},
            new Object[] {CaldavNames.DAV, "sync-collection"});

    private final boolean calendar;

    ReportSetProperty() {
        this(true);
    }

    /** @param calendar true for a calendar; false for the inbox, which has no free-busy-query */
    ReportSetProperty(boolean calendar) {
        super(NAME, true);
        this.calendar = calendar;
    }

    private List<Object[]> reports() {
        return calendar ? REPORTS : REPORTS.stream().filter(r -> !"free-busy-query".equals(r[1])).toList();
    }

    @Override
    public List<String> getValue() {
        return reports().stream().map(r -> (String) r[1]).toList();
    }

    @Override
    public Element toXml(Document document) {
        Element property = getName().toXml(document);
        for (Object[] r : reports()) {
            Element supported = DomUtil.addChildElement(property, "supported-report", CaldavNames.DAV);
            Element report = DomUtil.addChildElement(supported, "report", CaldavNames.DAV);
            DomUtil.addChildElement(report, (String) r[1], (Namespace) r[0]);
        }
        return property;
    }
}
