package io.paygate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.api.JmsEntry;
import io.paygate.broker.Destinations;
import io.paygate.config.GatewaySettings;
import io.paygate.events.OutboxRelay;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * docs/asyncapi.yaml may not drift from the bus: every destination the broker is given is a
 * channel, every payload is one of the JSON Schemas in docs/schemas, every property the gateway
 * sets on answers and events is documented on those channels, the servers are the protocols
 * {@code gateway.broker.protocols} may name, and every {@code $ref} inside the document resolves.
 */
class AsyncApiDocumentTest {
    private static final Path DOCS = Path.of(System.getProperty("basedir", ".")).resolve("docs");
    private static Map<String, Object> doc;
    private static Map<String, Object> channels;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws IOException {
        String text = Files.readString(DOCS.resolve("asyncapi.yaml"), StandardCharsets.UTF_8);
        LoadSettings settings = LoadSettings.builder().setAllowDuplicateKeys(false).build();
        doc = (Map<String, Object>) new Load(settings).loadFromString(text);
        channels = map(doc.get("channels"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    /** A local reference {@code #/a/b/c} (JSON pointer, {@code ~1} = {@code /}). */
    private static Object resolve(String ref) {
        assertThat(ref).startsWith("#/");
        Object node = doc;
        for (String part : ref.substring(2).split("/")) {
            Map<String, Object> m = map(node);
            String key = part.replace("~1", "/").replace("~0", "~");
            assertThat(m).as("reference " + ref).containsKey(key);
            node = m.get(key);
        }
        return node;
    }

    /** The object itself, or what its {@code $ref} names. */
    private static Map<String, Object> deref(Object o) {
        Map<String, Object> m = map(o);
        return m.containsKey("$ref") ? deref(resolve((String) m.get("$ref"))) : m;
    }

    private static Map<String, Object> channelAt(String address) {
        for (Object c : channels.values()) {
            if (address.equals(map(c).get("address"))) {
                return map(c);
            }
        }
        throw new AssertionError("no channel with address " + address);
    }

    private static List<Map<String, Object>> messagesOf(Map<String, Object> channel) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object m : map(channel.get("messages")).values()) {
            out.add(deref(m));
        }
        return out;
    }

    private static Set<String> headersOf(Map<String, Object> message) {
        return map(map(message.get("headers")).get("properties")).keySet();
    }

    @Test
    void isAsyncApi3WithTheContractVersion() {
        assertThat(doc.get("asyncapi")).isEqualTo("3.0.0");
        assertThat(map(doc.get("info")).get("version")).isEqualTo("1");
    }

    @Test
    void everyDestinationOfTheBrokerIsAChannel() throws Exception {
        Set<String> addresses = new LinkedHashSet<>();
        for (Object c : channels.values()) {
            addresses.add(String.valueOf(map(c).get("address")));
        }
        List<String> destinations = new ArrayList<>();
        for (Field f : Destinations.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                destinations.add((String) f.get(null));
            }
        }
        assertThat(destinations).hasSizeGreaterThanOrEqualTo(9);
        destinations.add(Destinations.EVENTS + "::" + Destinations.merchantEvents("{merchant}"));
        assertThat(addresses).containsAll(destinations);
        // The reply address is the request's own: a channel without an address.
        assertThat(map(channels.get("replyTo"))).containsEntry("address", null);
    }

    @Test
    void everyPayloadIsASchemaOfDocsSchemas() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Set<String> used = new LinkedHashSet<>();
        for (Map.Entry<String, Object> c : channels.entrySet()) {
            for (Map<String, Object> message : messagesOf(map(c.getValue()))) {
                Map<String, Object> payload = map(message.get("payload"));
                if (!payload.containsKey("schema")) {
                    assertThat(message.get("name")).as(c.getKey()).isEqualTo("InvalidRequest");
                    continue;
                }
                assertThat(payload.get("schemaFormat")).isEqualTo("application/schema+json;version=draft-2020-12");
                String ref = (String) map(payload.get("schema")).get("$ref");
                assertThat(ref).as(c.getKey()).startsWith("./schemas/");
                Path file = DOCS.resolve(ref).normalize();
                assertThat(file).as(c.getKey() + ": " + ref).isRegularFile();
                JsonNode schema = json.readTree(file.toFile());
                assertThat(schema.path("$schema").asText()).isEqualTo("https://json-schema.org/draft/2020-12/schema");
                used.add(schema.path("title").asText());
            }
        }
        assertThat(used).containsExactlyInAnyOrder("PaymentRequest", "PaymentResult", "PaymentEvent");
        assertThat(messagesOf(channelAt(Destinations.REQUESTS))).extracting(m -> m.get("name")).containsExactly("PaymentRequest");
        assertThat(messagesOf(channelAt(Destinations.RESULTS))).extracting(m -> m.get("name")).containsExactly("PaymentResult");
        assertThat(messagesOf(channelAt(Destinations.EVENTS))).extracting(m -> m.get("name")).containsExactly("PaymentEvent");
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyPropertyTheGatewaySetsIsDocumented() {
        List<String> results = new ArrayList<>(JmsEntry.RESULT_PROPERTIES);
        results.add("JMSCorrelationID");
        for (Map<String, Object> channel : List.of(channelAt(Destinations.RESULTS), map(channels.get("replyTo")))) {
            for (Map<String, Object> m : messagesOf(channel)) {
                assertThat(headersOf(m)).containsAll(results);
            }
        }
        List<String> events = new ArrayList<>(OutboxRelay.EVENT_PROPERTIES);
        events.add(OutboxRelay.DUPLICATE_ID);
        for (String address : List.of(Destinations.EVENTS, Destinations.EVENTS + "::" + Destinations.merchantEvents("{merchant}"))) {
            for (Map<String, Object> m : messagesOf(channelAt(address))) {
                assertThat(headersOf(m)).as(address).containsAll(events);
            }
        }
        for (Map<String, Object> m : messagesOf(channelAt(Destinations.INVALID))) {
            assertThat(headersOf(m)).contains(JmsEntry.INVALID_REASON).doesNotContain("Authorization");
        }
        Map<String, Object> request = messagesOf(channelAt(Destinations.REQUESTS)).get(0);
        assertThat(headersOf(request)).contains("Authorization", "JMSCorrelationID", "JMSReplyTo", "JMSExpiration");
        assertThat((List<Object>) map(request.get("headers")).get("required")).containsExactly("Authorization");
        // Nothing of the request is in an answer or an event.
        for (String address : List.of(Destinations.RESULTS, Destinations.EVENTS)) {
            for (Map<String, Object> m : messagesOf(channelAt(address))) {
                assertThat(headersOf(m)).doesNotContain("Authorization");
            }
        }
    }

    @Test
    void theServersAreTheProtocolsTheBrokerServesOnItsOnePort() {
        Map<String, Object> servers = map(doc.get("servers"));
        List<String> protocols = new ArrayList<>();
        Set<Object> hosts = new LinkedHashSet<>();
        for (Object s : servers.values()) {
            protocols.add(String.valueOf(map(s).get("x-broker-protocol")));
            hosts.add(map(s).get("host"));
            assertThat((List<?>) map(s).get("security")).isNotEmpty();
        }
        assertThat(protocols).containsExactlyInAnyOrderElementsOf(GatewaySettings.BROKER_PROTOCOLS);
        assertThat(hosts).containsExactly("127.0.0.1:61616");
        assertThat(servers.values()).extracting(s -> map(s).get("protocol")).containsExactlyInAnyOrder("jms", "amqp1", "stomp");
    }

    @Test
    void everyLoginIsAUserPasswordSchemeAndEveryOperationNamesOne() {
        Map<String, Object> schemes = map(map(doc.get("components")).get("securitySchemes"));
        assertThat(schemes).containsOnlyKeys("esbLogin", "opsLogin", "merchantLogin");
        for (Object s : schemes.values()) {
            assertThat(map(s)).containsEntry("type", "userPassword");
        }
        Map<String, String> loginOf = new LinkedHashMap<>();
        for (Map.Entry<String, Object> op : map(doc.get("operations")).entrySet()) {
            Map<String, Object> o = map(op.getValue());
            assertThat(o.get("action")).isIn("send", "receive");
            Map<String, Object> channel = deref(o.get("channel"));
            List<?> security = (List<?>) o.get("security");
            assertThat(security).as(op.getKey()).hasSize(1);
            String scheme = (String) map(security.get(0)).get("$ref");
            resolve(scheme);
            loginOf.put(String.valueOf(channel.get("address")), scheme.substring(scheme.lastIndexOf('/') + 1));
            if (o.containsKey("messages")) {
                for (Object m : (List<?>) o.get("messages")) {
                    deref(m);
                }
            }
        }
        // The ops queues are read with the ops login, the rest with the client login.
        for (String ops : List.of(Destinations.INVALID, Destinations.DLQ, Destinations.EXPIRED, Destinations.DELIVERIES_DLQ)) {
            assertThat(loginOf).containsEntry(ops, "opsLogin");
        }
        for (String client : List.of(Destinations.REQUESTS, Destinations.RESULTS, Destinations.EVENTS)) {
            assertThat(loginOf).containsEntry(client, "esbLogin");
        }
        // A merchant's own login reads its own results and events queues.
        assertThat(loginOf).containsEntry("payments.results.{merchant}", "merchantLogin")
                .containsEntry("payments.events::payments.events.{merchant}", "merchantLogin");
        assertThat(loginOf).doesNotContainKeys(Destinations.DELIVERIES, Destinations.REQUESTS_EXPIRED);
    }

    @Test
    void everyLocalReferenceResolves() {
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertThat(refs).hasSizeGreaterThan(30);
        for (String ref : refs) {
            if (ref.startsWith("#/")) {
                resolve(ref);
            } else {
                assertThat(DOCS.resolve(ref).normalize()).as(ref).isRegularFile();
            }
        }
    }

    private static void collectRefs(Object node, List<String> out) {
        if (node instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if ("$ref".equals(e.getKey())) {
                    out.add((String) e.getValue());
                } else {
                    collectRefs(e.getValue(), out);
                }
            }
        } else if (node instanceof List<?> l) {
            l.forEach(x -> collectRefs(x, out));
        }
    }
}
