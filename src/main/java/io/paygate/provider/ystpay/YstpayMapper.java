package io.paygate.provider.ystpay;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult;
import io.paygate.canonical.PaymentResult.RefundInfo;
import io.paygate.canonical.PaymentStatus;
import io.paygate.canonical.Times;
import io.paygate.provider.AnswerRejected;
import io.paygate.provider.ystpay.wire.YstpayAnswer;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Canonical request → the {@code <data>} fields of each Ystpay request type, and a verified answer →
 * canonical result. Pure: no I/O, no exchange; the connector feeds it.
 */
public final class YstpayMapper {
    public static final int MIN_EXPIRE_SECONDS = 300;
    public static final int MAX_EXPIRE_SECONDS = 1800;
    static final int MAX_PROD_DETAILS = 8192;
    private static final DateTimeFormatter PAY_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final ObjectMapper JSON = new ObjectMapper();

    private YstpayMapper() {
    }

    // ---- requests, fields in the document's order (request_type and dsn are added by the envelope)

    static Map<String, String> barcodePay(PaymentRequest r, String reqSeq) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("req_seq", reqSeq);
        f.put("total_fee", Long.toString(r.amount()));
        f.put("auth_code", r.authCode());
        f.put("channel", YstpayCodes.letter(r.channel()));
        f.put("prod_details", prodDetails(r.items()));
        return f;
    }

    static Map<String, String> nativePay(PaymentRequest r, String reqSeq, Instant now) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("req_seq", reqSeq);
        f.put("total_fee", Long.toString(r.amount()));
        f.put("expire_time", expireTime(r.expireAt(), now));
        f.put("channel", YstpayCodes.letter(r.channel()));
        return f;
    }

    static Map<String, String> jsPay(PaymentRequest r, String reqSeq) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("req_seq", reqSeq);
        f.put("total_fee", Long.toString(r.amount()));
        f.put("channel", YstpayCodes.letter(r.channel()));
        f.put("subopen_id", subopenId(r));
        return f;
    }

    static Map<String, String> h5Pay(PaymentRequest r, String reqSeq) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("req_seq", reqSeq);
        f.put("total_fee", Long.toString(r.amount()));
        f.put("channel", YstpayCodes.letter(r.channel()));
        f.put("ip", r.clientIp());
        f.put("redirect_url", r.h5() == null ? null : r.h5().redirectUrl());
        return f;
    }

    static Map<String, String> barcodeQuery(String reqSeq, String oriSeq) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("req_seq", reqSeq);
        f.put("ori_seq", oriSeq);
        return f;
    }

    static Map<String, String> nativeQuery(String reqSeq, String oriSeq, String channelLetter) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("req_seq", reqSeq);
        f.put("channel", channelLetter);
        f.put("ori_seq", oriSeq);
        return f;
    }

    static Map<String, String> refund(String reqSeq, String transSeq, long amount, String reason) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("req_seq", reqSeq);
        f.put("trans_seq", transSeq);
        f.put("refund_fee", Long.toString(amount));
        // reason is required by Ystpay and optional in the contract.
        f.put("reason", reason == null || reason.isBlank() ? "refund" : reason);
        return f;
    }

    static Map<String, String> refundQuery(String reqSeq, String transSeq, String oriSeq) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("req_seq", reqSeq);
        f.put("trans_seq", transSeq);
        f.put("ori_seq", oriSeq);
        return f;
    }

    static Map<String, String> revoke(String reqSeq, String oriSeq, String channelLetter) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("req_seq", reqSeq);
        f.put("ori_seq", oriSeq);
        f.put("channel", channelLetter);
        return f;
    }

    /** payer.openId for WeChat, payer.buyerId for Alipay (the document: APPID's openID / the user's userID). */
    static String subopenId(PaymentRequest r) {
        if (r.payer() == null) {
            return null;
        }
        return r.channel() == io.paygate.canonical.Channel.ALIPAY ? r.payer().buyerId() : r.payer().openId();
    }

    /** Seconds from now to expireAt, kept within Ystpay's 300-1800; absent when the request has no expiry. */
    static String expireTime(String expireAt, Instant now) {
        if (expireAt == null) {
            return null;
        }
        long s = Times.parse(expireAt).getEpochSecond() - now.getEpochSecond();
        return Long.toString(Math.max(MIN_EXPIRE_SECONDS, Math.min(MAX_EXPIRE_SECONDS, s)));
    }

    /** The goods list as Ystpay's JSON: prices in yuan with exactly two decimals, from fen, exact. */
    static String prodDetails(List<PaymentRequest.Item> items) {
        if (items == null || items.isEmpty()) {
            return null;
        }
        List<Map<String, String>> goods = new ArrayList<>();
        for (PaymentRequest.Item it : items) {
            Map<String, String> g = new LinkedHashMap<>();
            g.put("goodsId", it.sku());
            g.put("goodsName", it.name());
            g.put("price", yuan(it.unitPrice()));
            g.put("quantity", Long.toString(it.quantity()));
            g.put("goodsFee", yuan(Math.multiplyExact(it.unitPrice(), it.quantity())));
            goods.add(g);
        }
        try {
            return JSON.writeValueAsString(goods);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Fen → yuan text, exact: 1760 → "17.60". */
    static String yuan(long fen) {
        return BigDecimal.valueOf(fen, 2).toPlainString();
    }

    // ---- answers

    static PaymentResult payResult(YstpayAnswer a, PaymentRequest r) {
        boolean barcode = r.method() == io.paygate.canonical.PayMethod.MICRO;
        PaymentResult.Builder b = PaymentResult.answering(r).amount(r.amount()).attach(r.attach()).storeId(r.storeId())
                .providerTradeId(blankToNull(a.transSeq())).channelTradeId(blankToNull(a.extTransId()));
        PaymentStatus status = YstpayCodes.orderStatus(a.status(), barcode);
        if (!YstpayCodes.succeeded(a.result(), a.code())) {
            // A refused barcode charge may still be on the buyer's phone: UNKNOWN until a query says.
            // A refused QR, JS or H5 order was never created: nothing can be paid.
            if (status == null) {
                status = barcode ? PaymentStatus.UNKNOWN : PaymentStatus.PAYERROR;
            }
            return b.status(status).error(YstpayCodes.refusal(a.code(), a.msg())).build();
        }
        if (status == null) {
            status = barcode ? PaymentStatus.USERPAYING : PaymentStatus.NOTPAY;
        }
        b.status(status);
        paid(b, a, status);
        if (!barcode) {
            b.action(action(a, r));
        }
        return b.build();
    }

    private static PaymentResult.Action action(YstpayAnswer a, PaymentRequest r) {
        return switch (r.method()) {
            case SCAN -> new PaymentResult.Action(blankToNull(a.payUrl()), null, null, null);
            case JSAPI -> new PaymentResult.Action(null, null, blankToNull(a.payUrl()), signatureInfo(a.signatureInfo()));
            case H5 -> new PaymentResult.Action(null, blankToNull(a.payInfo()), null, null);
            default -> null;
        };
    }

    /** signature_info is JSON the page passes to the wallet's JS API: handed on as an object. */
    private static Object signatureInfo(String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return JSON.readValue(s, Map.class);
        } catch (JsonProcessingException e) {
            throw new AnswerRejected(ErrorCode.PROVIDER_ERROR, "Ystpay sent signature_info that is not a JSON object");
        }
    }

    static PaymentResult queryResult(YstpayAnswer a, PaymentRequest r, boolean barcode) {
        PaymentResult.Builder b = PaymentResult.answering(r);
        if (!YstpayCodes.succeeded(a.result(), a.code())) {
            return b.error(YstpayCodes.refusal(a.code(), a.msg())).build();
        }
        PaymentStatus status = YstpayCodes.orderStatus(a.status(), barcode);
        b.status(status == null ? PaymentStatus.UNKNOWN : status).providerTradeId(blankToNull(a.transSeq()))
                .channelTradeId(blankToNull(a.extTransId())).amount(fen(a.totalFee(), "total_fee"));
        paid(b, a, status);
        return b.build();
    }

    private static void paid(PaymentResult.Builder b, YstpayAnswer a, PaymentStatus status) {
        if (status == PaymentStatus.SUCCESS) {
            b.paidAmount(fen(a.cashFee(), "cash_fee")).couponAmount(fen(a.couponFee(), "coupon_fee"))
                    .paidAt(Times.format(payTime(a.payTime(), "pay_time")));
            Long total = fen(a.totalFee(), "total_fee");
            if (total != null) {
                b.amount(total);
            }
        }
    }

    static PaymentResult refundResult(YstpayAnswer a, PaymentRequest r) {
        PaymentResult.Builder b = PaymentResult.answering(r);
        String refundId = r.refund().refundId();
        if (!YstpayCodes.succeeded(a.result(), a.code())) {
            // A refusal is an error, not a refund that failed: a first send's reservation is
            // released; whether an earlier send made a refund is for REFUND_QUERY to say.
            return b.error(YstpayCodes.refusal(a.code(), a.msg())).build();
        }
        String status = YstpayCodes.refundStatus(a.status());
        if ("SUCCESS".equals(status)) {
            b.status(PaymentStatus.REFUND);
        }
        return b.refunds(List.of(new RefundInfo(refundId, blankToNull(a.refundSeq()), r.refund().amount(), status,
                "SUCCESS".equals(status) ? Times.format(serverTime(a.serverTime())) : null))).build();
    }

    static PaymentResult refundQueryResult(YstpayAnswer a, PaymentRequest r, String refundId, Long amount) {
        PaymentResult.Builder b = PaymentResult.answering(r);
        if (!YstpayCodes.succeeded(a.result(), a.code())) {
            return b.error(YstpayCodes.refusal(a.code(), a.msg())).build();
        }
        String status = YstpayCodes.refundStatus(a.status());
        if ("SUCCESS".equals(status)) {
            b.status(PaymentStatus.REFUND);
        }
        Long refunded = amount != null ? amount : fen(a.refundFee(), "refund_fee");
        return b.refunds(List.of(new RefundInfo(refundId, blankToNull(a.refundSeq()), refunded, status,
                "SUCCESS".equals(status) ? Times.format(serverTime(a.serverTime())) : null))).build();
    }

    static PaymentResult revokeResult(YstpayAnswer a, PaymentRequest r) {
        PaymentResult.Builder b = PaymentResult.answering(r);
        if (!YstpayCodes.succeeded(a.result(), a.code())) {
            return b.error(YstpayCodes.refusal(a.code(), a.msg())).build();
        }
        return b.status(PaymentStatus.REVOKED).build();
    }

    // ---- values

    static Long fen(String s, String field) {
        if (s == null || s.isBlank()) {
            return null;
        }
        if (!s.trim().matches("\\d{1,12}")) {
            // Fen are whole numbers: "1.5" or "-1" is no amount Ystpay documents.
            throw new AnswerRejected(ErrorCode.PROVIDER_ERROR, "Ystpay sent an unreadable " + field + " (not whole fen)");
        }
        return Long.parseLong(s.trim());
    }

    /** pay_time {@code yyyy-MM-dd HH:mm:ss}, Asia/Shanghai. */
    static Instant payTime(String s, String field) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return LocalDateTime.parse(s.trim(), PAY_TIME).atZone(Times.SHANGHAI).toInstant();
        } catch (DateTimeParseException e) {
            throw new AnswerRejected(ErrorCode.PROVIDER_ERROR, "Ystpay sent an unreadable " + field);
        }
    }

    /** server_time {@code yyyy-MM-dd HH:mm:ss:SSS} (a colon before the milliseconds), Asia/Shanghai; null when unreadable. */
    static Instant serverTime(String s) {
        if (s == null || s.length() < 19) {
            return null;
        }
        try {
            return LocalDateTime.parse(s.trim().substring(0, 19), PAY_TIME).atZone(Times.SHANGHAI).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }
}
