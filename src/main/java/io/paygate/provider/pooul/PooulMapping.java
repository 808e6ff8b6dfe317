package io.paygate.provider.pooul;

import com.fasterxml.jackson.databind.JsonNode;
import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.PayMethod;
import io.paygate.canonical.PaymentError;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult;
import io.paygate.canonical.PaymentResult.RefundInfo;
import io.paygate.canonical.PaymentStatus;
import io.paygate.canonical.Times;
import io.paygate.provider.AnswerRejected;
import io.paygate.provider.CallRefused;
import io.paygate.provider.ProviderCall;
import io.paygate.route.RouteProperties;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.camel.ExchangeProperty;

/**
 * Bean {@code pooulMapping}: verified Pooul answers → canonical results, the same for both APIs
 * (docs/protocols/pooul.md). Every method takes a {@link PooulVerified}, which only the data formats
 * {@code pooul-classic} and {@code pooul-v2} make; the operations name these methods as their
 * {@code result} in routes/pooul.yaml.
 */
public final class PooulMapping {
    /** The refund ids Pooul had before a v2 refund was sent (a note on the call). */
    record RefundsBefore(Set<String> ids) {
    }

    public PaymentResult pay(PooulVerified a, @ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        PaymentRequest r = call.request();
        PaymentResult.Builder b = PaymentResult.answering(r).amount(r.amount()).attach(r.attach()).storeId(r.storeId());
        if (!a.ok()) {
            // An unsigned error answer (v2 plain JSON, classic without sign) could come from anyone
            // on the way: it never makes the payment final. QUERY decides.
            PaymentStatus after = a.signed() ? PooulCodes.payStatusAfter(a.code()) : PaymentStatus.UNKNOWN;
            return b.status(after).error(PooulCodes.error(a.code(), a.msg())).build();
        }
        JsonNode d = a.data();
        String state = a.text("trade_state");
        PaymentStatus status;
        if (r.method() == PayMethod.MICRO) {
            // A barcode answer always states the payment: no trade_state is no knowledge.
            status = PooulCodes.tradeState(state);
        } else if (state == null || "6".equals(state.trim())) {
            // alipay.scan answers 6 ("paying") for a code that waits for the buyer: nobody pays yet.
            status = PaymentStatus.NOTPAY;
        } else {
            status = PooulCodes.tradeState(state);
        }
        b.status(status).providerTradeId(first(a, "trade_id", "transaction_id")).channelTradeId(first(a, "out_trade_id", "ch_trade_id"));
        if (status == PaymentStatus.SUCCESS) {
            b.paidAmount(r.amount()).paidAt(Times.format(time(a, "time_end")));
        }
        if (status == PaymentStatus.PAYERROR) {
            b.error(PaymentError.provider(ErrorCode.PROVIDER_ERROR, "Pooul reports the payment failed", false,
                    state, a.text("trade_info")));
        }
        String payUrl = first(a, "pay_url", "mweb_url");
        if (payUrl != null && a.text("mweb_url") != null && r.h5() != null && r.h5().redirectUrl() != null) {
            // WeChat H5's documented way back to the merchant's page after paying.
            payUrl += "&redirect_url=" + URLEncoder.encode(r.h5().redirectUrl(), StandardCharsets.UTF_8);
        }
        String codeUrl = a.text("code_url");
        String prepayId = a.text("prepay_id");
        Object payInfo = payInfo(a.text("pay_info"));
        if (codeUrl != null || payUrl != null || prepayId != null || payInfo != null) {
            b.action(new PaymentResult.Action(codeUrl, payUrl, prepayId, payInfo));
        }
        return b.build();
    }

    public PaymentResult query(PooulVerified a, @ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        PaymentRequest r = call.request();
        PaymentResult.Builder b = PaymentResult.answering(r);
        if (!a.ok()) {
            return b.error(PooulCodes.error(a.code(), a.msg())).build();
        }
        PaymentStatus status = PooulCodes.tradeState(a.text("trade_state"));
        Long total = fen(a, "total_fee");
        b.status(status).providerTradeId(first(a, "trade_id", "transaction_id"))
                .channelTradeId(first(a, "out_trade_id", "out_transaction_id", "ch_trade_id"))
                .amount(total).attach(a.text("attach"));
        if (status == PaymentStatus.SUCCESS || status == PaymentStatus.REFUND) {
            Long coupon = fen(a, "coupon_fee");
            Long cash = fen(a, "cash_fee");
            b.couponAmount(coupon).paidAmount(cash != null ? cash : total == null ? null : total - (coupon == null ? 0 : coupon));
            Instant paidAt = time(a, "time_end");
            if (paidAt == null && a.envelope().has("time_end")) {
                // One documented classic query answer has time_end beside data, outside the signature:
                // taken for paidAt only, never for a status or an amount.
                paidAt = timeOf(a.envelope(), "time_end");
            }
            b.paidAt(Times.format(paidAt));
        }
        return b.build();
    }

    /**
     * Classic {@code close_status}: 0 closed, 1 already closed (CLOSED with ORDER_CLOSED, as WeChat's
     * ORDERCLOSED), -1 refused (the order keeps its state). v2 answers only the code.
     */
    public PaymentResult close(PooulVerified a, @ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        PaymentResult.Builder b = PaymentResult.answering(call.request());
        if (!a.ok()) {
            return b.error(PooulCodes.error(a.code(), a.msg())).build();
        }
        String closeStatus = a.text("close_status");
        if (closeStatus == null || "0".equals(closeStatus)) {
            return b.status(PaymentStatus.CLOSED).build();
        }
        if ("1".equals(closeStatus)) {
            return b.status(PaymentStatus.CLOSED).error(PaymentError.provider(ErrorCode.ORDER_CLOSED,
                    "Pooul had already closed the order", false, "close_status=1", a.text("err_msg"))).build();
        }
        return b.error(PaymentError.provider(ErrorCode.PROVIDER_ERROR, "Pooul could not close the order", false,
                "close_status=" + closeStatus, first(a, "err_msg", "close_info"))).build();
    }

    /** v2 reverse: the payment is undone (closed, or paid back to the buyer): REVOKED. */
    public PaymentResult reverse(PooulVerified a, @ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        PaymentResult.Builder b = PaymentResult.answering(call.request());
        if (!a.ok()) {
            return b.error(PooulCodes.error(a.code(), a.msg())).build();
        }
        return b.status(PaymentStatus.REVOKED).build();
    }

    /** Classic refund: the answer names the refund (mch_refund_id, refund_id, refund_status). */
    public PaymentResult refund(PooulVerified a, @ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        PaymentRequest r = call.request();
        PaymentResult.Builder b = PaymentResult.answering(r);
        if (!a.ok()) {
            return b.error(refundRefusal(a)).build();
        }
        RefundInfo refund = refundOf(a.data(), r.refund().refundId(), r.refund().amount());
        if (refund.refundId() != null && !refund.refundId().equals(r.refund().refundId())) {
            throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "Pooul's refund answer names another mch_refund_id");
        }
        return withRefunds(b, List.of(refund)).build();
    }

    /** Classic: the one refund asked for (or every one listed). v2: every refund of the order. */
    public PaymentResult refundQuery(PooulVerified a, @ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        PaymentRequest r = call.request();
        PaymentResult.Builder b = PaymentResult.answering(r);
        if (!a.ok()) {
            PaymentError e = PooulCodes.error(a.code(), a.msg());
            if (e.code() == ErrorCode.ORDER_NOT_FOUND && r.refund() != null && r.refund().refundId() != null) {
                e = PaymentError.provider(ErrorCode.REFUND_NOT_FOUND, "Pooul has no such refund", false, a.code(), a.msg());
            }
            return b.error(e).build();
        }
        List<RefundInfo> refunds = refundsOf(a.data());
        b.providerTradeId(a.text("trade_id")).amount(fen(a, "total_fee"));
        if (a.text("trade_state") != null) {
            b.status(PooulCodes.tradeState(a.text("trade_state")));
        }
        return withRefunds(b, refunds).build();
    }

    /**
     * A refund refused. Only a signed refusal is Pooul's for certain: an unsigned one could come from
     * anyone on the way, so it is retryable and the refund stays PROCESSING for REFUND_QUERY, never
     * released to be sent again (Pooul v2 has no merchant refund number to make a second send harmless).
     */
    private static PaymentError refundRefusal(PooulVerified a) {
        PaymentError e = PooulCodes.error(a.code(), a.msg());
        if (a.signed()) {
            return e;
        }
        return PaymentError.provider(e.code(), "Pooul refused the refund in an unsigned answer; "
                + "REFUND_QUERY it to learn whether it was taken", true, a.code(), a.msg());
    }

    // ---------------------------------------------------------------- v2 refund sequence

    /**
     * The refund ids Pooul had before this refund (301, no refund yet: none). Any other error means
     * the refund cannot be told apart afterwards: it is not sent ({@link CallRefused} with Pooul's
     * error).
     */
    public void refundsBefore(PooulVerified a, @ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        if (!a.ok() && !"301".equals(a.code())) {
            throw new CallRefused(PooulCodes.error(a.code(), a.msg()));
        }
        Set<String> ids = new HashSet<>();
        if (a.ok()) {
            for (RefundInfo i : refundsOf(a.data())) {
                if (i.providerRefundId() != null) {
                    ids.add(i.providerRefundId());
                }
            }
        }
        call.note(RefundsBefore.class, new RefundsBefore(Set.copyOf(ids)));
    }

    /**
     * The v2 refund's own answer, {code, msg} only: Pooul's refusal, or the refund taken as
     * PROCESSING without a provider id, which stays the answer unless the follow-up query binds it.
     */
    public PaymentResult refundTaken(PooulVerified a, @ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        if (!a.ok()) {
            return PaymentResult.answering(call.request()).error(refundRefusal(a)).build();
        }
        return refundUnbound(call);
    }

    /**
     * The refund query after the refund: the one refund id that was not there before, with the
     * refunded amount, is this refund's. Anything else (none, or several because someone refunded
     * outside the gateway meanwhile) leaves the refund PROCESSING without a provider id.
     */
    public PaymentResult refundBound(PooulVerified a, @ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        PaymentRequest r = call.request();
        Set<String> before = call.note(RefundsBefore.class).map(RefundsBefore::ids).orElse(Set.of());
        if (!a.ok()) {
            return refundUnbound(call);
        }
        List<RefundInfo> fresh = new ArrayList<>();
        for (RefundInfo i : refundsOf(a.data())) {
            if (i.providerRefundId() != null && !before.contains(i.providerRefundId())
                    && r.refund().amount().equals(i.amount())) {
                fresh.add(i);
            }
        }
        PaymentResult.Builder b = PaymentResult.answering(r).providerTradeId(a.text("trade_id"));
        if (fresh.size() != 1) {
            return refundUnbound(call);
        }
        RefundInfo i = fresh.get(0);
        return withRefunds(b, List.of(new RefundInfo(r.refund().refundId(), i.providerRefundId(), i.amount(), i.status(),
                i.refundedAt()))).build();
    }

    /** Pooul took the refund but its id could not be learnt: PROCESSING, to be settled by REFUND_QUERY. */
    public PaymentResult refundUnbound(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
        PaymentRequest r = call.request();
        return PaymentResult.answering(r).status(PaymentStatus.REFUND).refunds(List.of(new RefundInfo(r.refund().refundId(),
                null, r.refund().amount(), "PROCESSING", null))).build();
    }

    // ---------------------------------------------------------------- field reading

    private static PaymentResult.Builder withRefunds(PaymentResult.Builder b, List<RefundInfo> refunds) {
        boolean any = refunds.stream().anyMatch(i -> !"FAILED".equals(i.status()));
        if (any) {
            b.status(PaymentStatus.REFUND);
        }
        return b.refunds(refunds);
    }

    /** {@code refunds: [...]} (v2, and classic if it lists them) or the single refund in data itself (classic). */
    private static List<RefundInfo> refundsOf(JsonNode data) {
        List<RefundInfo> out = new ArrayList<>();
        JsonNode list = data.get("refunds");
        if (list != null && list.isArray()) {
            for (JsonNode item : list) {
                if (item.isObject()) {
                    out.add(refundOf(item, null, null));
                }
            }
        } else if (data.has("refund_id") || data.has("mch_refund_id")) {
            out.add(refundOf(data, null, null));
        }
        return out;
    }

    private static RefundInfo refundOf(JsonNode n, String refundId, Long amount) {
        String state = PooulFields.text(n, n.has("refund_state") ? "refund_state" : "refund_status");
        Long fee = fen(n, "refund_fee");
        String id = PooulFields.text(n, "mch_refund_id");
        Instant at = "SUCCESS".equals(PooulCodes.refundStatus(state)) ? refundTime(n) : null;
        return new RefundInfo(id != null ? id : refundId, PooulFields.text(n, "refund_id"), fee != null ? fee : amount,
                PooulCodes.refundStatus(state), Times.format(at));
    }

    /**
     * When the refund was made, if Pooul says so readably. A form no document shows is left out
     * rather than rejecting a signed answer that reports a refund: the refund matters, its time less.
     */
    private static Instant refundTime(JsonNode n) {
        for (String field : new String[] {"refund_time", "time_end"}) {
            try {
                Instant t = PooulFields.time(n, field);
                if (t != null) {
                    return t;
                }
            } catch (PooulFields.Unreadable e) {
                // next, or none
            }
        }
        return null;
    }

    private static Object payInfo(String json) {
        if (json == null) {
            return null;
        }
        try {
            JsonNode n = PooulFields.JSON.readTree(json);
            return n != null && n.isObject() ? n : json;
        } catch (IOException e) {
            return json;
        }
    }

    private static String first(PooulVerified a, String... names) {
        for (String n : names) {
            String v = a.text(n);
            if (v != null) {
                return v;
            }
        }
        return null;
    }

    private static Long fen(PooulVerified a, String field) {
        return fen(a.data(), field);
    }

    private static Long fen(JsonNode n, String field) {
        try {
            return PooulFields.fen(n, field);
        } catch (PooulFields.Unreadable e) {
            throw new AnswerRejected(ErrorCode.PROVIDER_ERROR, e.getMessage());
        }
    }

    private static Instant time(PooulVerified a, String field) {
        return timeOf(a.data(), field);
    }

    private static Instant timeOf(JsonNode n, String field) {
        try {
            return PooulFields.time(n, field);
        } catch (PooulFields.Unreadable e) {
            throw new AnswerRejected(ErrorCode.PROVIDER_ERROR, e.getMessage());
        }
    }
}
