package io.paygate.sandbox.ystpay;

import java.io.StringReader;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/** The simulator's flat XML reader (any DOCTYPE refused) and writer. */
final class SimYstXml {
    static final int MAX_BYTES = 64 * 1024;

    private SimYstXml() {
    }

    /** The root's child elements, or null when the text is not such a document with that root. */
    static Map<String, String> parse(String text, String root) {
        XMLInputFactory f = XMLInputFactory.newDefaultFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        try {
            XMLStreamReader r = f.createXMLStreamReader(new StringReader(text));
            Map<String, String> out = new LinkedHashMap<>();
            int depth = 0;
            String field = null;
            StringBuilder value = new StringBuilder();
            while (r.hasNext()) {
                int ev = r.next();
                if (ev == XMLStreamConstants.DTD || ev == XMLStreamConstants.ENTITY_REFERENCE) {
                    return null;
                }
                if (ev == XMLStreamConstants.START_ELEMENT) {
                    depth++;
                    if (depth == 1 && !root.equals(r.getLocalName()) || depth > 2) {
                        return null;
                    }
                    if (depth == 2) {
                        field = r.getLocalName();
                        value.setLength(0);
                    }
                } else if (ev == XMLStreamConstants.CHARACTERS || ev == XMLStreamConstants.CDATA) {
                    if (depth == 2) {
                        value.append(r.getText());
                    }
                } else if (ev == XMLStreamConstants.END_ELEMENT) {
                    if (depth == 2 && out.putIfAbsent(field, value.toString()) != null) {
                        return null;
                    }
                    depth--;
                }
            }
            return out;
        } catch (XMLStreamException e) {
            return null;
        }
    }

    static String write(String root, Map<String, String> fields) {
        StringBuilder sb = new StringBuilder("<").append(root).append('>');
        fields.forEach((k, v) -> {
            if (v != null) {
                sb.append('<').append(k).append('>').append(escape(v)).append("</").append(k).append('>');
            }
        });
        return sb.append("</").append(root).append('>').toString();
    }

    static String escape(String v) {
        return v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
