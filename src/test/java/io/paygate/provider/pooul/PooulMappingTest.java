package io.paygate.provider.pooul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.paygate.canonical.Channel;
import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.PayMethod;
import io.paygate.canonical.PaymentStatus;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PooulMappingTest {
    private static JsonNode j(String s) throws Exception {
        return PooulFields.JSON.readTree(s);
    }

    @Test
    void tradeStatesZeroToSevenAndNothingElseIsSuccess() {
        assertThat(PooulCodes.tradeState("0")).isEqualTo(PaymentStatus.SUCCESS);
        assertThat(PooulCodes.tradeState("1")).isEqualTo(PaymentStatus.REFUND);
        assertThat(PooulCodes.tradeState("2")).isEqualTo(PaymentStatus.NOTPAY);
        assertThat(PooulCodes.tradeState("3")).isEqualTo(PaymentStatus.CLOSED);
        assertThat(PooulCodes.tradeState("4")).isEqualTo(PaymentStatus.REVOKED);
        assertThat(PooulCodes.tradeState("5")).isEqualTo(PaymentStatus.REVOKED);
        assertThat(PooulCodes.tradeState("6")).isEqualTo(PaymentStatus.USERPAYING);
        assertThat(PooulCodes.tradeState("7")).isEqualTo(PaymentStatus.PAYERROR);
        for (String other : new String[] {"8", "-1", "00", "SUCCESS", "", null}) {
            assertThat(PooulCodes.tradeState(other)).as(other).isEqualTo(PaymentStatus.UNKNOWN);
        }
        assertThat(PooulCodes.refundStatus("0")).isEqualTo("SUCCESS");
        assertThat(PooulCodes.refundStatus("1")).isEqualTo("PROCESSING");
        assertThat(PooulCodes.refundStatus("-1")).isEqualTo("FAILED");
        assertThat(PooulCodes.refundStatus("9")).isEqualTo("PROCESSING");
        assertThat(PooulCodes.refundStatus(null)).isEqualTo("PROCESSING");
    }

    @Test
    void errorCodes() {
        assertThat(PooulCodes.error("107", "dup").code()).isEqualTo(ErrorCode.DUPLICATE_ORDER);
        assertThat(PooulCodes.error("301", "x").code()).isEqualTo(ErrorCode.ORDER_NOT_FOUND);
        assertThat(PooulCodes.error("601", "x").code()).isEqualTo(ErrorCode.TIMEOUT);
        assertThat(PooulCodes.error("601", "x").retryable()).isTrue();
        assertThat(PooulCodes.error("101", "sign").retryable()).isFalse();
        assertThat(PooulCodes.error("101", "sign").providerMessage()).isEqualTo("sign");
        assertThat(PooulCodes.error("4242", "new").code()).isEqualTo(ErrorCode.PROVIDER_ERROR);
        assertThat(PooulCodes.error("4242", "new").providerCode()).isEqualTo("4242");
        assertThat(PooulCodes.payStatusAfter("101")).isEqualTo(PaymentStatus.PAYERROR);
        assertThat(PooulCodes.payStatusAfter("600")).isEqualTo(PaymentStatus.UNKNOWN);
        assertThat(PooulCodes.payStatusAfter("4242")).isEqualTo(PaymentStatus.UNKNOWN);
    }

    @Test
    void timeEndInEveryDocumentedFormIsShanghaiTime() throws Exception {
        Instant t = Instant.parse("2017-08-23T10:24:45Z"); // 18:24:45 in Shanghai
        assertThat(PooulFields.time(j("{\"t\":\"20170823182445\"}"), "t")).isEqualTo(t);
        assertThat(PooulFields.time(j("{\"t\":20170823182445}"), "t")).isEqualTo(t);
        assertThat(PooulFields.time(j("{\"t\":1503483885}"), "t")).isEqualTo(t);
        assertThat(PooulFields.time(j("{\"t\":\"1503483885\"}"), "t")).isEqualTo(t);
        assertThat(PooulFields.time(j("{\"t\":1503483885000}"), "t")).isEqualTo(t);
        assertThat(PooulFields.time(j("{\"t\":null}"), "t")).isNull();
        for (String bad : new String[] {"\"20171323182445\"", "\"2017-08-23\"", "1503483885.5", "150348388", "true"}) {
            assertThatThrownBy(() -> PooulFields.time(j("{\"t\":" + bad + "}"), "t")).as(bad)
                    .isInstanceOf(PooulFields.Unreadable.class);
        }
    }

    @Test
    void totalFeeAsNumberOrNumericString() throws Exception {
        assertThat(PooulFields.fen(j("{\"f\":12}"), "f")).isEqualTo(12L);
        assertThat(PooulFields.fen(j("{\"f\":\"12\"}"), "f")).isEqualTo(12L);
        assertThat(PooulFields.fen(j("{}"), "f")).isNull();
        for (String bad : new String[] {"\"0.12\"", "12.5", "-3", "\"12a\"", "\"-3\""}) {
            assertThatThrownBy(() -> PooulFields.fen(j("{\"f\":" + bad + "}"), "f")).as(bad)
                    .isInstanceOf(PooulFields.Unreadable.class);
        }
    }

    @Test
    void oneTablePerApi() {
        assertThat(PooulPayTypes.payType(false, PayMethod.JSAPI, Channel.WECHAT)).contains("wechat.jswap");
        assertThat(PooulPayTypes.payType(false, PayMethod.JSAPI, Channel.QQ)).contains("qq.jsapi");
        assertThat(PooulPayTypes.payType(false, PayMethod.MICRO, null)).isEmpty();
        assertThat(PooulPayTypes.payType(true, PayMethod.MICRO, null)).contains("common.micro");
        assertThat(PooulPayTypes.payType(true, PayMethod.MICRO, Channel.ALIPAY)).contains("common.micro");
        assertThat(PooulPayTypes.payType(true, PayMethod.MICRO, Channel.QQ)).isEmpty();
        assertThat(PooulPayTypes.payType(true, PayMethod.H5, Channel.WECHAT)).contains("wechat.wap");
        assertThat(PooulPayTypes.payType(true, PayMethod.JSAPI, Channel.ALIPAY)).isEmpty();
        assertThat(PooulPayTypes.table(false)).hasSize(5);
        assertThat(PooulPayTypes.table(true)).hasSize(7);
        assertThat(PooulPayTypes.available(true)).startsWith("MICRO (common.micro), SCAN/WECHAT (wechat.scan)");
    }
}
