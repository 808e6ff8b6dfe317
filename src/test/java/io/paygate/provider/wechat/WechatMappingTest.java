package io.paygate.provider.wechat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.PaymentError;
import io.paygate.canonical.PaymentStatus;
import io.paygate.provider.AnswerRejected;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WechatMappingTest {

    @Test
    void everyDocumentedTradeState() {
        Map<String, PaymentStatus> expected = new LinkedHashMap<>();
        expected.put("SUCCESS", PaymentStatus.SUCCESS);
        expected.put("REFUND", PaymentStatus.REFUND);
        expected.put("NOTPAY", PaymentStatus.NOTPAY);
        expected.put("CLOSED", PaymentStatus.CLOSED);
        expected.put("REVOKED", PaymentStatus.REVOKED);
        expected.put("USERPAYING", PaymentStatus.USERPAYING);
        expected.put("PAYERROR", PaymentStatus.PAYERROR);
        expected.forEach((wechat, status) -> assertThat(WechatConnector.tradeState(wechat)).as(wechat).isEqualTo(status));
    }

    @Test
    void unknownTradeStateIsUnknownNeverSuccess() {
        for (String s : List.of("ACCEPT", "success", "SUCCESS ", " SUCCESS", "PAID", "", "0")) {
            assertThat(WechatConnector.tradeState(s)).as("'" + s + "'").isEqualTo(PaymentStatus.UNKNOWN);
        }
        assertThat(WechatConnector.tradeState(null)).isEqualTo(PaymentStatus.UNKNOWN);
    }

    private record Expected(ErrorCode code, boolean retryable) {
    }

    /** The err_code table of docs/protocols/wechat.md ("err_code → error"), row by row, against WechatErrors. */
    @Test
    void everyListedErrorCode() {
        Map<String, Expected> table = new LinkedHashMap<>();
        table.put("SYSTEMERROR", new Expected(ErrorCode.PROVIDER_ERROR, true));
        table.put("BIZERR_NEED_RETRY", new Expected(ErrorCode.PROVIDER_ERROR, true));
        table.put("USERPAYING", new Expected(ErrorCode.PROVIDER_ERROR, true));
        table.put("ORDERPAID", new Expected(ErrorCode.ORDER_PAID, false));
        table.put("ORDERCLOSED", new Expected(ErrorCode.ORDER_CLOSED, false));
        table.put("ORDERNOTEXIST", new Expected(ErrorCode.ORDER_NOT_FOUND, false));
        table.put("ORDERREVERSED", new Expected(ErrorCode.ORDER_REVERSED, false));
        table.put("OUT_TRADE_NO_USED", new Expected(ErrorCode.DUPLICATE_ORDER, false));
        table.put("SIGNERROR", new Expected(ErrorCode.PROVIDER_ERROR, false));
        table.put("PARAM_ERROR", new Expected(ErrorCode.PROVIDER_ERROR, false));
        table.put("NOTENOUGH", new Expected(ErrorCode.INSUFFICIENT_FUNDS, false));
        table.put("AUTHCODEEXPIRE", new Expected(ErrorCode.AUTH_CODE_INVALID, false));
        table.put("AUTH_CODE_INVALID", new Expected(ErrorCode.AUTH_CODE_INVALID, false));
        table.put("BANKERROR", new Expected(ErrorCode.PROVIDER_ERROR, true));
        table.put("FREQUENCY_LIMITED", new Expected(ErrorCode.RATE_LIMITED, true));
        table.put("REFUNDNOTEXIST", new Expected(ErrorCode.REFUND_NOT_FOUND, false));
        table.put("TRADE_STATE_ERROR", new Expected(ErrorCode.PROVIDER_ERROR, false));
        assertThat(table).hasSize(17);

        table.forEach((code, want) -> {
            PaymentError e = WechatErrors.map(code, "description of " + code);
            assertThat(e.code()).as(code).isEqualTo(want.code());
            assertThat(e.retryable()).as(code + " retryable").isEqualTo(want.retryable());
            assertThat(e.providerCode()).as(code).isEqualTo(code);
            assertThat(e.providerMessage()).as(code).isEqualTo("description of " + code);
            assertThat(e.message()).as(code).isNotBlank();
            assertThat(e.fields()).as(code).isNull();
        });
    }

    @Test
    void signerrorIsOurMisconfigurationNotTheirSignature() {
        PaymentError e = WechatErrors.map("SIGNERROR", "签名错误");
        assertThat(e.code()).isEqualTo(ErrorCode.PROVIDER_ERROR).isNotEqualTo(ErrorCode.SIGNATURE_INVALID);
        assertThat(e.retryable()).isFalse();
        assertThat(e.providerCode()).isEqualTo("SIGNERROR");
        assertThat(e.providerMessage()).isEqualTo("签名错误");
        assertThat(e.message()).contains("apiKey");
    }

    @Test
    void unknownErrorCodeKeepsTheProvidersWords() {
        PaymentError e = WechatErrors.map("XYZ_NEW_CODE", "新的错误");
        assertThat(e.code()).isEqualTo(ErrorCode.PROVIDER_ERROR);
        assertThat(e.retryable()).isFalse();
        assertThat(e.providerCode()).isEqualTo("XYZ_NEW_CODE");
        assertThat(e.providerMessage()).isEqualTo("新的错误");
        // case matters: WeChat's codes are upper case
        assertThat(WechatErrors.map("orderpaid", null).code()).isEqualTo(ErrorCode.PROVIDER_ERROR);
    }

    @Test
    void missingErrorCode() {
        PaymentError e = WechatErrors.map(null, "something");
        assertThat(e.code()).isEqualTo(ErrorCode.PROVIDER_ERROR);
        assertThat(e.providerCode()).isNull();
        assertThat(e.providerMessage()).isEqualTo("something");
    }

    @Test
    void theStatusOfARefusedPay() {
        for (String c : List.of("SYSTEMERROR", "BIZERR_NEED_RETRY", "BANKERROR", "USERPAYING", "ORDERPAID",
                "OUT_TRADE_NO_USED", "FREQUENCY_LIMITED", "XYZ_NEW_CODE")) {
            assertThat(WechatErrors.payStatusAfter(c)).as(c).isEqualTo(PaymentStatus.UNKNOWN);
        }
        assertThat(WechatErrors.payStatusAfter(null)).isEqualTo(PaymentStatus.UNKNOWN);
        assertThat(WechatErrors.payStatusAfter("ORDERCLOSED")).isEqualTo(PaymentStatus.CLOSED);
        assertThat(WechatErrors.payStatusAfter("ORDERREVERSED")).isEqualTo(PaymentStatus.REVOKED);
        for (String c : List.of("NOTENOUGH", "AUTHCODEEXPIRE", "AUTH_CODE_INVALID", "PARAM_ERROR", "SIGNERROR")) {
            assertThat(WechatErrors.payStatusAfter(c)).as(c).isEqualTo(PaymentStatus.PAYERROR);
        }
    }

    @Test
    void wechatTimesAreShanghaiTimes() {
        assertThat(WechatConnector.time("20141030133525"))
                .isEqualTo(OffsetDateTime.parse("2014-10-30T13:35:25+08:00").toInstant());
        assertThat(WechatConnector.time("20141030133525").toString()).isEqualTo("2014-10-30T05:35:25Z");
        assertThat(WechatConnector.time(null)).isNull();
        assertThat(WechatConnector.time("")).isNull();
    }

    @Test
    void unreadableTimeIsRejected() {
        for (String bad : List.of("2014-10-30 13:35:25", "20141330133525", "201410301335")) {
            assertThatThrownBy(() -> WechatConnector.time(bad)).as(bad).isInstanceOf(AnswerRejected.class)
                    .satisfies(e -> assertThat(((AnswerRejected) e).code()).isEqualTo(ErrorCode.PROVIDER_ERROR))
                    .hasMessageNotContaining(bad);
        }
    }
}
