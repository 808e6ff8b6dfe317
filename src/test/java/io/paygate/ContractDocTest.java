package io.paygate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.broker.Destinations;
import io.paygate.canonical.Channel;
import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.Operation;
import io.paygate.canonical.PayMethod;
import io.paygate.canonical.PaymentEvent;
import io.paygate.canonical.PaymentStatus;
import io.paygate.canonical.Source;
import io.paygate.api.JmsEntry;
import io.paygate.config.ConfigException;
import io.paygate.config.MerchantProfile;
import io.paygate.config.MerchantsFile;
import io.paygate.provider.ProviderModules;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * docs/contract.md may not drift from what the gateway is: every value of the canonical enums, every
 * property and enumerated value of docs/schemas, every endpoint and status of docs/openapi.yaml,
 * every JMS destination and the callback defaults appear in it; and every endpoint it names is one
 * of openapi.yaml's. A constant added to the code, a field added to a schema or an endpoint added
 * to openapi.yaml fails here until the contract page says what it is.
 */
class ContractDocTest {
    private static final Path ROOT = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
    /** A code span, also across a line break. */
    private static final Pattern CODE = Pattern.compile("`([^`]+)`");
    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_]+");
    private static final Pattern ENDPOINT = Pattern.compile("^(GET|POST|PUT|DELETE|PATCH) (/\\S*)$");
    private static final Pattern BARE_PATH = Pattern.compile("^(/(?:api|observe|admin|notify)(?:/[^\\s?]*)?)(?:\\?.*)?$");

    private static String contract;
    /** The contract's "## ..." sections by heading. */
    private static Map<String, String> sections;
    private static Map<String, Object> openapi;

    @BeforeAll
    @SuppressWarnings("unchecked")
    static void read() throws IOException {
        contract = Files.readString(ROOT.resolve("docs/contract.md"), StandardCharsets.UTF_8);
        sections = new LinkedHashMap<>();
        Matcher h = Pattern.compile("(?m)^## (.+)$").matcher(contract);
        List<int[]> starts = new ArrayList<>();
        List<String> names = new ArrayList<>();
        while (h.find()) {
            starts.add(new int[] {h.start(), h.end()});
            names.add(h.group(1).trim());
        }
        for (int i = 0; i < names.size(); i++) {
            int end = i + 1 < starts.size() ? starts.get(i + 1)[0] : contract.length();
            sections.put(names.get(i), contract.substring(starts.get(i)[1], end));
        }
        openapi = (Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(ROOT.resolve("docs/openapi.yaml"), StandardCharsets.UTF_8));
        assertThat(sections).hasSizeGreaterThan(8);
    }

    /** Every word inside a code span of the text (`{status, at, source}` gives status, at, source). */
    private static Set<String> codeWords(String text) {
        Set<String> words = new TreeSet<>();
        Matcher m = CODE.matcher(text);
        while (m.find()) {
            Matcher w = WORD.matcher(m.group(1));
            while (w.find()) {
                words.add(w.group());
            }
        }
        return words;
    }

    private static Set<String> codeSpans(String text) {
        Set<String> spans = new TreeSet<>();
        Matcher m = CODE.matcher(text);
        while (m.find()) {
            spans.add(m.group(1).replaceAll("\\s+", " ").trim());
        }
        return spans;
    }

    private static String section(String headingPart) {
        List<String> found = sections.keySet().stream().filter(k -> k.contains(headingPart)).toList();
        assertThat(found).as("a section of docs/contract.md whose heading contains " + headingPart).hasSize(1);
        return sections.get(found.get(0));
    }

    private static Set<String> names(Enum<?>[] values) {
        return Arrays.stream(values).map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void everyValueOfTheCanonicalEnumsIsNamed() throws IllegalAccessException {
        Set<String> expected = new TreeSet<>();
        expected.addAll(names(ErrorCode.values()));
        expected.addAll(names(PaymentStatus.values()));
        expected.addAll(names(Operation.values()));
        expected.addAll(names(Channel.values()));
        expected.addAll(names(PayMethod.values()));
        expected.addAll(names(Source.values()));
        for (Field f : PaymentEvent.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                expected.add((String) f.get(null));
            }
        }
        assertThat(expected).contains("PAYMENT_SUCCEEDED", "REFUND_FAILED", "TIMEOUT", "MINIPROGRAM", "BESTPAY");
        assertThat(codeWords(contract)).as("canonical values named in docs/contract.md").containsAll(expected);
    }

    @Test
    void everyErrorCodeHasARowWithItsHttpStatusAndRetryability() {
        String errors = section("Error codes");
        Map<String, String[]> rows = new LinkedHashMap<>();
        Matcher row = Pattern.compile("(?m)^\\| `([A-Z_]+)` \\|(.*)$").matcher(errors);
        while (row.find()) {
            rows.put(row.group(1), row.group(2).split("\\|"));
        }
        assertThat(rows.keySet()).as("error code rows").containsExactlyInAnyOrderElementsOf(names(ErrorCode.values()));
        rows.forEach((code, cells) -> {
            assertThat(cells.length).as(code + ": meaning, HTTP, retryable").isGreaterThanOrEqualTo(3);
            assertThat(cells[1]).as(code + " HTTP status").containsPattern("\\b[1-5][0-9][0-9]\\b");
            assertThat(cells[2]).as(code + " retryable").containsPattern("\\b(yes|no)\\b");
        });
    }

    /** Every property, at any depth, of each schema in its message's section; every enumerated value anywhere. */
    @Test
    void everySchemaPropertyAndValueIsNamed() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Path> files;
        try (Stream<Path> s = Files.list(ROOT.resolve("docs/schemas"))) {
            files = s.filter(p -> p.toString().endsWith(".schema.json")).sorted().toList();
        }
        assertThat(files).hasSize(3);
        Set<String> missing = new TreeSet<>();
        Set<String> allWords = codeWords(contract);
        for (Path file : files) {
            JsonNode schema = json.readTree(file.toFile());
            String title = schema.path("title").asText();
            Set<String> inSection = codeWords(section("`" + title + "`"));
            Set<String> properties = new TreeSet<>();
            Set<String> values = new TreeSet<>();
            collect(schema, properties, values);
            assertThat(properties).as(title + " properties").hasSizeGreaterThan(10);
            for (String p : properties) {
                if (!inSection.contains(p)) {
                    missing.add(title + " property " + p);
                }
            }
            for (String v : values) {
                if (!allWords.contains(v)) {
                    missing.add(title + " value " + v);
                }
            }
        }
        assertThat(missing).as("schema properties and values docs/contract.md does not name").isEmpty();
    }

    private static void collect(JsonNode node, Set<String> properties, Set<String> values) {
        if (node.isObject()) {
            JsonNode props = node.get("properties");
            if (props != null && props.isObject()) {
                props.fieldNames().forEachRemaining(properties::add);
            }
            for (String k : List.of("enum", "const")) {
                JsonNode v = node.get(k);
                if (v != null) {
                    (v.isArray() ? v : json(v)).forEach(x -> values.add(x.asText()));
                }
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                collect(it.next().getValue(), properties, values);
            }
        } else if (node.isArray()) {
            node.forEach(n -> collect(n, properties, values));
        }
    }

    private static JsonNode json(JsonNode single) {
        return new ObjectMapper().createArrayNode().add(single);
    }

    /** The endpoints of docs/openapi.yaml as "METHOD /path". */
    @SuppressWarnings("unchecked")
    private static Set<String> openapiEndpoints() {
        Set<String> out = new TreeSet<>();
        ((Map<String, Object>) openapi.get("paths")).forEach((path, item) -> {
            for (String method : ((Map<String, Object>) item).keySet()) {
                if (Set.of("get", "post", "put", "delete", "patch").contains(method)) {
                    out.add(method.toUpperCase() + " " + path);
                }
            }
        });
        return out;
    }

    @Test
    void everyOpenapiEndpointIsListed() {
        Set<String> endpoints = openapiEndpoints();
        assertThat(endpoints).contains("POST /api/v1/payments", "GET /observe/health").hasSizeGreaterThan(8);
        assertThat(codeSpans(section("HTTP API"))).as("endpoints of the HTTP API section").containsAll(endpoints);
    }

    @Test
    void everyEndpointTheContractNamesIsInOpenapi() {
        Set<String> endpoints = openapiEndpoints();
        Set<String> paths = endpoints.stream().map(e -> e.substring(e.indexOf(' ') + 1)).collect(Collectors.toSet());
        Set<String> unknown = new TreeSet<>();
        int checked = 0;
        for (String span : codeSpans(contract)) {
            Matcher e = ENDPOINT.matcher(span);
            Matcher b = BARE_PATH.matcher(span);
            if (e.matches()) {
                checked++;
                if (!endpoints.contains(e.group(1) + " " + normalise(e.group(2)))) {
                    unknown.add(span);
                }
            } else if (b.matches()) {
                checked++;
                if (!paths.contains(normalise(b.group(1)))) {
                    unknown.add(span);
                }
            }
        }
        assertThat(checked).as("endpoints checked").isGreaterThan(10);
        assertThat(unknown).as("endpoints named in docs/contract.md that docs/openapi.yaml does not have").isEmpty();
    }

    /** {@code <merchant>} as {@code {merchant}}, no query, no trailing slash. */
    private static String normalise(String path) {
        return path.replaceAll("\\?.*$", "").replaceAll("<([^>]+)>", "{$1}").replaceAll("(.)/$", "$1");
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyHttpStatusOfOpenapiIsExplained() {
        Set<String> statuses = new TreeSet<>();
        ((Map<String, Object>) openapi.get("paths")).values().forEach(item -> ((Map<String, Object>) item).values()
                .forEach(op -> {
                    if (op instanceof Map<?, ?> m && m.get("responses") instanceof Map<?, ?> r) {
                        r.keySet().stream().map(String::valueOf).filter(k -> k.matches("[1-5][0-9][0-9]")).forEach(statuses::add);
                    }
                }));
        assertThat(statuses).contains("200", "409", "504");
        Set<String> missing = new TreeSet<>();
        for (String s : statuses) {
            if (!Pattern.compile("\\b" + s + "\\b").matcher(contract).find()) {
                missing.add(s);
            }
        }
        assertThat(missing).as("HTTP statuses of docs/openapi.yaml docs/contract.md does not mention").isEmpty();
    }

    @Test
    void everyJmsDestinationAndPropertyIsNamed() throws IllegalAccessException {
        Set<String> spans = codeSpans(section("JMS"));
        Set<String> expected = new TreeSet<>();
        for (Field f : Destinations.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                expected.add((String) f.get(null));
            }
        }
        assertThat(expected).contains("payments.requests", "payments.deliveries.DLQ").hasSizeGreaterThan(7);
        expected.add(Destinations.merchantEvents("<merchant>"));
        expected.add(Destinations.merchantResults("<merchant>"));
        expected.add(JmsEntry.INVALID_REASON);
        Set<String> missing = new TreeSet<>();
        for (String d : expected) {
            if (spans.stream().noneMatch(s -> s.equals(d) || s.equals("queue " + d) || s.equals("topic " + d))) {
                missing.add(d);
            }
        }
        assertThat(missing).as("JMS names the JMS section of docs/contract.md does not name").isEmpty();
    }

    @Test
    void theCallbackDefaultsAreTheCode() {
        String callbacks = section("callbacks");
        String schedule = MerchantProfile.DEFAULT_RETRY_SCHEDULE.stream().map(String::valueOf).collect(Collectors.joining(", "));
        assertThat(codeSpans(callbacks)).as("the default retry schedule").contains(schedule);
        assertThat(contract).contains("retrySchedule: [" + schedule + "]");
        // The signature's shape as CallbackSignature writes it.
        String header = io.paygate.delivery.CallbackSignature.header("k", 1700000000L, "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(header).matches("t=1700000000,v1=[0-9a-f]{64}");
        assertThat(codeSpans(callbacks)).contains("t=<unix seconds>,v1=<hex>", "X-Payment-Event-Id", "X-Payment-Signature");
    }

    /** The merchant profile keys in the contract's merchants.yaml are the keys MerchantsFile takes. */
    @Test
    @SuppressWarnings("unchecked")
    void theMerchantsYamlShapeIsTheOneTheGatewayReads(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve(MerchantsFile.FILE), "merchants:\n  x:\n    provider: wechat\n    zz-not-a-key: 1\n");
        Set<String> accepted = new TreeSet<>();
        assertThatThrownBy(() -> MerchantsFile.load(dir, Map.of()))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> {
                    Matcher m = Pattern.compile("expected one of ([^)]*)\\)").matcher(e.getMessage());
                    assertThat(m.find()).as(e.getMessage()).isTrue();
                    Arrays.stream(m.group(1).split(",\\s*")).forEach(accepted::add);
                });
        Set<String> modules = ProviderModules.installed().keySet();
        accepted.removeAll(modules);
        assertThat(accepted).contains("apiToken", "retrySchedule");

        Matcher block = Pattern.compile("(?s)```yaml\\n(merchants:.*?)```").matcher(contract);
        assertThat(block.find()).as("a merchants.yaml example in docs/contract.md").isTrue();
        Map<String, Object> example = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(block.group(1));
        Map<String, Object> merchants = (Map<String, Object>) example.get("merchants");
        Map<String, Object> profile = (Map<String, Object>) merchants.values().iterator().next();
        Set<String> shown = new TreeSet<>(profile.keySet());
        shown.removeAll(modules);
        assertThat(shown).as("profile keys shown in docs/contract.md").isEqualTo(accepted);
        // Each provider of the contract has its section shown (the others as comments).
        for (String provider : List.of("wechat", "pooul", "ystpay")) {
            assertThat(modules).contains(provider);
            assertThat(block.group(1)).containsPattern("(?m)^\\s*#?\\s*" + provider + ":\\s*\\{");
        }
    }
}
