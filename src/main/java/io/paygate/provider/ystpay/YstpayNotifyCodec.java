package io.paygate.provider.ystpay;

import io.paygate.canonical.PaymentStatus;
import io.paygate.config.MerchantProfile;
import io.paygate.notify.Notice;
import io.paygate.notify.NoticeRejected;
import io.paygate.notify.NotificationCodec;
import io.paygate.xml.HardenedXml;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * Ystpay's {@code native_order_notice} (document §5.5), posted to {@code /notify/ystpay/<merchant>}
 * (ops register that URL with Ystpay: requests carry none).
 *
 * <p>The document shows the notice as a bare, unsigned {@code <data>} document, so that form is only a
 * hint: the codec returns a notice to confirm by query and nothing changes until Ystpay's own
 * query answer says so. Should Ystpay wrap it in the envelope of its answers ({@code <response>} with
 * timestamp, data, signature = MD5(dsn + timestamp + data), data encrypted with the DSN key), the
 * signature is checked exactly like an answer's and an envelope that fails is rejected; one that
 * verifies is still confirmed by query, because its signature and key derive from the DSN alone and
 * the DSN travels in clear in every request (a forged notice would otherwise mark an order paid).
 *
 * <p>The notice names the payment by its {@code req_seq} (the field table; the example writes
 * {@code req}), the gateway's own number: {@code orderOfPaySeq} (the store, wired in YstpayModule)
 * turns it into the order, so the codec itself never touches the store.
 */
public final class YstpayNotifyCodec implements NotificationCodec {
    static final String CONTENT_TYPE = "text/xml; charset=UTF-8";
    private static final byte[] SUCCESS = "<data><result>Y</result><message>成功</message></data>"
            .getBytes(StandardCharsets.UTF_8);

    private final BiFunction<String, String, Optional<String>> orderOfPaySeq;

    /** @param orderOfPaySeq (merchant, payment req_seq) → the merchant's orderId */
    public YstpayNotifyCodec(BiFunction<String, String, Optional<String>> orderOfPaySeq) {
        this.orderOfPaySeq = orderOfPaySeq;
    }

    @Override
    public String provider() {
        return "ystpay";
    }

    @Override
    public Notice decode(byte[] raw, MerchantProfile profile) {
        if (profile.settings(YstpaySettings.class) == null) {
            throw new NoticeRejected("merchant " + profile.id() + " has no Ystpay settings");
        }
        Map<String, String> f;
        try {
            f = HardenedXml.parseFlat(raw, "data", YstpayEnvelope.LINE_LISTS);
        } catch (HardenedXml.XmlRejected bare) {
            if (!bare.getMessage().startsWith("root element")) {
                throw new NoticeRejected("unreadable notification: " + bare.getMessage());
            }
            try {
                f = YstpayEnvelope.open(raw, YstpayKeys.of(profile.settings(YstpaySettings.class)));
            } catch (YstpayEnvelope.Rejected e) {
                throw new NoticeRejected("notification envelope rejected: " + e.getMessage());
            }
        }
        String type = f.get("request_type");
        if (type != null && !type.isBlank() && !"native_order_notice".equals(type.trim())) {
            throw new NoticeRejected("not a native_order_notice");
        }
        String seq = YstpayMapper.blankToNull(f.get("req_seq"));
        if (seq == null) {
            seq = YstpayMapper.blankToNull(f.get("req"));
        }
        if (seq == null) {
            throw new NoticeRejected("notification without req_seq");
        }
        String transSeq = YstpayMapper.blankToNull(f.get("trans_seq"));
        if (transSeq == null) {
            throw new NoticeRejected("notification without trans_seq");
        }
        String orderId = orderOfPaySeq.apply(profile.id(), seq)
                .orElseThrow(() -> new NoticeRejected("no payment of this merchant has that req_seq"));
        String status = YstpayMapper.blankToNull(f.get("status"));
        String dedupeKey = "ystpay:" + transSeq + ":" + (status == null ? "?" : status);
        // Always confirmed by a QUERY, even when the envelope verifies: its signature and key come
        // from the DSN alone, and the DSN travels in clear in every request, so whoever has seen one
        // request could forge a notice. Only Ystpay's answer to the gateway's own query changes the order.
        return Notice.confirmByQuery(Notice.Kind.PAYMENT, orderId, dedupeKey);
    }

    @Override
    public byte[] successReply() {
        return SUCCESS.clone();
    }

    @Override
    public byte[] failureReply(String reason) {
        String r = reason == null ? "" : reason.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        return ("<data><result>N</result><message>" + r + "</message></data>").getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String replyContentType() {
        return CONTENT_TYPE;
    }
}
