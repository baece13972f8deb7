package dev.inboxguard.fuzz;

import static org.junit.jupiter.api.Assertions.assertNull;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.inboxguard.server.HardenedXml;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.ParserConfigurationException;
import org.apache.jackrabbit.webdav.xml.DomUtil;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.xml.sax.SAXException;

/**
 * WebDAV request bodies (PROPFIND, REPORT, MKCALENDAR, PROPPATCH) through the parser every body goes through: any
 * input parses or fails as malformed XML, a DOCTYPE never gets through (no entity expansion, no external fetch),
 * and Jackrabbit's walk over what parsed does not fail. Seeds: {@code DavXmlFuzzTestInputs}.
 */
class DavXmlFuzzTest {
    private static final ThreadLocal<DocumentBuilder> BUILDER = ThreadLocal.withInitial(() -> {
        try {
            DocumentBuilder b = HardenedXml.factory().newDocumentBuilder();
            b.setErrorHandler(null);
            return b;
        } catch (ParserConfigurationException e) {
            throw new IllegalStateException(e);
        }
    });

    @FuzzTest(maxDuration = "20s")
    void everyBodyParsesOrIsRefusedAndNoDoctypeGetsThrough(byte[] input) {
        Document doc;
        try {
            doc = BUILDER.get().parse(new ByteArrayInputStream(input));
        } catch (SAXException | IOException e) {
            return; // answered 400 by the server
        }
        assertNull(doc.getDoctype(), "a DOCTYPE was accepted");
        Element root = doc.getDocumentElement();
        if (root != null) {
            walk(root, 0);
        }
    }

    private static void walk(Element e, int depth) {
        DomUtil.getNamespace(e);
        DomUtil.getText(e);
        if (depth > 64) {
            return;
        }
        for (org.w3c.dom.Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element child) {
                walk(child, depth + 1);
            }
        }
    }
}
