package io.paygate.sandbox.wechat;

import static io.paygate.sandbox.wechat.SimCall.isBlank;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** {@code /pay/unifiedorder}, {@code /pay/orderquery} and {@code /pay/closeorder}. */
final class SimPayEndpoints {

    private static final List<String> UNIFIED_ORDER_FIELDS = List.of(
            "body", "out_trade_no", "total_fee", "spbill_create_ip", "notify_url", "trade_type");
    static final Pattern OUT_TRADE_NO = Pattern.compile("[A-Za-z0-9_\\-|*@]{1,32}");
    /** A positive amount in fen; ten digits is already far above any single WeChat payment. */
    static final Pattern TOTAL_FEE = Pattern.compile("[1-9][0-9]{0,9}");
    static final Pattern NOTIFY_URL = Pattern.compile("https?://[^\\s?#]{1,248}");
    static final String FAKE_OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o";

    private final SimOrderStore orders;
    private final SimIdentifiers identifiers;

    SimPayEndpoints(SimOrderStore orders, SimIdentifiers identifiers) {
        this.orders = orders;
        this.identifiers = identifiers;
    }

    SimOutcome unifiedOrder(SimCall call) {
        Optional<String> missing = call.firstMissing(UNIFIED_ORDER_FIELDS);
        if (missing.isPresent()) {
            return SimOutcome.missingField(missing.get());
        }
        Optional<SimOutcome> invalid = invalidCommonOrderField(call);
        if (invalid.isPresent()) {
            return invalid.get();
        }
        if (!NOTIFY_URL.matcher(call.field("notify_url")).matches()) {
            return SimOutcome.invalidField("notify_url");
        }
        Optional<SimTradeType> tradeType = SimTradeType.fromRequest(call.field("trade_type"));
        if (tradeType.isEmpty()) {
            return SimOutcome.invalidField("trade_type");
        }
        if (!tradeType.get().simulated()) {
            return SimOutcome.failure("PARAM_ERROR",
                    "trade_type " + tradeType.get() + " is not simulated by the sandbox, use NATIVE");
        }
        missing = call.firstMissing(tradeType.get().requiredFields());
        if (missing.isPresent()) {
            return SimOutcome.missingField(missing.get());
        }
        String productId = call.field("product_id");
        if (productId != null && productId.length() > 32) {
            return SimOutcome.invalidField("product_id");
        }

        SimOrder candidate = newOrder(call, tradeType.get());
        Optional<SimOrder> existing = orders.placeIfAbsent(candidate);
        if (existing.isPresent()) {
            SimOrder order = existing.get();
            Optional<SimOutcome> ended = endedOrder(order);
            if (ended.isPresent()) {
                return ended.get();
            }
            if (!order.sameTermsAs(candidate)) {
                return SimOutcome.failure("OUT_TRADE_NO_USED", "商户订单号重复");
            }
        }
        SimOrder order = existing.orElse(candidate);
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("device_info", call.field("device_info"));
        fields.put("trade_type", order.tradeType());
        fields.put("prepay_id", order.prepayId());
        fields.put("code_url", order.codeUrl());
        if (SimTradeType.MWEB.name().equals(order.tradeType())) {
            fields.put("mweb_url", "https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=" + order.prepayId()
                    + "&package=" + Math.abs(order.prepayId().hashCode()));
        }
        return SimOutcome.success(fields);
    }

    /** out_trade_no, total_fee, body and fee_type, checked alike by unifiedorder and micropay. */
    static Optional<SimOutcome> invalidCommonOrderField(SimCall call) {
        if (!OUT_TRADE_NO.matcher(call.field("out_trade_no")).matches()) {
            return Optional.of(SimOutcome.invalidField("out_trade_no"));
        }
        if (!TOTAL_FEE.matcher(call.field("total_fee")).matches()) {
            return Optional.of(SimOutcome.invalidField("total_fee"));
        }
        if (call.field("body").length() > 128) {
            return Optional.of(SimOutcome.invalidField("body"));
        }
        String feeType = call.field("fee_type");
        if (!isBlank(feeType) && !"CNY".equals(feeType)) {
            return Optional.of(SimOutcome.invalidField("fee_type"));
        }
        return Optional.empty();
    }

    /** The answer to ordering again an order that can no longer be paid, if it is one. */
    static Optional<SimOutcome> endedOrder(SimOrder order) {
        return switch (order.tradeState()) {
            case SUCCESS, REFUND -> Optional.of(SimOutcome.failure("ORDERPAID", "该订单已支付"));
            case CLOSED -> Optional.of(SimOutcome.failure("ORDERCLOSED", "该订单已关闭"));
            case REVOKED -> Optional.of(SimOutcome.failure("ORDERREVERSED", "该订单已撤销"));
            default -> Optional.empty();
        };
    }

    private SimOrder newOrder(SimCall call, SimTradeType tradeType) {
        String codeUrl = tradeType == SimTradeType.NATIVE ? identifiers.codeUrl() : null;
        String feeType = isBlank(call.field("fee_type")) ? "CNY" : call.field("fee_type");
        return new SimOrder(call.mchId(), call.field("appid"), call.field("out_trade_no"),
                call.field("body"), Long.parseLong(call.field("total_fee")), feeType, tradeType.name(),
                call.optional("product_id"), call.optional("attach"), call.optional("device_info"),
                call.field("notify_url"), call.field("spbill_create_ip"), identifiers.prepayId(), codeUrl,
                identifiers.timestamp(), SimOrder.TradeState.NOTPAY, null, null, null);
    }

    /**
     * {@code /pay/closeorder}: an unpaid order (NOTPAY, USERPAYING, PAYERROR) is closed; a paid or
     * refunded one answers ORDERPAID, a closed one ORDERCLOSED, a reversed one ORDERREVERSED.
     * (WeChat also refuses closes within 5 minutes of creation; the sandbox does not, so a demo
     * need not wait.)
     */
    SimOutcome closeOrder(SimCall call) {
        String outTradeNo = call.field("out_trade_no");
        if (isBlank(outTradeNo)) {
            return SimOutcome.missingField("out_trade_no");
        }
        Optional<SimOrder> found = orders.find(call.mchId(), outTradeNo);
        if (found.isEmpty()) {
            return SimOutcome.failure("ORDERNOTEXIST", "订单不存在");
        }
        Optional<SimOutcome> refused = closeRefusal(found.get());
        if (refused.isPresent()) {
            return refused.get();
        }
        try {
            SimOrder closed = orders.update(found.get(), SimOrder::closed);
            if (closed.tradeState() != SimOrder.TradeState.CLOSED) {
                return closeRefusal(closed).orElseThrow();
            }
        } catch (SimOrder.StateConflict e) {
            // Paid or reversed between the look-up and the update.
            return closeRefusal(orders.find(call.mchId(), outTradeNo).orElseThrow()).orElseThrow();
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("result_msg", "OK");
        return SimOutcome.success(fields);
    }

    private static Optional<SimOutcome> closeRefusal(SimOrder order) {
        return switch (order.tradeState()) {
            case SUCCESS, REFUND -> Optional.of(SimOutcome.failure("ORDERPAID", "订单已支付，不能发起关单"));
            case CLOSED -> Optional.of(SimOutcome.failure("ORDERCLOSED", "订单已关闭，无法重复关闭"));
            case REVOKED -> Optional.of(SimOutcome.failure("ORDERREVERSED", "订单已撤销，不能发起关单"));
            default -> Optional.empty();
        };
    }

    /**
     * {@code /pay/orderquery}: a barcode order waiting for the payer's password may get paid by
     * this very query (see {@link SimAuthCode}).
     */
    SimOutcome orderQuery(SimCall call) {
        String mchId = call.mchId();
        String transactionId = call.field("transaction_id");
        String outTradeNo = call.field("out_trade_no");
        Optional<SimOrder> found;
        // WeChat gives transaction_id precedence when both are sent.
        if (!isBlank(transactionId)) {
            found = orders.findByTransactionId(mchId, transactionId);
        } else if (!isBlank(outTradeNo)) {
            found = orders.find(mchId, outTradeNo);
        } else {
            return SimOutcome.failure("PARAM_ERROR", "缺少参数transaction_id或out_trade_no");
        }
        if (found.isEmpty()) {
            return SimOutcome.failure("ORDERNOTEXIST", "订单不存在");
        }
        SimOrder order = found.get();
        if (order.tradeState() == SimOrder.TradeState.USERPAYING) {
            order = orders.update(order,
                    current -> current.queriedWhileUserPaying(identifiers.transactionId(), identifiers.timestamp()));
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("trade_state", order.tradeState().name());
        fields.put("trade_state_desc", order.tradeState().description());
        fields.put("out_trade_no", order.outTradeNo());
        fields.put("total_fee", Long.toString(order.totalFee()));
        fields.put("fee_type", order.feeType());
        fields.put("trade_type", order.tradeType());
        fields.put("attach", order.attach());
        fields.put("device_info", order.deviceInfo());
        if (order.transactionId() != null) {
            fields.putAll(paymentFields(order));
        }
        return SimOutcome.success(fields);
    }

    /** What WeChat tells about a payment that happened (orderquery, micropay). */
    static Map<String, String> paymentFields(SimOrder order) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("transaction_id", order.transactionId());
        fields.put("time_end", order.timeEnd());
        fields.put("cash_fee", Long.toString(order.totalFee()));
        fields.put("bank_type", "OTHERS");
        fields.put("openid", FAKE_OPENID);
        fields.put("is_subscribe", "N");
        return fields;
    }
}
