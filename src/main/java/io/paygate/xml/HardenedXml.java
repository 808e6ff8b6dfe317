package io.paygate.xml;

import java.io.ByteArrayInputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * The one parser for XML that arrives from outside (provider answers and notifications). It reads
 * a flat document ({@code <xml><k>v</k>…</xml>}) into an ordered map of every element received, so
 * that signatures are checked over all fields, also ones no model knows.
 *
 * <p>Hardened against XXE and entity expansion: a DOCTYPE is refused outright (before any entity
 * could be declared), DTD support and external entities are off, and nested elements are refused.
 */
public final class HardenedXml {
    private static final XMLInputFactory FACTORY = XMLInputFactory.newFactory();
    static {
        FACTORY.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        FACTORY.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        FACTORY.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        FACTORY.setProperty(XMLInputFactory.IS_COALESCING, true);
        FACTORY.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, false);
    }

    public static final int MAX_BYTES = 256 * 1024;

    private HardenedXml() {
    }

    /**
     * Parses a flat XML document whose root is {@code root}.
     *
     * @throws XmlRejected when the bytes are not such a document, declare a DOCTYPE or use entities
     */
    public static Map<String, String> parseFlat(byte[] raw, String root) {
        return parseFlat(raw, root, java.util.Set.of());
    }

    /**
     * As {@link #parseFlat(byte[], String)}, but the fields named in {@code lineLists} may hold one
     * level of child elements (Ystpay's {@code <receipts><line>…</line>…</receipts>}): their texts
     * become the field's value, one per line ({@code \n}). Deeper nesting is still refused.
     */
    public static Map<String, String> parseFlat(byte[] raw, String root, java.util.Set<String> lineLists) {
        if (raw == null || raw.length == 0) {
            throw new XmlRejected("empty document");
        }
        if (raw.length > MAX_BYTES) {
            throw new XmlRejected("document larger than " + MAX_BYTES + " bytes");
        }
        Map<String, String> out = new LinkedHashMap<>();
        XMLStreamReader r = null;
        try {
            r = FACTORY.createXMLStreamReader(new ByteArrayInputStream(raw));
            int depth = 0;
            String field = null;
            StringBuilder text = new StringBuilder();
            StringBuilder line = new StringBuilder();
            int lines = 0;
            while (r.hasNext()) {
                int ev = r.next();
                switch (ev) {
                    case XMLStreamConstants.DTD -> throw new XmlRejected("DOCTYPE is not allowed");
                    case XMLStreamConstants.ENTITY_REFERENCE -> throw new XmlRejected("entity references are not allowed");
                    case XMLStreamConstants.START_ELEMENT -> {
                        depth++;
                        if (depth == 1) {
                            if (!root.equals(r.getLocalName())) {
                                throw new XmlRejected("root element must be <" + root + ">");
                            }
                        } else if (depth == 2) {
                            field = r.getLocalName();
                            text.setLength(0);
                            lines = 0;
                        } else if (depth == 3 && lineLists.contains(field)) {
                            if (!text.isEmpty() && lines == 0 && !text.toString().isBlank()) {
                                throw new XmlRejected("text beside the lines of <" + field + ">");
                            }
                            if (lines == 0) {
                                text.setLength(0);
                            }
                            line.setLength(0);
                        } else {
                            throw new XmlRejected("nested element in <" + field + ">");
                        }
                    }
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                        if (depth == 2 && lines == 0) {
                            text.append(r.getText());
                        } else if (depth == 3) {
                            line.append(r.getText());
                        } else if (!r.getText().isBlank()) {
                            throw new XmlRejected("text outside the fields");
                        }
                    }
                    case XMLStreamConstants.END_ELEMENT -> {
                        if (depth == 3) {
                            if (lines++ > 0) {
                                text.append('\n');
                            }
                            text.append(line);
                        }
                        if (depth == 2) {
                            if (out.containsKey(field)) {
                                throw new XmlRejected("element <" + field + "> appears twice");
                            }
                            out.put(field, text.toString());
                        }
                        depth--;
                    }
                    default -> {
                        // comments and processing instructions carry nothing we read
                    }
                }
            }
            return out;
        } catch (XMLStreamException e) {
            throw new XmlRejected("malformed XML");
        } finally {
            if (r != null) {
                try {
                    r.close();
                } catch (XMLStreamException ignored) {
                    // nothing to release beyond the byte array
                }
            }
        }
    }

    /** Writes a flat document with every value in CDATA. Keys are protocol field names. */
    public static String writeFlat(String root, Map<String, String> fields) {
        StringBuilder sb = new StringBuilder(256).append('<').append(root).append('>');
        for (Map.Entry<String, String> e : fields.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            String k = e.getKey();
            if (!k.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("not an XML field name: " + k);
            }
            sb.append('<').append(k).append("><![CDATA[")
                    .append(e.getValue().replace("]]>", "]]]]><![CDATA[>"))
                    .append("]]></").append(k).append('>');
        }
        return sb.append("</").append(root).append('>').toString();
    }

    /** The bytes could not be accepted as a document; the message never quotes the input. */
    public static final class XmlRejected extends RuntimeException {
        public XmlRejected(String message) {
            super(message);
        }
    }
}
