package io.paygate.provider.ystpay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.paygate.canonical.Channel;
import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.Operation;
import io.paygate.canonical.PayMethod;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult;
import io.paygate.canonical.PaymentStatus;
import io.paygate.config.MerchantProfile;
import io.paygate.provider.AnswerRejected;
import io.paygate.provider.CallRefused;
import io.paygate.provider.ProviderCall;
import io.paygate.provider.ProviderCalls;
import io.paygate.provider.ystpay.YstpayNumbers.Missing;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The connector's typed steps on a {@link ProviderCall} (the store's numbers as a note, requests
 * refused with nothing sent, the route of each operation) and the data format's checks.
 */
class YstpayCallTest {
    private static final YstpaySettings SETTINGS = YstpayCryptoTest.settings("first16", "zero", "upper");
    private static final YstpayKeys KEYS = YstpayKeys.of(SETTINGS);
    private static final MerchantProfile PROFILE = new MerchantProfile("shop", "ystpay", "token-token-token-1", null, null,
            List.of(), MerchantProfile.DEFAULT_RETRY_SCHEDULE, Map.of("ystpay", MerchantProfile.Section.of(SETTINGS)));
    private final YstpayConnector connector = new YstpayConnector(Clock.systemUTC());
    private final YstpayAnswerFormat format = new YstpayAnswerFormat();

    private ProviderCall call(Operation op, PayMethod method) {
        PaymentRequest r = new PaymentRequest("1", "req-1", "shop", "ystpay", op, "ORD-1", op == Operation.PAY ? 100L : null,
                null, method, Channel.WECHAT, "coffee", null, null, method == PayMethod.MICRO ? "134567890123456789" : null,
                null, null, null, null, null, null, null, null,
                op == Operation.REFUND || op == Operation.REFUND_QUERY ? new PaymentRequest.Refund("RF-1", 40L, null) : null);
        return ProviderCalls.standalone(connector, r, PROFILE, op, null);
    }

    private static YstpayNumbers about(String reqSeq, String oriSeq, boolean barcode, String transSeq) {
        return new YstpayNumbers(reqSeq, oriSeq, barcode, Channel.ALIPAY, transSeq, null, null, null, null);
    }

    /** What the request builder sealed: the decrypted {@code <data>}. */
    private static Map<String, String> sent(String envelope) {
        Map<String, String> outer = io.paygate.xml.HardenedXml.parseFlat(envelope.getBytes(StandardCharsets.UTF_8), "request");
        return YstpayEnvelope.decryptData(outer.get("data"), KEYS.requestKey(), KEYS.requestIv(), KEYS);
    }

    private static byte[] answer(String data) {
        String encrypted = YstpayCipher.encrypt(data, KEYS.answerKey(), KEYS.answerIv(), KEYS.padding());
        return YstpayCryptoTest.answer("1", encrypted, YstpaySigner.answerSignature(KEYS.dsn(), "1", encrypted));
    }

    @Test
    void eachOperationHasItsRoute() {
        assertThat(call(Operation.PAY, PayMethod.MICRO).route()).isEqualTo("direct:ystpay-barcode-pay");
        assertThat(call(Operation.PAY, PayMethod.SCAN).route()).isEqualTo("direct:ystpay-native-pay");
        assertThat(call(Operation.PAY, PayMethod.JSAPI).route()).isEqualTo("direct:ystpay-js-pay");
        assertThat(call(Operation.PAY, PayMethod.H5).route()).isEqualTo("direct:ystpay-h5-pay");
        assertThat(call(Operation.QUERY, null).route()).isEqualTo("direct:ystpay-query");
        assertThat(call(Operation.PAY, PayMethod.MICRO).as(Operation.QUERY).route()).isEqualTo("direct:ystpay-query");
        assertThat(call(Operation.REFUND, null).route()).isEqualTo("direct:ystpay-refund");
        assertThat(call(Operation.REFUND_QUERY, null).route()).isEqualTo("direct:ystpay-refund-query");
        assertThat(call(Operation.REVERSE, null).route()).isEqualTo("direct:ystpay-revoke");
        // Every Ystpay call goes to the merchant's unitive.api URL itself.
        assertThat(call(Operation.QUERY, null).endpoint("")).startsWith(SETTINGS.baseUrl() + "?throwExceptionOnFailure=false&");
    }

    @Test
    void theQueryRequestTypeFollowsTheStoresBarcodeFlag() {
        ProviderCall barcode = call(Operation.QUERY, null);
        barcode.note(YstpayNumbers.class, about("26112200000000000002", "26112200000000000001", true, null));
        assertThat(sent(connector.query(barcode))).containsEntry("request_type", "unitive_query_pay_request")
                .containsEntry("req_seq", "26112200000000000002").containsEntry("ori_seq", "26112200000000000001")
                .doesNotContainKey("channel");
        ProviderCall qr = call(Operation.QUERY, null);
        qr.note(YstpayNumbers.class, about("26112200000000000004", "26112200000000000003", false, null));
        assertThat(sent(connector.query(qr))).containsEntry("request_type", "unitive_native_query_pay_request")
                .containsEntry("ori_seq", "26112200000000000003").containsEntry("channel", "A");
    }

    @Test
    void aCallTheStoreCannotNumberIsRefusedWithNothingSent() {
        ProviderCall query = call(Operation.QUERY, null);
        query.note(YstpayNumbers.class, YstpayNumbers.unknownOrder());
        assertThat(catchThrowableOfType(CallRefused.class, () -> connector.query(query)).error().code())
                .isEqualTo(ErrorCode.ORDER_NOT_FOUND);
        ProviderCall refund = call(Operation.REFUND, null);
        refund.note(YstpayNumbers.class, new YstpayNumbers(null, "1", true, null, null, null, null, Missing.TRANS_SEQ, null));
        CallRefused noTrans = catchThrowableOfType(CallRefused.class, () -> connector.refund(refund));
        assertThat(noTrans.error().code()).isEqualTo(ErrorCode.ORDER_NOT_FOUND);
        assertThat(noTrans.error().retryable()).isTrue();
        refund.note(YstpayNumbers.class, new YstpayNumbers(null, "1", true, null, "T", null, null, Missing.REFUND_AMOUNT, 30L));
        CallRefused amount = catchThrowableOfType(CallRefused.class, () -> connector.refund(refund));
        assertThat(amount.error().code()).isEqualTo(ErrorCode.INVALID_REQUEST);
        assertThat(amount.error().fields().get(0).field()).isEqualTo("refund.amount");
        ProviderCall refundQuery = call(Operation.REFUND_QUERY, null);
        refundQuery.note(YstpayNumbers.class, new YstpayNumbers(null, "1", true, null, "T", null, null, Missing.REFUND, null));
        assertThat(catchThrowableOfType(CallRefused.class, () -> connector.refundQuery(refundQuery)).error().code())
                .isEqualTo(ErrorCode.REFUND_NOT_FOUND);
        ProviderCall reverse = call(Operation.REVERSE, null);
        reverse.note(YstpayNumbers.class, about("26112200000000000006", "26112200000000000005", false, null));
        assertThat(catchThrowableOfType(CallRefused.class, () -> connector.revoke(reverse)).error().code())
                .isEqualTo(ErrorCode.UNSUPPORTED);
        reverse.note(YstpayNumbers.class, about("26112200000000000006", "26112200000000000005", true, null));
        assertThat(sent(connector.revoke(reverse))).containsEntry("request_type", "unitive_revoke_request");
        // Without the prepare step there is no request at all.
        assertThatThrownBy(() -> connector.barcodePay(call(Operation.PAY, PayMethod.MICRO)))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void theAnswerIsVerifiedForThisRequestAndItsClaimKeptForTheStore() {
        ProviderCall pay = call(Operation.PAY, PayMethod.MICRO);
        pay.note(YstpayNumbers.class, YstpayNumbers.payment("26112200000000000007", true, Channel.WECHAT));
        YstpayVerified v = format.verify(answer("<data><req_seq>26112200000000000007</req_seq><result>Y</result>"
                + "<code>E11000</code><trans_seq>12611221117180000001</trans_seq><total_fee>100</total_fee>"
                + "<cash_fee>100</cash_fee><pay_time>2026-11-22 11:17:18</pay_time><channel>A</channel><status>S</status>"
                + "<dsn>" + KEYS.dsn() + "</dsn></data>"), pay);
        PaymentResult r = connector.payResult(v, pay);
        assertThat(r.status()).isEqualTo(PaymentStatus.SUCCESS);
        assertThat(pay.note(YstpayAnswered.class)).contains(new YstpayAnswered("12611221117180000001", Channel.ALIPAY, null));

        assertThat(catchThrowableOfType(AnswerRejected.class, () -> format.verify(answer(
                "<data><req_seq>26112200000000000099</req_seq><result>Y</result></data>"), pay)).getMessage())
                .contains("another request");
        assertThat(catchThrowableOfType(AnswerRejected.class, () -> format.verify(answer(
                "<data><result>Y</result><dsn>0123456789ABCDEF0123456789ABCDEF</dsn></data>"), pay)).getMessage())
                .contains("another device");
        AnswerRejected forged = catchThrowableOfType(AnswerRejected.class, () -> format.verify(YstpayCryptoTest.answer("1",
                "UU3e/MOLQBXA5T2F1cWz7A==", "0123456789ABCDEF0123456789ABCDEF"), pay));
        assertThat(forged.code()).isEqualTo(ErrorCode.SIGNATURE_INVALID);
        assertThat(forged.getMessage()).contains("signature");

        ProviderCall refused = call(Operation.PAY, PayMethod.MICRO);
        refused.note(YstpayNumbers.class, YstpayNumbers.payment("26112200000000000008", true, Channel.WECHAT));
        connector.payResult(format.verify(answer("<data><result>N</result><code>E21004</code></data>"), refused), refused);
        assertThat(refused.note(YstpayAnswered.class)).as("a refusal tells the store nothing").isEmpty();
    }
}
