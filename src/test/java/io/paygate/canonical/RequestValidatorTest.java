package io.paygate.canonical;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class RequestValidatorTest {
    /** The providers of this build (the provider modules found at start). */
    private static final java.util.Set<String> PROVIDERS = java.util.Set.of("wechat", "pooul", "ystpay");

    private static final ObjectMapper M = Json.mapper();

    private static JsonNode parse(String json) {
        try {
            return M.readTree(json);
        } catch (Exception e) {
            throw new AssertionError("test JSON does not parse", e);
        }
    }

    /** A complete, valid SCAN payment. */
    private static ObjectNode validPay() {
        return (ObjectNode) parse("""
                {"version":"1","requestId":"req-0001","merchant":"acme","provider":"wechat","operation":"PAY",
                 "orderId":"ORD_2026-11-22|a*b@c.d","amount":1250,"currency":"CNY","method":"SCAN","channel":"WECHAT",
                 "subject":"两杯咖啡","attach":"table 7","clientIp":"203.0.113.9","deviceId":"POS-1",
                 "operatorId":"op-1","storeId":"store-1",
                 "items":[{"sku":"A1","name":"latte","unitPrice":625,"quantity":2}],
                 "notifyUrl":"https://erp.example/payments/events"}
                """);
    }

    private static ObjectNode with(ObjectNode base, Consumer<ObjectNode> change) {
        ObjectNode copy = base.deepCopy();
        change.accept(copy);
        return copy;
    }

    private static List<String> fields(JsonNode tree) {
        return RequestValidator.validate(tree, PROVIDERS).stream().map(FieldError::field).toList();
    }

    private static String reasonFor(List<FieldError> errors, String field) {
        return errors.stream().filter(e -> e.field().equals(field)).map(FieldError::reason).findFirst()
                .orElseThrow(() -> new AssertionError("no error for " + field + " in " + errors));
    }

    @Test
    void validPayPassesWithNoErrors() {
        assertThat(RequestValidator.validate(validPay(), PROVIDERS)).isEmpty();
    }

    @Test
    void minimalValidRequestsOfOtherOperationsPass() {
        assertThat(RequestValidator.validate(parse(
                "{\"requestId\":\"q1\",\"merchant\":\"acme\",\"operation\":\"QUERY\",\"orderId\":\"O1\"}"), PROVIDERS)).isEmpty();
        assertThat(RequestValidator.validate(parse(
                "{\"requestId\":\"q2\",\"merchant\":\"acme\",\"operation\":\"CLOSE\",\"orderId\":\"O1\"}"), PROVIDERS)).isEmpty();
        assertThat(RequestValidator.validate(parse("{\"requestId\":\"r1\",\"merchant\":\"acme\",\"operation\":\"REFUND\","
                + "\"orderId\":\"O1\",\"refund\":{\"refundId\":\"R1\",\"amount\":100,\"reason\":\"broken cup\"}}"), PROVIDERS)).isEmpty();
        assertThat(RequestValidator.validate(parse("{\"requestId\":\"r2\",\"merchant\":\"acme\","
                + "\"operation\":\"REFUND_QUERY\",\"orderId\":\"O1\"}"), PROVIDERS)).isEmpty();
        assertThat(RequestValidator.validate(parse("{\"requestId\":\"r3\",\"merchant\":\"acme\","
                + "\"operation\":\"REFUND_QUERY\",\"orderId\":\"O1\",\"refund\":{}}"), PROVIDERS)).isEmpty();
    }

    @Test
    void everyBadFieldIsReportedAtOnceWithItsPath() {
        String longRequestId = "r".repeat(65);
        JsonNode body = parse("""
                {"requestId":"%s","merchant":"acme","operation":"PAY","orderId":"bad#id","amount":"12",
                 "method":"JSAPI","payer":{"openId":12,"nickname":"x"},
                 "items":[{"name":"a","unitPrice":100,"quantity":1},{"name":"b","unitPrice":100,"quantity":1.5}],
                 "colour":"red"}
                """.formatted(longRequestId));

        List<FieldError> errors = RequestValidator.validate(body, PROVIDERS);

        assertThat(errors).extracting(FieldError::field).containsExactlyInAnyOrder(
                "requestId", "orderId", "amount", "subject", "payer.openId", "payer.nickname", "items[1].quantity",
                "colour");
        assertThat(reasonFor(errors, "amount")).contains("not a string");
        assertThat(reasonFor(errors, "colour")).isEqualTo("unknown field");
        assertThat(reasonFor(errors, "payer.nickname")).isEqualTo("unknown field");
        assertThat(reasonFor(errors, "subject")).isEqualTo("is required");
        assertThat(reasonFor(errors, "requestId")).contains("1 to 64");
        assertThat(reasonFor(errors, "items[1].quantity")).contains("whole number");
        assertThat(reasonFor(errors, "payer.openId")).contains("string");
    }

    @Test
    void amountAsFractionIsRefused() {
        List<FieldError> errors = RequestValidator.validate(with(validPay(), r -> r.put("amount", 12.5)), PROVIDERS);
        assertThat(errors).extracting(FieldError::field).containsExactly("amount");
        assertThat(errors.get(0).reason()).contains("whole number");
    }

    @Test
    void amountAsStringIsRefusedEvenWhenItHoldsDigits() {
        assertThat(fields(with(validPay(), r -> r.put("amount", "12")))).containsExactly("amount");
    }

    @Test
    void amountMustBePositive() {
        assertThat(fields(with(validPay(), r -> r.put("amount", 0)))).containsExactly("amount");
        assertThat(fields(with(validPay(), r -> r.put("amount", -5)))).containsExactly("amount");
        assertThat(fields(with(validPay(), r -> r.put("amount", 1)))).isEmpty();
    }

    @Test
    void payRequiresAmountMethodAndSubject() {
        ObjectNode r = with(validPay(), n -> n.remove(List.of("amount", "method", "subject")));
        assertThat(fields(r)).containsExactlyInAnyOrder("amount", "method", "subject");
    }

    @Test
    void amountOutsidePayIsRefused() {
        JsonNode q = parse("{\"requestId\":\"q1\",\"merchant\":\"acme\",\"operation\":\"QUERY\",\"orderId\":\"O1\",\"amount\":5}");
        assertThat(fields(q)).containsExactly("amount");
    }

    @Test
    void requiredTopLevelFieldsAreNamed() {
        assertThat(fields(parse("{}"))).containsExactlyInAnyOrder("requestId", "merchant", "operation", "orderId");
    }

    @Test
    void requestIdOf64CharactersIsAcceptedAnd65IsNot() {
        assertThat(fields(with(validPay(), r -> r.put("requestId", "x".repeat(64))))).isEmpty();
        assertThat(fields(with(validPay(), r -> r.put("requestId", "x".repeat(65))))).containsExactly("requestId");
        assertThat(fields(with(validPay(), r -> r.put("requestId", "")))).containsExactly("requestId");
    }

    @Test
    void orderIdCharactersAndLength() {
        assertThat(fields(with(validPay(), r -> r.put("orderId", "a b")))).containsExactly("orderId");
        assertThat(fields(with(validPay(), r -> r.put("orderId", "订单1")))).containsExactly("orderId");
        assertThat(fields(with(validPay(), r -> r.put("orderId", "o".repeat(33))))).containsExactly("orderId");
        assertThat(fields(with(validPay(), r -> r.put("orderId", "o".repeat(32))))).isEmpty();
        assertThat(fields(with(validPay(), r -> r.put("orderId", "Az09_-|*@.")))).isEmpty();
    }

    @Test
    void enumsAreCheckedByExactName() {
        JsonNode query = parse("{\"requestId\":\"q1\",\"merchant\":\"acme\",\"operation\":\"query\",\"orderId\":\"O1\"}");
        assertThat(fields(query)).containsExactly("operation");
        assertThat(fields(with(validPay(), r -> r.put("method", "NATIVE")))).containsExactly("method");
        assertThat(fields(with(validPay(), r -> r.put("channel", "UNIONPAY")))).containsExactly("channel");
        assertThat(fields(with(validPay(), r -> r.put("provider", "alipay")))).containsExactly("provider");
        assertThat(fields(with(validPay(), r -> r.put("provider", "WECHAT")))).containsExactly("provider");
    }

    @Test
    void versionMustBeTheStringOne() {
        assertThat(fields(with(validPay(), r -> r.put("version", 1)))).containsExactly("version");
        assertThat(fields(with(validPay(), r -> r.put("version", "2")))).containsExactly("version");
    }

    @Test
    void microRequiresAuthCode() {
        ObjectNode micro = with(validPay(), r -> r.put("method", "MICRO"));
        List<FieldError> errors = RequestValidator.validate(micro, PROVIDERS);
        assertThat(errors).extracting(FieldError::field).containsExactly("authCode");
        assertThat(errors.get(0).reason()).isEqualTo("is required");

        assertThat(fields(with(micro, r -> r.put("authCode", "134567890123456789")))).isEmpty();
    }

    @Test
    void authCodeOutsideMicroIsRefused() {
        assertThat(fields(with(validPay(), r -> r.put("authCode", "134567890123456789")))).containsExactly("authCode");
    }

    @Test
    void jsapiAndMiniprogramRequirePayer() {
        for (String method : List.of("JSAPI", "MINIPROGRAM")) {
            ObjectNode r = with(validPay(), n -> n.put("method", method));
            assertThat(fields(r)).as(method).containsExactly("payer");
            assertThat(fields(with(r, n -> n.putObject("payer")))).as(method + " with empty payer").containsExactly("payer");
            assertThat(fields(with(r, n -> n.putObject("payer").put("openId", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"))))
                    .as(method + " with openId").isEmpty();
        }
    }

    /**
     * The validator's own message says the payer must name the buyer (openId, buyerId or
     * buyerLogonId); a payer holding only an appId names no buyer.
     */
    @Test
    void jsapiPayerWithOnlyAnAppIdNamesNoBuyer() {
        ObjectNode r = with(validPay(), n -> {
            n.put("method", "JSAPI");
            n.putObject("payer").put("appId", "wxd930ea5d5a258f4f");
        });
        assertThat(fields(r)).containsExactly("payer");
    }

    @Test
    void payerMustBeAnObject() {
        assertThat(fields(with(validPay(), r -> r.put("payer", "openid")))).containsExactly("payer");
    }

    @Test
    void refundRequiresRefundIdAndAmount() {
        JsonNode noRefund = parse("{\"requestId\":\"r1\",\"merchant\":\"acme\",\"operation\":\"REFUND\",\"orderId\":\"O1\"}");
        assertThat(fields(noRefund)).containsExactly("refund");

        JsonNode empty = parse("{\"requestId\":\"r1\",\"merchant\":\"acme\",\"operation\":\"REFUND\",\"orderId\":\"O1\","
                + "\"refund\":{}}");
        assertThat(fields(empty)).containsExactlyInAnyOrder("refund.refundId", "refund.amount");

        JsonNode bad = parse("{\"requestId\":\"r1\",\"merchant\":\"acme\",\"operation\":\"REFUND\",\"orderId\":\"O1\","
                + "\"refund\":{\"refundId\":\"R 1\",\"amount\":\"100\",\"why\":\"x\"}}");
        assertThat(fields(bad)).containsExactlyInAnyOrder("refund.refundId", "refund.amount", "refund.why");
    }

    @Test
    void refundAmountMustBePositiveWholeFen() {
        JsonNode fraction = parse("{\"requestId\":\"r1\",\"merchant\":\"acme\",\"operation\":\"REFUND\",\"orderId\":\"O1\","
                + "\"refund\":{\"refundId\":\"R1\",\"amount\":0.5}}");
        assertThat(fields(fraction)).containsExactly("refund.amount");
        JsonNode zero = parse("{\"requestId\":\"r1\",\"merchant\":\"acme\",\"operation\":\"REFUND\",\"orderId\":\"O1\","
                + "\"refund\":{\"refundId\":\"R1\",\"amount\":0}}");
        assertThat(fields(zero)).containsExactly("refund.amount");
    }

    /**
     * refund.refundId is declared 1-64 characters long (WeChat's out_refund_no is 64), but it is
     * checked with the orderId pattern, which caps it at 32 and then names the wrong reason.
     */
    @Test
    void refundIdOf40AllowedCharactersIsAccepted() {
        JsonNode r = parse("{\"requestId\":\"r1\",\"merchant\":\"acme\",\"operation\":\"REFUND\",\"orderId\":\"O1\","
                + "\"refund\":{\"refundId\":\"" + "R".repeat(40) + "\",\"amount\":100}}");
        assertThat(RequestValidator.validate(r, PROVIDERS)).isEmpty();
    }

    @Test
    void refundIsRefusedWithOtherOperations() {
        assertThat(fields(with(validPay(), r -> r.putObject("refund").put("refundId", "R1").put("amount", 1))))
                .containsExactly("refund");
    }

    @Test
    void expireAtNeedsAnOffsetAndMustBeInTheFuture() {
        String future = OffsetDateTime.now(ZoneOffset.ofHours(8)).plusHours(2).withNano(0).toString();
        assertThat(fields(with(validPay(), r -> r.put("expireAt", future)))).isEmpty();

        List<FieldError> noOffset = RequestValidator.validate(with(validPay(), r -> r.put("expireAt", "2099-11-22T09:30:00")), PROVIDERS);
        assertThat(noOffset).extracting(FieldError::field).containsExactly("expireAt");
        assertThat(noOffset.get(0).reason()).contains("offset");

        List<FieldError> past = RequestValidator.validate(with(validPay(), r -> r.put("expireAt", "2020-11-22T09:30:00+08:00")), PROVIDERS);
        assertThat(past).extracting(FieldError::field).containsExactly("expireAt");
        assertThat(past.get(0).reason()).contains("past");

        assertThat(fields(with(validPay(), r -> r.put("expireAt", 1_790_000_000L)))).containsExactly("expireAt");
    }

    @Test
    void onlyCnyIsAccepted() {
        assertThat(fields(with(validPay(), r -> r.put("currency", "USD")))).containsExactly("currency");
        assertThat(fields(with(validPay(), r -> r.put("currency", "cny")))).containsExactly("currency");
        assertThat(fields(with(validPay(), r -> r.put("currency", "RMB")))).containsExactly("currency");
    }

    @Test
    void clientIpMustBeAnAddress() {
        for (String bad : List.of("localhost", "256.1.1.1", "1.2.3", "1.2.3.4.5", "10.0.0.1 ")) {
            assertThat(fields(with(validPay(), r -> r.put("clientIp", bad)))).as(bad).containsExactly("clientIp");
        }
        for (String good : List.of("127.0.0.1", "255.255.255.255", "2001:db8::1", "::1")) {
            assertThat(fields(with(validPay(), r -> r.put("clientIp", good)))).as(good).isEmpty();
        }
    }

    /** The IPv6 branch only checks the character set: these are no addresses. */
    @Test
    void clientIpThatOnlyLooksLikeIpv6IsRefused() {
        for (String bad : List.of("abc:def", "::::::", "1:2")) {
            assertThat(fields(with(validPay(), r -> r.put("clientIp", bad)))).as(bad).containsExactly("clientIp");
        }
    }

    @Test
    void itemsArePathedByIndex() {
        JsonNode r = with(validPay(), n -> {
            var items = n.putArray("items");
            items.addObject().put("name", "ok").put("unitPrice", 1).put("quantity", 1);
            items.addObject().put("unitPrice", "1").put("quantity", 0).put("colour", "red");
            items.add("not an object");
        });
        assertThat(fields(r)).containsExactlyInAnyOrder("items[1].name", "items[1].unitPrice", "items[1].quantity",
                "items[1].colour", "items[2]");
        assertThat(fields(with(validPay(), n -> n.put("items", "x")))).containsExactly("items");
    }

    @Test
    void lengthsOfFreeText() {
        assertThat(fields(with(validPay(), r -> r.put("subject", "s".repeat(128))))).isEmpty();
        assertThat(fields(with(validPay(), r -> r.put("subject", "s".repeat(129))))).containsExactly("subject");
        // Counted in characters, not bytes or UTF-16 units.
        assertThat(fields(with(validPay(), r -> r.put("subject", "咖".repeat(128))))).isEmpty();
        assertThat(fields(with(validPay(), r -> r.put("attach", "a".repeat(127))))).isEmpty();
        assertThat(fields(with(validPay(), r -> r.put("attach", "a".repeat(128))))).containsExactly("attach");
        assertThat(fields(with(validPay(), r -> r.put("subject", "line\nbreak")))).containsExactly("subject");
    }

    @Test
    void wrongTypesAreNamed() {
        assertThat(fields(with(validPay(), r -> r.put("subject", 5)))).containsExactly("subject");
        assertThat(fields(with(validPay(), r -> r.put("merchant", true)))).containsExactly("merchant");
        assertThat(fields(with(validPay(), r -> r.putNull("attach")))).containsExactly("attach");
    }

    @Test
    void h5AndNotifyUrl() {
        assertThat(fields(with(validPay(), r -> r.putObject("h5").put("type", "WAP").put("redirectUrl", "https://m.example/x"))))
                .isEmpty();
        assertThat(fields(with(validPay(), r -> r.putObject("h5").put("type", "wap").put("redirectUrl", "ftp://x/y").put("z", 1))))
                .containsExactlyInAnyOrder("h5.type", "h5.redirectUrl", "h5.z");
        assertThat(fields(with(validPay(), r -> r.put("notifyUrl", "javascript:alert(1)")))).containsExactly("notifyUrl");
        assertThat(fields(with(validPay(), r -> r.put("notifyUrl", "erp.example/x")))).containsExactly("notifyUrl");
    }

    @Test
    void nonObjectBodyIsOneErrorOnTheBody() {
        for (String body : List.of("[]", "\"PAY\"", "12", "null")) {
            List<FieldError> errors = RequestValidator.validate(parse(body), PROVIDERS);
            assertThat(errors).as(body).extracting(FieldError::field).containsExactly("(body)");
        }
        assertThat(RequestValidator.validate(null, PROVIDERS)).extracting(FieldError::field).containsExactly("(body)");
    }
}
