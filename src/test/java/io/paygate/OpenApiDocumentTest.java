package io.paygate;

import static org.assertj.core.api.Assertions.assertThat;

import io.paygate.canonical.Channel;
import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.FieldError;
import io.paygate.canonical.Operation;
import io.paygate.canonical.PayMethod;
import io.paygate.canonical.PaymentError;
import io.paygate.canonical.PaymentEvent;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult;
import io.paygate.canonical.PaymentStatus;
import io.paygate.canonical.Source;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** docs/openapi.yaml may not drift from the canonical model. */
class OpenApiDocumentTest {
    private static Map<String, Object> doc;
    private static Map<String, Object> schemas;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void load() throws IOException {
        Path base = Path.of(System.getProperty("basedir", "."));
        String text = Files.readString(base.resolve("docs/openapi.yaml"), StandardCharsets.UTF_8);
        LoadSettings settings = LoadSettings.builder().setAllowDuplicateKeys(false).build();
        doc = (Map<String, Object>) new Load(settings).loadFromString(text);
        schemas = map(map(doc.get("components")).get("schemas"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }

    private static Map<String, Object> schema(String name) {
        assertThat(schemas).containsKey(name);
        return map(schemas.get(name));
    }

    private static Set<String> properties(String schemaName) {
        return map(schema(schemaName).get("properties")).keySet();
    }

    private static List<String> enumOf(Map<String, Object> schema) {
        List<String> out = new ArrayList<>();
        for (Object o : (List<?>) schema.get("enum")) {
            out.add(String.valueOf(o));
        }
        return out;
    }

    private static Set<String> components(Class<? extends Record> type) {
        Set<String> names = new LinkedHashSet<>();
        for (RecordComponent c : type.getRecordComponents()) {
            names.add(c.getName());
        }
        return names;
    }

    private static <E extends Enum<E>> List<String> names(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(Enum::name).toList();
    }

    @Test
    void isOpenApi303() {
        assertThat(doc.get("openapi")).isEqualTo("3.0.3");
        assertThat(map(doc.get("paths")).keySet()).contains("/api/v1/payments", "/api/v1/payments/{merchant}/{orderId}",
                "/api/v1/payments/{merchant}", "/notify/{provider}/{merchant}", "/observe/health");
    }

    @Test
    void paymentRequestPropertiesAreExactlyTheRecordsFields() {
        assertThat(properties("PaymentRequest")).containsExactlyInAnyOrderElementsOf(components(PaymentRequest.class));
        assertThat(schema("PaymentRequest").get("additionalProperties")).isEqualTo(false);
        assertThat(properties("Payer")).containsExactlyInAnyOrderElementsOf(components(PaymentRequest.Payer.class));
        assertThat(properties("H5")).containsExactlyInAnyOrderElementsOf(components(PaymentRequest.H5.class));
        assertThat(properties("Item")).containsExactlyInAnyOrderElementsOf(components(PaymentRequest.Item.class));
        assertThat(properties("Refund")).containsExactlyInAnyOrderElementsOf(components(PaymentRequest.Refund.class));
        for (String nested : List.of("Payer", "H5", "Item", "Refund")) {
            assertThat(schema(nested).get("additionalProperties")).as(nested).isEqualTo(false);
        }
    }

    @Test
    void errorCodeEnumIsTheCodesEnum() {
        assertThat(enumOf(schema("ErrorCode"))).containsExactlyElementsOf(names(ErrorCode.class));
    }

    @Test
    void otherEnumsAreTheCodesEnums() {
        assertThat(enumOf(schema("PaymentStatus"))).containsExactlyElementsOf(names(PaymentStatus.class));
        assertThat(enumOf(schema("Operation"))).containsExactlyElementsOf(names(Operation.class));
        assertThat(enumOf(schema("PayMethod"))).containsExactlyElementsOf(names(PayMethod.class));
        assertThat(enumOf(schema("Channel"))).containsExactlyElementsOf(names(Channel.class));
        Map<String, Object> historySource = map(map(schema("HistoryEntry").get("properties")).get("source"));
        assertThat(enumOf(historySource)).containsExactlyElementsOf(names(Source.class));
    }

    @Test
    void eventTypesAreTheEventsConstants() throws IllegalAccessException {
        List<String> constants = new ArrayList<>();
        for (Field f : PaymentEvent.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                constants.add((String) f.get(null));
            }
        }
        assertThat(enumOf(schema("EventType"))).containsExactlyInAnyOrderElementsOf(constants);
    }

    @Test
    void resultErrorAndEventSchemasNameTheRecordsFields() {
        Set<String> resultAndView = new LinkedHashSet<>(properties("PaymentResult"));
        List<?> viewParts = (List<?>) schema("OrderView").get("allOf");
        resultAndView.addAll(map(map(viewParts.get(1)).get("properties")).keySet());
        assertThat(resultAndView).containsExactlyInAnyOrderElementsOf(components(PaymentResult.class));

        assertThat(properties("PaymentError")).containsExactlyInAnyOrderElementsOf(components(PaymentError.class));
        assertThat(properties("FieldError")).containsExactlyInAnyOrderElementsOf(components(FieldError.class));
        assertThat(properties("PaymentEvent")).containsExactlyInAnyOrderElementsOf(components(PaymentEvent.class));
        assertThat(properties("Action")).containsExactlyInAnyOrderElementsOf(components(PaymentResult.Action.class));
        assertThat(properties("RefundInfo")).containsExactlyInAnyOrderElementsOf(components(PaymentResult.RefundInfo.class));
        assertThat(properties("HistoryEntry")).containsExactlyInAnyOrderElementsOf(components(PaymentResult.HistoryEntry.class));
        assertThat(properties("DeliveryEntry")).containsExactlyInAnyOrderElementsOf(components(PaymentResult.DeliveryEntry.class));
    }

    @Test
    void everyReferenceResolves() {
        List<String> refs = new ArrayList<>();
        collectRefs(doc, refs);
        assertThat(refs).isNotEmpty();
        Map<String, Object> comps = map(doc.get("components"));
        for (String ref : refs) {
            assertThat(ref).startsWith("#/components/");
            String[] parts = ref.substring("#/components/".length()).split("/");
            assertThat(parts).hasSize(2);
            assertThat(map(comps.get(parts[0]))).as(ref).containsKey(parts[1]);
        }
    }

    @Test
    void paymentEndpointDocumentsEveryContractStatus() {
        Map<String, Object> post = map(map(map(doc.get("paths")).get("/api/v1/payments")).get("post"));
        assertThat(map(post.get("responses")).keySet())
                .containsExactlyInAnyOrder("200", "400", "401", "403", "409", "413", "415", "502", "503", "504");
        Map<String, Object> get = map(map(map(doc.get("paths")).get("/api/v1/payments/{merchant}/{orderId}")).get("get"));
        assertThat(map(get.get("responses")).keySet()).contains("200", "401", "403", "404");
        Map<String, Object> health = map(map(map(doc.get("paths")).get("/observe/health")).get("get"));
        assertThat(map(health.get("responses")).keySet()).containsExactlyInAnyOrder("200", "503");
    }

    /** The document's metrics answer is the content type the metrics route sends: Prometheus text, not JSON. */
    @Test
    void metricsEndpointAnswersPrometheusTextAsItsRouteDoes() throws Exception {
        Map<String, Object> ok = map(map(map(map(map(doc.get("paths")).get("/observe/metrics")).get("get"))
                .get("responses")).get("200"));
        assertThat(map(ok.get("content")).keySet()).containsExactly("text/plain; version=0.0.4");
        String routes = java.nio.file.Files.readString(java.nio.file.Path.of("routes/http-api.yaml"));
        String metricsRoute = routes.substring(routes.indexOf("id: http-metrics"), routes.indexOf("id: http-reply"));
        assertThat(metricsRoute).contains("constant: \"text/plain; version=0.0.4; charset=utf-8\"")
                .doesNotContain("direct:http-reply");
        assertThat(metricsRoute).contains(io.paygate.api.Metrics.CONTENT_TYPE);
    }

    private static void collectRefs(Object node, List<String> out) {
        if (node instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if ("$ref".equals(e.getKey())) {
                    out.add(String.valueOf(e.getValue()));
                } else {
                    collectRefs(e.getValue(), out);
                }
            }
        } else if (node instanceof List<?> l) {
            l.forEach(x -> collectRefs(x, out));
        }
    }
}
