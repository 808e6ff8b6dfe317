package io.paygate.canonical;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class JsonTest {
    private static final ObjectMapper M = Json.mapper();

    private static String hash(String json) throws JsonProcessingException {
        return Json.contentHash(M, M.readTree(json));
    }

    @Test
    void sameContentInAnotherKeyOrderAndWhitespaceHashesTheSame() throws Exception {
        String a = "{\"requestId\":\"r1\",\"amount\":100,\"payer\":{\"openId\":\"o1\",\"appId\":\"wx1\"},"
                + "\"items\":[{\"name\":\"a\",\"quantity\":1},{\"name\":\"b\",\"quantity\":2}]}";
        String b = "{\n  \"items\" : [ { \"quantity\" : 1, \"name\" : \"a\" }, {\"quantity\":2,\"name\":\"b\"} ],\n"
                + "  \"payer\" : {\"appId\":\"wx1\", \"openId\":\"o1\"},\n\t\"amount\" : 100 ,\"requestId\":\"r1\"\n}\n";
        assertThat(hash(a)).isEqualTo(hash(b));
        assertThat(hash(a)).matches("[0-9a-f]{64}");
    }

    @Test
    void anotherValueHashesDifferently() throws Exception {
        String base = hash("{\"requestId\":\"r1\",\"amount\":100,\"payer\":{\"openId\":\"o1\"}}");
        assertThat(hash("{\"requestId\":\"r1\",\"amount\":101,\"payer\":{\"openId\":\"o1\"}}")).isNotEqualTo(base);
        assertThat(hash("{\"requestId\":\"r1\",\"amount\":100,\"payer\":{\"openId\":\"o2\"}}")).isNotEqualTo(base);
        assertThat(hash("{\"requestId\":\"r1\",\"amount\":\"100\",\"payer\":{\"openId\":\"o1\"}}")).isNotEqualTo(base);
        assertThat(hash("{\"requestId\":\"r1\",\"amount\":100,\"payer\":{\"openId\":\"o1\"},\"attach\":\"x\"}"))
                .isNotEqualTo(base);
        assertThat(hash("{\"requestId\":\"r1\",\"amount\":100}")).isNotEqualTo(base);
    }

    @Test
    void listOrderIsContent() throws Exception {
        assertThat(hash("{\"items\":[{\"name\":\"a\"},{\"name\":\"b\"}]}"))
                .isNotEqualTo(hash("{\"items\":[{\"name\":\"b\"},{\"name\":\"a\"}]}"));
    }

    @Test
    void hashIsStableAcrossMapperInstances() throws Exception {
        JsonNode tree = M.readTree("{\"b\":1,\"a\":{\"d\":2,\"c\":3}}");
        assertThat(Json.contentHash(Json.mapper(), tree)).isEqualTo(Json.contentHash(M, tree));
    }

    @Test
    void duplicateKeysAreRefused() {
        assertThatThrownBy(() -> M.readTree("{\"amount\":1,\"amount\":100000}"))
                .isInstanceOf(JsonProcessingException.class).hasMessageContaining("Duplicate field 'amount'");
        assertThatThrownBy(() -> M.readTree("{\"payer\":{\"openId\":\"a\",\"openId\":\"b\"}}"))
                .isInstanceOf(JsonProcessingException.class).hasMessageContaining("Duplicate field 'openId'");
        assertThatThrownBy(() -> M.readValue("{\"requestId\":\"a\",\"requestId\":\"b\"}", PaymentRequest.class))
                .isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void trailingTokensAndUnknownPropertiesAreRefused() {
        assertThatThrownBy(() -> M.readValue("{\"requestId\":\"a\"} {\"requestId\":\"b\"}", PaymentRequest.class))
                .isInstanceOf(JsonProcessingException.class);
        assertThatThrownBy(() -> M.readValue("{\"requestId\":\"a\",\"colour\":\"red\"}", PaymentRequest.class))
                .isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void nullsAreLeftOutOfOutput() throws Exception {
        PaymentResult r = PaymentResult.builder().requestId("r1").merchant("acme").status(PaymentStatus.NOTPAY).build();
        assertThat(M.writeValueAsString(r)).isEqualTo("{\"requestId\":\"r1\",\"merchant\":\"acme\",\"status\":\"NOTPAY\"}");
    }
}
