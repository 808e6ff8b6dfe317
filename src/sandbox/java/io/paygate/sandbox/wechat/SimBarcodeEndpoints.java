package io.paygate.sandbox.wechat;

import static io.paygate.sandbox.wechat.SimCall.isBlank;

import io.paygate.sandbox.wechat.SimOrder.TradeState;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Barcode payments: {@code /pay/micropay} (the cashier scans the payer's code; the outcome is
 * chosen by the code, see {@link SimAuthCode}) and {@code /secapi/pay/reverse}.
 */
final class SimBarcodeEndpoints {

    static final String MICROPAY = "MICROPAY";
    private static final List<String> MICROPAY_FIELDS = List.of(
            "body", "out_trade_no", "total_fee", "spbill_create_ip", "auth_code");

    private final SimOrderStore orders;
    private final SimIdentifiers identifiers;
    private final SimFaults faults;

    SimBarcodeEndpoints(SimOrderStore orders, SimIdentifiers identifiers, SimFaults faults) {
        this.orders = orders;
        this.identifiers = identifiers;
        this.faults = faults;
    }

    SimOutcome micropay(SimCall call) {
        Optional<String> missing = call.firstMissing(MICROPAY_FIELDS);
        if (missing.isPresent()) {
            return SimOutcome.missingField(missing.get());
        }
        Optional<SimOutcome> invalid = SimPayEndpoints.invalidCommonOrderField(call);
        if (invalid.isPresent()) {
            return invalid.get();
        }
        SimAuthCode code = SimAuthCode.of(call.field("auth_code"));
        switch (code) {
            case INVALID -> {
                return SimOutcome.failure("AUTH_CODE_INVALID",
                        "付款码无效，请重新扫码: auth_code must be 18 digits starting 10 to 15");
            }
            case EXPIRED -> {
                return SimOutcome.failure("AUTHCODEEXPIRE", "二维码已过期，请用户在微信上刷新后再试");
            }
            case SYSTEMERROR_NO_ORDER -> {
                return SimOutcome.failure("SYSTEMERROR", "系统超时，请查询订单");
            }
            default -> {
                // an order comes into being
            }
        }
        SimOrder candidate = newOrder(call, code);
        Optional<SimOrder> existing = orders.placeIfAbsent(candidate);
        SimOrder order = candidate;
        if (existing.isPresent()) {
            SimOrder found = existing.get();
            Optional<SimOutcome> ended = SimPayEndpoints.endedOrder(found);
            if (ended.isPresent()) {
                return ended.get();
            }
            if (!found.sameTermsAs(candidate)) {
                return SimOutcome.failure("OUT_TRADE_NO_USED", "商户订单号重复");
            }
            if (found.tradeState() == TradeState.USERPAYING) {
                return SimOutcome.failure("USERPAYING", "需要用户输入支付密码");
            }
            // PAYERROR (e.g. not enough money): the payer tries again with another code.
            try {
                order = orders.update(found, current -> {
                    if (current.tradeState() != TradeState.PAYERROR) {
                        throw new SimOrder.StateConflict("order changed meanwhile");
                    }
                    return candidate;
                });
            } catch (SimOrder.StateConflict e) {
                return SimOutcome.failure("SYSTEMERROR", "系统繁忙，请查询订单");
            }
        }
        return answer(code, order);
    }

    private SimOutcome answer(SimAuthCode code, SimOrder order) {
        return switch (code) {
            case USERPAYING_THEN_PAID, USERPAYING_FOREVER -> SimOutcome.failure("USERPAYING", "需要用户输入支付密码");
            case SYSTEMERROR_BUT_PAID -> SimOutcome.failure("SYSTEMERROR", "系统超时，请查询订单");
            case NOTENOUGH -> SimOutcome.failure("NOTENOUGH", "余额不足，请用户换卡支付");
            default -> {
                Map<String, String> fields = new LinkedHashMap<>();
                fields.put("device_info", order.deviceInfo());
                fields.put("trade_type", MICROPAY);
                fields.put("fee_type", order.feeType());
                fields.put("total_fee", Long.toString(order.totalFee()));
                fields.put("out_trade_no", order.outTradeNo());
                fields.put("attach", order.attach());
                fields.putAll(SimPayEndpoints.paymentFields(order));
                yield SimOutcome.success(fields);
            }
        };
    }

    private SimOrder newOrder(SimCall call, SimAuthCode code) {
        TradeState state = switch (code) {
            case PAID, SYSTEMERROR_BUT_PAID -> TradeState.SUCCESS;
            case USERPAYING_THEN_PAID, USERPAYING_FOREVER -> TradeState.USERPAYING;
            case NOTENOUGH -> TradeState.PAYERROR;
            default -> throw new IllegalArgumentException("no order for " + code);
        };
        boolean paid = state == TradeState.SUCCESS;
        Integer queriesLeft = code == SimAuthCode.USERPAYING_THEN_PAID ? SimAuthCode.QUERIES_UNTIL_PAID : null;
        String feeType = isBlank(call.field("fee_type")) ? "CNY" : call.field("fee_type");
        return new SimOrder(call.mchId(), call.field("appid"), call.field("out_trade_no"), call.field("body"),
                Long.parseLong(call.field("total_fee")), feeType, MICROPAY, null, call.optional("attach"),
                call.optional("device_info"), null, call.field("spbill_create_ip"), null, null,
                identifiers.timestamp(), state, paid ? identifiers.transactionId() : null,
                paid ? identifiers.timestamp() : null, queriesLeft);
    }

    /**
     * {@code /secapi/pay/reverse}: the order becomes REVOKED whatever it was (an unpaid one can no
     * longer be paid, a paid one is paid back), answered with recall=N; an order with refunds
     * answers TRADE_STATE_ERROR. A planned recall fault answers SYSTEMERROR with recall=Y and
     * reverses nothing.
     */
    SimOutcome reverse(SimCall call) {
        if (faults.takeRecall()) {
            return SimOutcome.failure("SYSTEMERROR", "系统异常，请重新调用撤销", Map.of("recall", "Y"));
        }
        String transactionId = call.field("transaction_id");
        String outTradeNo = call.field("out_trade_no");
        Optional<SimOrder> found;
        if (!isBlank(transactionId)) {
            found = orders.findByTransactionId(call.mchId(), transactionId);
        } else if (!isBlank(outTradeNo)) {
            found = orders.find(call.mchId(), outTradeNo);
        } else {
            return SimOutcome.failure("PARAM_ERROR", "缺少参数transaction_id或out_trade_no").with("recall", "N");
        }
        if (found.isEmpty()) {
            return SimOutcome.failure("ORDERNOTEXIST", "订单不存在").with("recall", "N");
        }
        try {
            orders.update(found.get(), SimOrder::reversed);
        } catch (SimOrder.StateConflict e) {
            return SimOutcome.failure("TRADE_STATE_ERROR", "订单已退款，不能撤销").with("recall", "N");
        }
        return SimOutcome.success(Map.of("recall", "N"));
    }
}
