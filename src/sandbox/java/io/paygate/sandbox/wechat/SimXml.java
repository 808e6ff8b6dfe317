package io.paygate.sandbox.wechat;

import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Reads and writes the flat {@code <xml>} documents of WeChat Pay v2.
 *
 * <p>The reader is the sandbox's own hardened parser: any DOCTYPE is refused outright, so no DTD,
 * external entity or entity expansion can ever be processed (XXE, billion laughs).
 */
final class SimXml {

    /** WeChat's largest request field ({@code detail}) is a few KiB; anything far beyond is not a payment call. */
    static final int MAX_BYTES = 64 * 1024;

    /** Why a request body is not an acceptable WeChat document; the message goes to {@code return_msg}. */
    static final class RejectedXml extends Exception {
        RejectedXml(String reason) {
            super(reason);
        }
    }

    private SimXml() {
    }

    /** The root's child elements in document order; values are the elements' text (CDATA or not). */
    static Map<String, String> parse(byte[] body) throws RejectedXml {
        if (body.length > MAX_BYTES) {
            throw new RejectedXml("XML格式错误: body larger than " + MAX_BYTES + " bytes");
        }
        String text = strictUtf8(body);
        try {
            XMLStreamReader reader = hardenedFactory().createXMLStreamReader(new StringReader(text));
            try {
                return readFlatDocument(reader);
            } finally {
                reader.close();
            }
        } catch (XMLStreamException e) {
            throw new RejectedXml("XML格式错误");
        }
    }

    /** Every value goes into CDATA, as WeChat answers do; null values are left out. */
    static String write(Map<String, String> fields) {
        return write("xml", fields);
    }

    /** The same with another root element, as the {@code <root>} inside a refund notification's req_info. */
    static String write(String root, Map<String, String> fields) {
        StringBuilder xml = new StringBuilder("<").append(root).append('>');
        fields.forEach((name, value) -> {
            if (value != null) {
                xml.append('<').append(name).append("><![CDATA[")
                        // "]]>" would end the section early, so it is split across two sections.
                        .append(value.replace("]]>", "]]]]><![CDATA[>"))
                        .append("]]></").append(name).append('>');
            }
        });
        return xml.append("</").append(root).append('>').toString();
    }

    private static Map<String, String> readFlatDocument(XMLStreamReader reader)
            throws XMLStreamException, RejectedXml {
        Map<String, String> fields = new LinkedHashMap<>();
        int depth = 0;
        String field = null;
        StringBuilder value = new StringBuilder();
        while (reader.hasNext()) {
            int event = reader.next();
            switch (event) {
                case XMLStreamConstants.DTD ->
                        throw new RejectedXml("XML格式错误: DOCTYPE is not allowed");
                case XMLStreamConstants.ENTITY_REFERENCE, XMLStreamConstants.ENTITY_DECLARATION ->
                        throw new RejectedXml("XML格式错误: entities are not allowed");
                case XMLStreamConstants.START_ELEMENT -> {
                    depth++;
                    String name = reader.getLocalName();
                    if (depth == 1 && !"xml".equals(name)) {
                        throw new RejectedXml("XML格式错误: root element must be <xml>");
                    }
                    if (depth == 2) {
                        field = name;
                        value.setLength(0);
                    }
                    if (depth > 2) {
                        throw new RejectedXml("XML格式错误: nested element <" + name + ">");
                    }
                }
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                    if (depth == 2) {
                        value.append(reader.getText());
                    } else if (!reader.isWhiteSpace()) {
                        throw new RejectedXml("XML格式错误: text outside a field");
                    }
                }
                case XMLStreamConstants.END_ELEMENT -> {
                    if (depth == 2) {
                        // A repeated field would let the signed value and the used value differ.
                        if (fields.putIfAbsent(field, value.toString()) != null) {
                            throw new RejectedXml("XML格式错误: duplicate field " + field);
                        }
                    }
                    depth--;
                }
                default -> {
                    // comments, processing instructions and the document end carry no fields
                }
            }
        }
        if (fields.isEmpty()) {
            throw new RejectedXml("XML格式错误: no fields");
        }
        return fields;
    }

    private static String strictUtf8(byte[] body) throws RejectedXml {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new RejectedXml("XML格式错误: body is not UTF-8");
        }
    }

    private static XMLInputFactory hardenedFactory() {
        // The JDK's own implementation, so a StAX provider elsewhere on the classpath cannot
        // silently bring different (less strict) defaults. A fresh factory per document because
        // the JDK's factory recycles reader instances and is not safe to share across threads.
        XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_REPLACING_ENTITY_REFERENCES, false);
        factory.setProperty(XMLConstants.ACCESS_EXTERNAL_DTD, "");
        factory.setProperty(XMLConstants.ACCESS_EXTERNAL_SCHEMA, "");
        factory.setProperty(XMLInputFactory.IS_COALESCING, false);
        return factory;
    }
}
