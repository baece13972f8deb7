package dev.inboxguard.caldav;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import javax.servlet.http.HttpServletResponse;

/** RFC 4918 §16 precondition failures (a status and a DAV:error body), and the XML text escaping they share. */
final class DavError {
    private DavError() {
    }

    /** A CALDAV precondition, such as {@code valid-calendar-data}. */
    static void caldav(HttpServletResponse resp, int status, String precondition, String reason) throws IOException {
        send(resp, status, "<C:" + precondition + "/>", reason);
    }

    /** A CALDAV precondition naming a resource, such as {@code no-uid-conflict} (RFC 4791 §5.3.2.1). */
    static void caldav(HttpServletResponse resp, int status, String precondition, String href, String reason)
            throws IOException {
        send(resp, status, "<C:" + precondition + "><D:href>" + escape(href) + "</D:href></C:" + precondition + ">",
                reason);
    }

    /** A DAV precondition, such as {@code valid-sync-token} or {@code supported-report}. */
    static void dav(HttpServletResponse resp, int status, String precondition, String reason) throws IOException {
        send(resp, status, "<D:" + precondition + "/>", reason);
    }

    private static void send(HttpServletResponse resp, int status, String element, String reason) throws IOException {
        byte[] bytes = ("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<D:error xmlns:D=\"DAV:\" "
                + "xmlns:C=\"urn:ietf:params:xml:ns:caldav\">" + element + "<D:responsedescription>" + escape(reason)
                + "</D:responsedescription></D:error>\n").getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.setContentType("application/xml; charset=utf-8");
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }

    /**
     * Text for element content or an attribute. CR is kept as a character reference, so that calendar data keeps
     * its CRLF line ends through an XML parser; other control characters, which XML 1.0 cannot carry, become spaces.
     */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\r' -> b.append("&#13;");
                case '\n', '\t' -> b.append(c);
                default -> b.append(c < 0x20 ? ' ' : c);
            }
        }
        return b.toString();
    }
}
