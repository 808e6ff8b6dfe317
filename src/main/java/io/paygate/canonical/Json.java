package io.paygate.canonical;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The gateway's one JSON configuration: strict on input, no nulls on output. */
public final class Json {
    private Json() {
    }

    public static ObjectMapper mapper() {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(32).maxStringLength(65536).build())
                .build();
        ObjectMapper m = new ObjectMapper(factory);
        m.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        m.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        m.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        m.disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
        return m;
    }

    /**
     * Each mapper's key-sorting copy, made once: a copy per request cost a new mapper and its
     * serializer caches on every PAY (issue 17). Weak keys: a mapper that is gone takes its copy
     * along. The copy is configured once and only used afterwards, as Jackson requires.
     */
    private static final java.util.Map<ObjectMapper, ObjectMapper> SORTED =
            java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());

    /**
     * A digest of the request's content compared as parsed JSON: key order and white space do not
     * matter, values do.
     */
    public static String contentHash(ObjectMapper m, JsonNode tree) {
        try {
            ObjectMapper sorted = SORTED.computeIfAbsent(m, k -> k.copy().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS));
            Object plain = sorted.treeToValue(tree, Object.class);
            byte[] canonical = sorted.writeValueAsString(plain).getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
        } catch (com.fasterxml.jackson.core.JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static ObjectNode object(ObjectMapper m) {
        return m.createObjectNode();
    }
}
