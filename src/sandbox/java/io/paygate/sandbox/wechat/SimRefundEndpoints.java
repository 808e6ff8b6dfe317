package io.paygate.sandbox.wechat;

import static io.paygate.sandbox.wechat.SimCall.isBlank;

import io.paygate.sandbox.wechat.SimOrderStore.RefundPlacement;
import io.paygate.sandbox.wechat.SimRefund.RefundStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** {@code /secapi/pay/refund} and {@code /pay/refundquery}. */
final class SimRefundEndpoints {

    /** Refunds per refundquery page, as WeChat pages them with {@code offset}. */
    static final int PAGE = 10;
    private static final List<String> REFUND_FIELDS = List.of("out_refund_no", "total_fee", "refund_fee");
    private static final Pattern OUT_REFUND_NO = Pattern.compile("[A-Za-z0-9_\\-|*@]{1,64}");
    private static final Pattern OFFSET = Pattern.compile("[0-9]{1,6}");

    private final SimOrderStore orders;
    private final SimIdentifiers identifiers;
    private final SimRefundSettlement settlement;

    SimRefundEndpoints(SimOrderStore orders, SimIdentifiers identifiers, SimRefundSettlement settlement) {
        this.orders = orders;
        this.identifiers = identifiers;
        this.settlement = settlement;
    }

    /**
     * Refunds part or all of a paid order. Sandbox codes where WeChat's are not documented:
     * INVALID_REQUEST for business rules (amount over what is left, total_fee not the order's,
     * an out_refund_no reused with other terms), TRADE_STATE_ERROR for an order that is not paid.
     */
    SimOutcome refund(SimCall call) {
        Optional<String> missing = call.firstMissing(REFUND_FIELDS);
        if (missing.isPresent()) {
            return SimOutcome.missingField(missing.get());
        }
        if (!OUT_REFUND_NO.matcher(call.field("out_refund_no")).matches()) {
            return SimOutcome.invalidField("out_refund_no");
        }
        for (String fee : List.of("total_fee", "refund_fee")) {
            if (!SimPayEndpoints.TOTAL_FEE.matcher(call.field(fee)).matches()) {
                return SimOutcome.invalidField(fee);
            }
        }
        String feeType = call.field("refund_fee_type");
        if (!isBlank(feeType) && !"CNY".equals(feeType)) {
            return SimOutcome.invalidField("refund_fee_type");
        }
        String notifyUrl = call.optional("notify_url");
        if (notifyUrl != null && !SimPayEndpoints.NOTIFY_URL.matcher(notifyUrl).matches()) {
            return SimOutcome.invalidField("notify_url");
        }
        String refundDesc = call.optional("refund_desc");
        if (refundDesc != null && refundDesc.length() > 80) {
            return SimOutcome.invalidField("refund_desc");
        }
        Optional<SimOrder> found;
        if (!isBlank(call.field("transaction_id"))) {
            found = orders.findByTransactionId(call.mchId(), call.field("transaction_id"));
        } else if (!isBlank(call.field("out_trade_no"))) {
            found = orders.find(call.mchId(), call.field("out_trade_no"));
        } else {
            return SimOutcome.failure("PARAM_ERROR", "缺少参数transaction_id或out_trade_no");
        }
        if (found.isEmpty()) {
            return SimOutcome.failure("ORDERNOTEXIST", "订单不存在");
        }
        SimOrder order = found.get();
        long totalFee = Long.parseLong(call.field("total_fee"));
        long refundFee = Long.parseLong(call.field("refund_fee"));
        if (totalFee != order.totalFee()) {
            return SimOutcome.failure("INVALID_REQUEST",
                    "订单金额total_fee与原订单金额不一致: the order's total_fee is " + order.totalFee());
        }
        SimRefund candidate = new SimRefund(call.mchId(), order.appId(), order.outTradeNo(), order.transactionId(),
                call.field("out_refund_no"), identifiers.refundId(), totalFee, refundFee, refundDesc, notifyUrl,
                RefundStatus.PROCESSING, identifiers.timestamp(), null, 0, null);
        RefundPlacement placement = orders.placeRefund(candidate);
        return switch (placement.kind()) {
            case PLACED -> {
                settlement.accepted(placement.refund());
                yield SimOutcome.success(refundFields(placement.refund()));
            }
            case REPEATED -> SimOutcome.success(refundFields(placement.refund()));
            case NUMBER_REUSED -> SimOutcome.failure("INVALID_REQUEST",
                    "退款单号out_refund_no已用于另一笔退款: same out_refund_no needs the same order, total_fee and refund_fee");
            case EXCEEDS -> SimOutcome.failure("INVALID_REQUEST",
                    "申请退款金额超过订单可退金额: at most " + placement.refundable() + " fen are left to refund");
            case ORDER_NOT_PAID -> SimOutcome.failure("TRADE_STATE_ERROR",
                    "订单状态错误: trade_state " + order.tradeState() + " cannot be refunded, only SUCCESS or REFUND");
        };
    }

    private static Map<String, String> refundFields(SimRefund refund) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("transaction_id", refund.transactionId());
        fields.put("out_trade_no", refund.outTradeNo());
        fields.put("out_refund_no", refund.outRefundNo());
        fields.put("refund_id", refund.refundId());
        fields.put("refund_fee", Long.toString(refund.refundFee()));
        fields.put("total_fee", Long.toString(refund.totalFee()));
        fields.put("fee_type", "CNY");
        fields.put("cash_fee", Long.toString(refund.totalFee()));
        fields.put("cash_refund_fee", Long.toString(refund.refundFee()));
        return fields;
    }

    /**
     * {@code /pay/refundquery}, by refund_id, out_refund_no, transaction_id or out_trade_no (that
     * precedence, as WeChat's). By refund the answer holds that refund; by order, the order's
     * refunds from {@code offset} (default 0), {@value #PAGE} a page, indexed from 0.
     */
    SimOutcome refundQuery(SimCall call) {
        String mchId = call.mchId();
        String offsetText = call.optional("offset");
        if (offsetText != null && !OFFSET.matcher(offsetText).matches()) {
            return SimOutcome.invalidField("offset");
        }
        int offset = offsetText == null ? 0 : Integer.parseInt(offsetText);
        List<SimRefund> refunds;
        Optional<SimOrder> order;
        if (call.optional("refund_id") != null || call.optional("out_refund_no") != null) {
            Optional<SimRefund> refund = call.optional("refund_id") != null
                    ? orders.findRefundById(mchId, call.field("refund_id"))
                    : orders.findRefund(mchId, call.field("out_refund_no"));
            refunds = refund.map(List::of).orElse(List.of());
            order = refund.flatMap(found -> orders.find(mchId, found.outTradeNo()));
        } else if (call.optional("transaction_id") != null || call.optional("out_trade_no") != null) {
            order = call.optional("transaction_id") != null
                    ? orders.findByTransactionId(mchId, call.field("transaction_id"))
                    : orders.find(mchId, call.field("out_trade_no"));
            refunds = order.map(found -> orders.refundsOf(mchId, found.outTradeNo())).orElse(List.of());
        } else {
            return SimOutcome.failure("PARAM_ERROR", "缺少参数: give refund_id, out_refund_no, transaction_id or out_trade_no");
        }
        if (refunds.isEmpty() || order.isEmpty()) {
            return SimOutcome.failure("REFUNDNOTEXIST", "退款订单查询失败: no refund found");
        }
        if (offset >= refunds.size()) {
            return SimOutcome.failure("REFUNDNOTEXIST",
                    "退款订单查询失败: offset " + offset + " is beyond the " + refunds.size() + " refunds");
        }
        List<SimRefund> page = refunds.subList(offset, Math.min(refunds.size(), offset + PAGE));
        SimOrder paid = order.get();
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("transaction_id", paid.transactionId());
        fields.put("out_trade_no", paid.outTradeNo());
        fields.put("total_fee", Long.toString(paid.totalFee()));
        fields.put("fee_type", paid.feeType());
        fields.put("cash_fee", Long.toString(paid.totalFee()));
        fields.put("refund_fee", Long.toString(refunds.stream()
                .filter(refund -> refund.refundStatus() != RefundStatus.REFUNDCLOSE).mapToLong(SimRefund::refundFee).sum()));
        fields.put("total_refund_count", Integer.toString(refunds.size()));
        fields.put("refund_count", Integer.toString(page.size()));
        for (int n = 0; n < page.size(); n++) {
            SimRefund refund = page.get(n);
            fields.put("out_refund_no_" + n, refund.outRefundNo());
            fields.put("refund_id_" + n, refund.refundId());
            fields.put("refund_channel_" + n, SimRefund.REFUND_CHANNEL);
            fields.put("refund_fee_" + n, Long.toString(refund.refundFee()));
            fields.put("settlement_refund_fee_" + n, Long.toString(refund.refundFee()));
            fields.put("refund_status_" + n, refund.refundStatus().name());
            fields.put("refund_account_" + n, SimRefund.REFUND_ACCOUNT);
            fields.put("refund_recv_accout_" + n, SimRefund.RECEIVED_BY);
            if (refund.refundStatus() == RefundStatus.SUCCESS) {
                fields.put("refund_success_time_" + n, refund.successTime());
            }
        }
        return SimOutcome.success(fields);
    }
}
