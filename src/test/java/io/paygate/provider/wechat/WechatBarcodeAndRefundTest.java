package io.paygate.provider.wechat;

import io.paygate.provider.OrderSnapshot;
import io.paygate.provider.ProviderCall;
import io.paygate.provider.ProviderCalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.Operation;
import io.paygate.canonical.PayMethod;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult;
import io.paygate.canonical.PaymentResult.RefundInfo;
import io.paygate.canonical.PaymentStatus;
import io.paygate.config.MerchantProfile;
import io.paygate.provider.AnswerRejected;
import io.paygate.xml.HardenedXml;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** MICRO, REVERSE, REFUND and REFUND_QUERY: request fields and answer mapping, without the routes. */
class WechatBarcodeAndRefundTest {
    /** WeChat's public documentation key, not a credential. */
    private static final String KEY = "192006250b4c09247ec02edce69f6a2d";
    private static final String APPID = "wxd930ea5d5a258f4f";
    private static final String MCH = "10000100";

    private final WechatConnector connector = new WechatConnector("https://pay.example", "127.0.0.1", 3);
    private final WechatRefundCalls refunds = new WechatRefundCalls(connector);

    private ProviderCall call(Operation op, PayMethod method, String authCode, PaymentRequest.Refund refund) {
        PaymentRequest request = new PaymentRequest("1", "req-1", "acme", "wechat", op, "ORD-1",
                op == Operation.PAY ? 1250L : null, null, method, null, op == Operation.PAY ? "coffee" : null, null,
                null, authCode, null, null, null, "POS-7", null, "store-1", null, null, refund);
        MerchantProfile profile = new MerchantProfile("acme", "wechat", "token-acme-0123456789", null, null,
                List.of(), MerchantProfile.DEFAULT_RETRY_SCHEDULE, java.util.Map.of("wechat", MerchantProfile.Section.of(new io.paygate.provider.wechat.WechatSettings(
                        "https://api.mch.weixin.qq.com", APPID, MCH, KEY, "MD5", null, null, "/nonexistent.p12", MCH,
                        null, null))));
        return ProviderCalls.standalone(connector, request, profile, request.operation(), null);
    }

    /** The same call, about an order the ledger knows. */
    private ProviderCall withOrder(ProviderCall call, OrderSnapshot order) {
        return ProviderCalls.standalone(connector, call.request(), call.profile(), call.operation(), order);
    }

    /** The test's own MD5 of WeChat's signature string, independent of WechatSigner. */
    private static String md5Sign(Map<String, String> fields) throws Exception {
        StringBuilder s = new StringBuilder();
        for (Map.Entry<String, String> e : new TreeMap<>(fields).entrySet()) {
            if (!e.getKey().equals("sign") && e.getValue() != null && !e.getValue().isEmpty()) {
                s.append(e.getKey()).append('=').append(e.getValue()).append('&');
            }
        }
        s.append("key=").append(KEY);
        return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("MD5")
                .digest(s.toString().getBytes(StandardCharsets.UTF_8)));
    }

    private static Map<String, String> ok() {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("return_code", "SUCCESS");
        f.put("return_msg", "OK");
        f.put("appid", APPID);
        f.put("mch_id", MCH);
        f.put("nonce_str", "IITRi8Iabbblz1Jc");
        f.put("result_code", "SUCCESS");
        return f;
    }

    private static Map<String, String> failed(String errCode) {
        Map<String, String> f = ok();
        f.put("result_code", "FAIL");
        f.put("err_code", errCode);
        f.put("err_code_des", "描述");
        return f;
    }

    private static byte[] signed(Map<String, String> f) throws Exception {
        Map<String, String> copy = new LinkedHashMap<>(f);
        copy.put("sign", md5Sign(copy));
        return HardenedXml.writeFlat("xml", copy).getBytes(StandardCharsets.UTF_8);
    }

    /** The answer as the operation's data format passes it on: verified, then bound. */
    private static <T extends WechatAnswer> WechatVerified<T> verified(byte[] xml, Class<T> type, ProviderCall call) {
        return new WechatAnswerFormat<>(type).verify(xml, call);
    }

    private PaymentResult micro(Map<String, String> answer) throws Exception {
        ProviderCall call = call(Operation.PAY, PayMethod.MICRO, "134567890123456789", null);
        return connector.microResult(verified(signed(answer), MicropayAnswer.class, call), call);
    }

    @Test
    void micropayRequestCarriesTheBarcodeAndStoreAndIsSigned() throws Exception {
        ProviderCall ex = call(Operation.PAY, PayMethod.MICRO, "134567890123456789", null);
        Map<String, String> sent = HardenedXml.parseFlat(connector.micropay(ex).getBytes(StandardCharsets.UTF_8), "xml");
        assertThat(sent).containsEntry("auth_code", "134567890123456789").containsEntry("out_trade_no", "ORD-1")
                .containsEntry("total_fee", "1250").containsEntry("device_info", "POS-7")
                .containsEntry("scene_info", "{\"store_info\":{\"id\":\"store-1\"}}").doesNotContainKey("notify_url")
                .doesNotContainKey("trade_type");
        assertThat(sent.get("sign")).isEqualTo(md5Sign(sent));
    }

    @Test
    void micropayOutcomes() throws Exception {
        Map<String, String> paid = ok();
        paid.put("transaction_id", "4200000001");
        paid.put("total_fee", "1250");
        paid.put("cash_fee", "1200");
        paid.put("coupon_fee", "50");
        paid.put("time_end", "20261122093000");
        PaymentResult success = micro(paid);
        assertThat(success.status()).isEqualTo(PaymentStatus.SUCCESS);
        assertThat(success.providerTradeId()).isEqualTo("4200000001");
        assertThat(success.paidAmount()).isEqualTo(1200);
        assertThat(success.couponAmount()).isEqualTo(50);
        assertThat(success.paidAt()).isEqualTo("2026-11-22T09:30:00+08:00");
        assertThat(success.error()).isNull();

        PaymentResult paying = micro(failed("USERPAYING"));
        assertThat(paying.status()).isEqualTo(PaymentStatus.USERPAYING);
        assertThat(paying.error()).isNull();

        PaymentResult systemError = micro(failed("SYSTEMERROR"));
        assertThat(systemError.status()).isEqualTo(PaymentStatus.UNKNOWN);
        assertThat(systemError.error().retryable()).isTrue();
        assertThat(systemError.error().providerCode()).isEqualTo("SYSTEMERROR");

        PaymentResult badCode = micro(failed("AUTH_CODE_INVALID"));
        assertThat(badCode.status()).isEqualTo(PaymentStatus.PAYERROR);
        assertThat(badCode.error().code()).isEqualTo(ErrorCode.AUTH_CODE_INVALID);
        assertThat(micro(failed("NOTENOUGH")).error().code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);
        assertThat(micro(failed("BANKERROR")).status()).isEqualTo(PaymentStatus.UNKNOWN);
        assertThat(micro(failed("ORDERREVERSED")).status()).isEqualTo(PaymentStatus.REVOKED);
    }

    /** One pass of wechat-reverse-once: request, then the verified answer mapped. */
    private PaymentResult reverse(ProviderCall call, Map<String, String> answer) throws Exception {
        connector.reverse(call);
        return connector.reverseResult(verified(signed(answer), ReverseAnswer.class, call), call);
    }

    @Test
    void reverseCallsAgainWhileWechatSaysRecallUpToTheLimit() throws Exception {
        ProviderCall ex = withOrder(call(Operation.REVERSE, null, null, null), new OrderSnapshot(1250L, "4200000001", "MICRO"));
        assertThat(connector.reverseAgain(ex)).as("no answer yet: the route's first call is not a repeat").isFalse();
        Map<String, String> recall = failed("SYSTEMERROR");
        recall.put("recall", "Y");
        PaymentResult first = reverse(ex, recall);
        assertThat(connector.reverseAgain(ex)).isTrue();
        assertThat(first.status()).isNull();
        assertThat(first.error().retryable()).isTrue();
        reverse(ex, recall);
        assertThat(connector.reverseAgain(ex)).isTrue();
        PaymentResult third = reverse(ex, recall);
        assertThat(connector.reverseAgain(ex)).as("3 calls is the limit").isFalse();
        assertThat(third.error().message()).contains("after 3 calls");

        ProviderCall again = call(Operation.REVERSE, null, null, null);
        Map<String, String> done = ok();
        done.put("recall", "N");
        PaymentResult revoked = reverse(again, done);
        assertThat(revoked.status()).isEqualTo(PaymentStatus.REVOKED);
        assertThat(connector.reverseAgain(again)).isFalse();
        Map<String, String> sent = HardenedXml.parseFlat(connector.reverse(ex).getBytes(StandardCharsets.UTF_8), "xml");
        assertThat(sent).containsEntry("transaction_id", "4200000001").containsEntry("out_trade_no", "ORD-1");
        assertThat(sent.get("sign")).isEqualTo(md5Sign(sent));

        Map<String, String> notThere = failed("ORDERNOTEXIST");
        notThere.put("recall", "N");
        ProviderCall third2 = call(Operation.REVERSE, null, null, null);
        assertThat(reverse(third2, notThere).error().code()).isEqualTo(ErrorCode.ORDER_NOT_FOUND);
        assertThat(connector.reverseAgain(third2)).isFalse();
    }

    @Test
    void refundRequestUsesTheRefundIdAndTheStoredOrderTotal() throws Exception {
        ProviderCall ex = withOrder(call(Operation.REFUND, null, null, new PaymentRequest.Refund("RF-1", 300L, "broken cup")),
                new OrderSnapshot(1250L, null, "SCAN"));
        Map<String, String> sent = HardenedXml.parseFlat(refunds.refund(ex).getBytes(StandardCharsets.UTF_8), "xml");
        assertThat(sent).containsEntry("out_trade_no", "ORD-1").containsEntry("out_refund_no", "RF-1")
                .containsEntry("total_fee", "1250").containsEntry("refund_fee", "300")
                .containsEntry("refund_desc", "broken cup").containsEntry("notify_url", "https://pay.example/notify/wechat/acme");
        assertThat(sent.get("sign")).isEqualTo(md5Sign(sent));
    }

    private PaymentResult throughVerification(ProviderCall call, Map<String, String> answer, boolean query) throws Exception {
        return query ? refunds.refundQueryResult(verified(signed(answer), RefundQueryAnswer.class, call), call)
                : refunds.refundResult(verified(signed(answer), RefundAnswer.class, call), call);
    }

    @Test
    void acceptedRefundIsProcessingWithWechatsRefundId() throws Exception {
        ProviderCall ex = call(Operation.REFUND, null, null, new PaymentRequest.Refund("RF-1", 300L, null));
        Map<String, String> a = ok();
        a.put("transaction_id", "4200000001");
        a.put("out_trade_no", "ORD-1");
        a.put("out_refund_no", "RF-1");
        a.put("refund_id", "50000000001");
        a.put("refund_fee", "300");
        a.put("cash_refund_fee", "300");
        PaymentResult r = throughVerification(ex, a, false);
        assertThat(r.refunds()).containsExactly(new RefundInfo("RF-1", "50000000001", 300L, "PROCESSING", null));
        assertThat(r.error()).isNull();

        ProviderCall refused = call(Operation.REFUND, null, null, new PaymentRequest.Refund("RF-2", 300L, null));
        PaymentResult notEnough = throughVerification(refused, failed("NOTENOUGH"), false);
        assertThat(notEnough.refunds()).isNull();
        assertThat(notEnough.error().code()).isEqualTo(ErrorCode.INSUFFICIENT_FUNDS);

        ProviderCall other = call(Operation.REFUND, null, null, new PaymentRequest.Refund("RF-3", 300L, null));
        assertThat(catchThrowableOfType(AnswerRejected.class, () -> throughVerification(other, a, false))).isNotNull();
    }

    @Test
    void refundQueryReadsEveryIndexedRefundAndStillVerifiesUnknownFields() throws Exception {
        ProviderCall ex = call(Operation.REFUND_QUERY, null, null, null);
        Map<String, String> a = ok();
        a.put("transaction_id", "4200000001");
        a.put("out_trade_no", "ORD-1");
        a.put("total_fee", "1250");
        a.put("refund_count", "3");
        String[][] rows = {
            {"RF-1", "5001", "300", "SUCCESS", "2026-11-22 09:40:00"},
            {"RF-2", "5002", "200", "PROCESSING", null},
            {"RF-3", "5003", "100", "REFUNDCLOSE", null}};
        for (int i = 0; i < rows.length; i++) {
            a.put("out_refund_no_" + i, rows[i][0]);
            a.put("refund_id_" + i, rows[i][1]);
            a.put("refund_fee_" + i, rows[i][2]);
            a.put("refund_status_" + i, rows[i][3]);
            if (rows[i][4] != null) {
                a.put("refund_success_time_" + i, rows[i][4]);
            }
            a.put("refund_channel_" + i, "ORIGINAL");
        }
        a.put("a_field_from_2030", "still signed");
        PaymentResult r = throughVerification(ex, a, true);
        assertThat(r.refunds()).containsExactly(
                new RefundInfo("RF-1", "5001", 300L, "SUCCESS", "2026-11-22T09:40:00+08:00"),
                new RefundInfo("RF-2", "5002", 200L, "PROCESSING", null),
                new RefundInfo("RF-3", "5003", 100L, "FAILED", null));
        assertThat(WechatRefundCalls.status("CHANGE")).isEqualTo("FAILED");

        Map<String, String> tampered = new LinkedHashMap<>(a);
        byte[] raw = signed(tampered);
        String original = new String(raw, StandardCharsets.UTF_8);
        String forged = original.replace("PROCESSING", "SUCCESS");
        assertThat(forged).isNotEqualTo(original);
        ProviderCall ex2 = call(Operation.REFUND_QUERY, null, null, null);
        assertThat(catchThrowableOfType(AnswerRejected.class,
                () -> verified(forged.getBytes(StandardCharsets.UTF_8), RefundQueryAnswer.class, ex2)).code())
                .isEqualTo(ErrorCode.SIGNATURE_INVALID);

        ProviderCall missing = call(Operation.REFUND_QUERY, null, null, new PaymentRequest.Refund("RF-9", null, null));
        Map<String, String> sentByRefund = HardenedXml.parseFlat(refunds.refundQuery(missing).getBytes(StandardCharsets.UTF_8), "xml");
        assertThat(sentByRefund).containsEntry("out_refund_no", "RF-9").doesNotContainKey("out_trade_no");
        assertThat(throughVerification(missing, failed("REFUNDNOTEXIST"), true).error().code())
                .isEqualTo(ErrorCode.REFUND_NOT_FOUND);
    }
}
