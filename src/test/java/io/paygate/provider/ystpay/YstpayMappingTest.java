package io.paygate.provider.ystpay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.paygate.canonical.Channel;
import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.PaymentError;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentStatus;
import io.paygate.config.MerchantProfile;
import io.paygate.notify.Notice;
import io.paygate.notify.NoticeRejected;
import io.paygate.provider.AnswerRejected;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The tables and values of docs/protocols/ystpay.md, and the notice codec. */
class YstpayMappingTest {

    @Test
    void yuanAreExactFromFen() {
        assertThat(YstpayMapper.yuan(1760)).isEqualTo("17.60");
        assertThat(YstpayMapper.yuan(1)).isEqualTo("0.01");
        assertThat(YstpayMapper.yuan(0)).isEqualTo("0.00");
        assertThat(YstpayMapper.yuan(123456789012L)).isEqualTo("1234567890.12");
        String json = YstpayMapper.prodDetails(List.of(new PaymentRequest.Item("2900002400922", "小石头", 1280L, 2L)));
        assertThat(json).isEqualTo("[{\"goodsId\":\"2900002400922\",\"goodsName\":\"小石头\",\"price\":\"12.80\","
                + "\"quantity\":\"2\",\"goodsFee\":\"25.60\"}]");
    }

    @Test
    void expireTimeIsKeptWithinYstpaysRange() {
        Instant now = Instant.parse("2026-11-22T01:00:00Z");
        assertThat(YstpayMapper.expireTime(null, now)).isNull();
        assertThat(YstpayMapper.expireTime("2026-11-22T09:01:00+08:00", now)).isEqualTo("300");
        assertThat(YstpayMapper.expireTime("2026-11-22T09:10:00+08:00", now)).isEqualTo("600");
        assertThat(YstpayMapper.expireTime("2026-11-22T11:00:00+08:00", now)).isEqualTo("1800");
        assertThat(YstpayMapper.expireTime("2026-11-22T08:00:00+08:00", now)).isEqualTo("300");
    }

    @Test
    void statusAndChannelTables() {
        assertThat(YstpayCodes.orderStatus("W", true)).isEqualTo(PaymentStatus.USERPAYING);
        assertThat(YstpayCodes.orderStatus("W", false)).isEqualTo(PaymentStatus.NOTPAY);
        assertThat(YstpayCodes.orderStatus("S", false)).isEqualTo(PaymentStatus.SUCCESS);
        assertThat(YstpayCodes.orderStatus("SUCCESS", true)).isEqualTo(PaymentStatus.SUCCESS);
        assertThat(YstpayCodes.orderStatus("F", true)).isEqualTo(PaymentStatus.PAYERROR);
        assertThat(YstpayCodes.orderStatus("X", true)).isEqualTo(PaymentStatus.UNKNOWN);
        assertThat(YstpayCodes.orderStatus(null, true)).isNull();
        assertThat(YstpayCodes.refundStatus("S")).isEqualTo("SUCCESS");
        assertThat(YstpayCodes.refundStatus("F")).isEqualTo("FAILED");
        assertThat(YstpayCodes.refundStatus(null)).isEqualTo("PROCESSING");
        for (Channel c : Channel.values()) {
            assertThat(YstpayCodes.channel(YstpayCodes.letter(c))).isEqualTo(c);
        }
        assertThat(YstpayCodes.letter(Channel.BESTPAY)).isEqualTo("Y");
        assertThat(YstpayCodes.succeeded(null, "E11101")).isTrue();
        assertThat(YstpayCodes.succeeded("N", "E11000")).isFalse();
        assertThat(YstpayCodes.succeeded(null, "E99999")).isFalse();
        PaymentError e = YstpayCodes.refusal("E99999", " 系统繁忙 ");
        assertThat(e.code()).isEqualTo(ErrorCode.PROVIDER_ERROR);
        assertThat(e.providerCode()).isEqualTo("E99999");
        assertThat(e.providerMessage()).isEqualTo("系统繁忙");
        assertThat(e.retryable()).isFalse();
    }

    @Test
    void amountsAndTimesFromTheAnswerAreStrict() {
        assertThat(YstpayMapper.fen("100", "total_fee")).isEqualTo(100);
        assertThatThrownBy(() -> YstpayMapper.fen("1.5", "total_fee")).isInstanceOf(AnswerRejected.class)
                .hasMessageContaining("total_fee");
        assertThatThrownBy(() -> YstpayMapper.fen("-1", "cash_fee")).isInstanceOf(AnswerRejected.class);
        assertThat(YstpayMapper.payTime("2015-06-09 11:17:18", "pay_time")).isEqualTo(Instant.parse("2015-06-09T03:17:18Z"));
        assertThat(YstpayMapper.serverTime("2015-06-09 11:17:48:751")).isEqualTo(Instant.parse("2015-06-09T03:17:48Z"));
        assertThatThrownBy(() -> YstpayMapper.payTime("09/06/2015", "pay_time")).isInstanceOf(AnswerRejected.class);
    }

    // ---- the notice

    private static final MerchantProfile PROFILE = new MerchantProfile("shop", "ystpay", "token-token-token-1", null, null,
            List.of(), MerchantProfile.DEFAULT_RETRY_SCHEDULE, java.util.Map.of("ystpay", MerchantProfile.Section.of(YstpayCryptoTest.settings("first16", "zero", "upper"))));
    private final YstpayNotifyCodec codec = new YstpayNotifyCodec((merchant, seq) ->
            "shop".equals(merchant) && "26112200000000000007".equals(seq) ? Optional.of("ORDER-7") : Optional.empty());

    private static final String NOTICE = "<data><request_type>native_order_notice</request_type><req>26112200000000000007</req>"
            + "<server_time>2015-06-09 11:17:48:751</server_time><channel>W</channel><trans_seq>15060911165638124989</trans_seq>"
            + "<ext_trans_id>4200000000000000000000000000</ext_trans_id><total_fee>1</total_fee><status>S</status>"
            + "<pay_time>2015-06-09 11:17:18</pay_time></data>";

    @Test
    void theDocumentedNoticeIsOnlyAHintToConfirmByQuery() {
        Notice n = codec.decode(NOTICE.getBytes(StandardCharsets.UTF_8), PROFILE);
        assertThat(n.confirmByQuery()).isTrue();
        assertThat(n.orderId()).isEqualTo("ORDER-7");
        assertThat(n.status()).isNull();
        assertThat(n.dedupeKey()).isEqualTo("ystpay:15060911165638124989:S");
    }

    @Test
    void aNoticeInAVerifiedEnvelopeIsStillConfirmedByQuery() {
        YstpayKeys keys = YstpayKeys.of(PROFILE.settings(io.paygate.provider.ystpay.YstpaySettings.class));
        String data = YstpayCipher.encrypt(NOTICE, keys.answerKey(), keys.answerIv(), keys.padding());
        String sig = YstpaySigner.answerSignature(keys.dsn(), "1", data);
        Notice n = codec.decode(YstpayCryptoTest.answer("1", data, sig), PROFILE);
        // The envelope's signature and key derive from the DSN, which travels in clear: never trusted alone.
        assertThat(n.confirmByQuery()).isTrue();
        assertThat(n.status()).isNull();
        assertThat(n.dedupeKey()).isEqualTo("ystpay:15060911165638124989:S");
        assertThatThrownBy(() -> codec.decode(YstpayCryptoTest.answer("2", data, sig), PROFILE))
                .isInstanceOf(NoticeRejected.class).hasMessageContaining("signature");
    }

    @Test
    void noticesThatNameNoKnownPaymentAreRejected() {
        assertThatThrownBy(() -> codec.decode(NOTICE.replace("26112200000000000007", "26112200000000000008")
                .getBytes(StandardCharsets.UTF_8), PROFILE)).isInstanceOf(NoticeRejected.class);
        assertThatThrownBy(() -> codec.decode(NOTICE.replace("<trans_seq>15060911165638124989</trans_seq>", "")
                .getBytes(StandardCharsets.UTF_8), PROFILE)).isInstanceOf(NoticeRejected.class);
        assertThatThrownBy(() -> codec.decode(NOTICE.replace("native_order_notice", "refund_notice")
                .getBytes(StandardCharsets.UTF_8), PROFILE)).isInstanceOf(NoticeRejected.class);
        assertThatThrownBy(() -> codec.decode(("<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>" + NOTICE)
                .getBytes(StandardCharsets.UTF_8), PROFILE)).isInstanceOf(NoticeRejected.class)
                .hasMessageContaining("DOCTYPE");
    }

    @Test
    void repliesAreExact() {
        assertThat(new String(codec.successReply(), StandardCharsets.UTF_8))
                .isEqualTo("<data><result>Y</result><message>成功</message></data>");
        assertThat(new String(codec.failureReply("unknown <order>"), StandardCharsets.UTF_8))
                .isEqualTo("<data><result>N</result><message>unknown &lt;order&gt;</message></data>");
    }

    @Test
    void receiptsLinesAreReadAsText() {
        Map<String, String> f = io.paygate.xml.HardenedXml.parseFlat(("<data><code>E11000</code><receipts>\n"
                + "<line>-----微信支付交易小票-----</line>\n<line>交易金额：0.01元</line></receipts></data>")
                .getBytes(StandardCharsets.UTF_8), "data", YstpayEnvelope.LINE_LISTS);
        assertThat(f.get("receipts")).isEqualTo("-----微信支付交易小票-----\n交易金额：0.01元");
        assertThatThrownBy(() -> io.paygate.xml.HardenedXml.parseFlat("<data><msg><b>x</b></msg></data>"
                .getBytes(StandardCharsets.UTF_8), "data", YstpayEnvelope.LINE_LISTS))
                .isInstanceOf(io.paygate.xml.HardenedXml.XmlRejected.class);
    }
}
