package io.paygate.provider.wechat;

import io.paygate.provider.ProviderCall;
import io.paygate.provider.ProviderCalls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.Operation;
import io.paygate.canonical.PayMethod;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult;
import io.paygate.canonical.PaymentStatus;
import io.paygate.config.MerchantProfile;
import io.paygate.provider.AnswerRejected;
import io.paygate.xml.HardenedXml;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The WeChat answer steps of the PAY flow: the data format verifies the raw answer and binds it,
 * then the mapper maps the verified answer.
 */
class WechatAnswerTest {
    /** WeChat's public documentation key, not a credential. */
    private static final String KEY = "192006250b4c09247ec02edce69f6a2d";
    private static final String APPID = "wxd930ea5d5a258f4f";
    private static final String MCH = "10000100";

    private final WechatConnector connector = new WechatConnector("https://pay.example", "127.0.0.1");
    private final WechatAnswerFormat<UnifiedOrderAnswer> format = new WechatAnswerFormat<>(UnifiedOrderAnswer.class);

    private ProviderCall call(String signType) {
        return call(signType, null);
    }

    private ProviderCall call(String signType, String subMchId) {
        PaymentRequest request = new PaymentRequest("1", "req-1", "acme", "wechat", Operation.PAY, "ORD-1", 1250L,
                null, PayMethod.SCAN, null, "coffee", "table 7", null, null, null, null, null, null, null, "store-1", null,
                null, null);
        MerchantProfile profile = new MerchantProfile("acme", "wechat", "token-acme-0123456789", null, null,
                List.of(), MerchantProfile.DEFAULT_RETRY_SCHEDULE, java.util.Map.of("wechat", MerchantProfile.Section.of(new io.paygate.provider.wechat.WechatSettings(
                        "https://api.mch.weixin.qq.com", APPID, MCH, KEY, signType, subMchId, null, null, null, null, null))));
        return ProviderCalls.standalone(connector, request, profile, request.operation(), null);
    }

    private static Map<String, String> answer(String resultCode, String errCode) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("return_code", "SUCCESS");
        f.put("return_msg", "OK");
        f.put("appid", APPID);
        f.put("mch_id", MCH);
        f.put("nonce_str", "IITRi8Iabbblz1Jc");
        f.put("result_code", resultCode);
        if (errCode != null) {
            f.put("err_code", errCode);
            f.put("err_code_des", "描述 " + errCode);
        } else {
            f.put("trade_type", "NATIVE");
            f.put("prepay_id", "wx201411101639507cbf6ffd8b0779950874");
            f.put("code_url", "weixin://wxpay/bizpayurl?pr=8xK2mQz");
        }
        return f;
    }

    private static String signedXml(Map<String, String> f, String signType) {
        Map<String, String> copy = new LinkedHashMap<>(f);
        copy.put("sign", WechatSigner.sign(copy, KEY, signType));
        return HardenedXml.writeFlat("xml", copy);
    }

    private PaymentResult payResult(Map<String, String> fields) {
        ProviderCall call = call(WechatSigner.MD5);
        return connector.payResult(format.verify(signedXml(fields, WechatSigner.MD5).getBytes(StandardCharsets.UTF_8), call),
                call);
    }

    private AnswerRejected verifyFails(String xml, String signType) {
        ProviderCall call = call(signType);
        return catchThrowableOfType(AnswerRejected.class, () -> format.verify(xml.getBytes(StandardCharsets.UTF_8), call));
    }

    @Test
    void signedAnswerIsVerifiedAndBoundWithItsFieldsKept() {
        Map<String, String> f = answer("SUCCESS", null);
        f.put("coupon_fee_0", "1");
        byte[] raw = signedXml(f, WechatSigner.HMAC_SHA256).getBytes(StandardCharsets.UTF_8);

        WechatVerified<UnifiedOrderAnswer> verified = format.verify(raw, call(WechatSigner.HMAC_SHA256));

        assertThat(verified.fields()).containsEntry("coupon_fee_0", "1")
                .containsEntry("code_url", "weixin://wxpay/bizpayurl?pr=8xK2mQz");
        assertThat(verified.answer().getCodeUrl()).isEqualTo("weixin://wxpay/bizpayurl?pr=8xK2mQz");
        assertThat(verified.answer().getPrepayId()).isEqualTo("wx201411101639507cbf6ffd8b0779950874");
        assertThat(verified.answer().getReturnCode()).isEqualTo("SUCCESS");
    }

    @Test
    void tamperedAnswerIsSignatureInvalid() {
        String xml = signedXml(answer("SUCCESS", null), WechatSigner.MD5).replace("pr=8xK2mQz", "pr=evil");
        AnswerRejected e = verifyFails(xml, WechatSigner.MD5);
        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.SIGNATURE_INVALID);
    }

    @Test
    void answerSignedWithTheWeakerTypeIsRefused() {
        // the merchant is configured for HMAC-SHA256; an answer claiming MD5 must not downgrade it
        Map<String, String> f = answer("SUCCESS", null);
        f.put("sign_type", "MD5");
        AnswerRejected e = verifyFails(signedXml(f, WechatSigner.MD5), WechatSigner.HMAC_SHA256);
        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.SIGNATURE_INVALID);
    }

    @Test
    void answerForAnotherMerchantIsRefused() {
        Map<String, String> f = answer("SUCCESS", null);
        f.put("mch_id", "10000999");
        AnswerRejected e = verifyFails(signedXml(f, WechatSigner.MD5), WechatSigner.MD5);
        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.SIGNATURE_INVALID);
    }

    @Test
    void serviceProviderAnswerForAnotherSubMerchantIsRefused() {
        // one service-provider key signs every sub-merchant's answers: only sub_mch_id tells them apart
        Map<String, String> own = answer("SUCCESS", null);
        own.put("sub_mch_id", "1900000109");
        byte[] ownRaw = signedXml(own, WechatSigner.MD5).getBytes(StandardCharsets.UTF_8);
        assertThat(format.verify(ownRaw, call(WechatSigner.MD5, "1900000109")).fields()).containsEntry("sub_mch_id", "1900000109");

        for (String other : new String[] {"1900000999", null}) {
            Map<String, String> f = answer("SUCCESS", null);
            if (other != null) {
                f.put("sub_mch_id", other);
            }
            ProviderCall call = call(WechatSigner.MD5, "1900000109");
            AnswerRejected e = catchThrowableOfType(AnswerRejected.class,
                    () -> format.verify(signedXml(f, WechatSigner.MD5).getBytes(StandardCharsets.UTF_8), call));
            assertThat(e).as("sub_mch_id %s", other).isNotNull();
            assertThat(e.code()).isEqualTo(ErrorCode.SIGNATURE_INVALID);
        }
    }

    @Test
    void answerNamingAnotherOrderIsRefused() {
        Map<String, String> f = answer("SUCCESS", null);
        f.put("out_trade_no", "ORD-2");
        AnswerRejected e = verifyFails(signedXml(f, WechatSigner.MD5), WechatSigner.MD5);
        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.SIGNATURE_INVALID);

        f.put("out_trade_no", "ORD-1");
        ProviderCall call = call(WechatSigner.MD5);
        assertThat(format.verify(signedXml(f, WechatSigner.MD5).getBytes(StandardCharsets.UTF_8), call).fields())
                .containsEntry("out_trade_no", "ORD-1");
    }

    @Test
    void xxeAnswerIsRefusedUnread() {
        AnswerRejected e = verifyFails("<!DOCTYPE xml [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><xml><return_code>&x;"
                + "</return_code></xml>", WechatSigner.MD5);
        assertThat(e).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.SIGNATURE_INVALID);
        assertThat(e.getMessage()).doesNotContain("/etc/passwd");
    }

    @Test
    void unsignedFailAnswerIsNotRefused() {
        WechatVerified<UnifiedOrderAnswer> verified = format.verify(
                "<xml><return_code><![CDATA[FAIL]]></return_code><return_msg><![CDATA[签名错误]]></return_msg></xml>"
                        .getBytes(StandardCharsets.UTF_8), call(WechatSigner.MD5));
        assertThat(verified.fields()).containsEntry("return_code", "FAIL");
        assertThat(verified.answer().getReturnMsg()).isEqualTo("签名错误");
    }

    @Test
    void successfulUnifiedOrderIsNotPayWithTheQrCode() {
        PaymentResult r = payResult(answer("SUCCESS", null));
        assertThat(r.status()).isEqualTo(PaymentStatus.NOTPAY);
        assertThat(r.error()).isNull();
        assertThat(r.action().codeUrl()).isEqualTo("weixin://wxpay/bizpayurl?pr=8xK2mQz");
        assertThat(r.action().prepayId()).isEqualTo("wx201411101639507cbf6ffd8b0779950874");
        assertThat(r.amount()).isEqualTo(1250L);
        assertThat(r.orderId()).isEqualTo("ORD-1");
        assertThat(r.attach()).isEqualTo("table 7");
    }

    @Test
    void errorsAfterWhichThePaymentMayHaveHappenedLeaveItUnknown() {
        for (String code : List.of("SYSTEMERROR", "BIZERR_NEED_RETRY", "ORDERPAID", "SOME_NEW_CODE")) {
            PaymentResult r = payResult(answer("FAIL", code));
            assertThat(r.status()).as(code).isEqualTo(PaymentStatus.UNKNOWN);
            assertThat(r.error().providerCode()).as(code).isEqualTo(code);
        }
    }

    /**
     * OUT_TRADE_NO_USED, ORDERCLOSED and ORDERREVERSED say the order number already exists at WeChat
     * Pay in some state. PAYERROR is final in the ledger (nothing may follow it), so answering it
     * would make a PAYMENT_FAILED event for an order that may be paid and let no later QUERY correct
     * it.
     */
    @Test
    void anAnswerAboutAnExistingOrderIsNoPaymentFailure() {
        Map<String, List<PaymentStatus>> acceptable = Map.of(
                "OUT_TRADE_NO_USED", List.of(PaymentStatus.UNKNOWN),
                "ORDERCLOSED", List.of(PaymentStatus.UNKNOWN, PaymentStatus.CLOSED),
                "ORDERREVERSED", List.of(PaymentStatus.UNKNOWN, PaymentStatus.REVOKED));
        for (Map.Entry<String, List<PaymentStatus>> e : acceptable.entrySet()) {
            PaymentResult r = payResult(answer("FAIL", e.getKey()));
            assertThat(r.status()).as(e.getKey()).isIn(e.getValue());
        }
    }
}
