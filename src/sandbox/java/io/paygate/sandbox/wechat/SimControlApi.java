package io.paygate.sandbox.wechat;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The sandbox user's side of the simulator: what a payer or WeChat's back office would do (pay,
 * close, finish refunds), plus inspection and fault planning for tests. Answers are JSON; the paths are
 * documented in {@link WechatSimulator} and are a stable interface.
 */
final class SimControlApi {

    static final String PREFIX = "/sandbox/wechat/";
    private static final String PAY = PREFIX + "pay";
    private static final String CLOSE = PREFIX + "close";
    private static final String NOTIFY = PREFIX + "notify";
    private static final String ORDERS = PREFIX + "orders/";
    private static final String STATS = PREFIX + "stats";
    private static final String CALLS = PREFIX + "calls";
    private static final String FAULTS = PREFIX + "faults";
    private static final String REFUNDS = PREFIX + "refunds/";
    private static final String REFUND_DELAY = REFUNDS + "delay";
    private static final String REFUND_NOTIFY = REFUNDS + "notify";
    private static final Map<String, SimRefund.RefundStatus> REFUND_OUTCOMES = Map.of(
            REFUNDS + "succeed", SimRefund.RefundStatus.SUCCESS,
            REFUNDS + "fail", SimRefund.RefundStatus.REFUNDCLOSE,
            REFUNDS + "change", SimRefund.RefundStatus.CHANGE);

    /** Ten minutes is longer than any sensible gateway timeout and keeps a typo from hanging a thread for days. */
    private static final long MAX_DELAY_MS = 600_000;
    private static final Pattern ERR_CODE = Pattern.compile("[A-Z][A-Z0-9_]{0,31}");
    private static final Pattern COUNT = Pattern.compile("[0-9]{1,6}");
    private static final Pattern DELAY = Pattern.compile("[0-9]{1,6}");
    private static final Pattern REFUND_DELAY_MS = Pattern.compile("-1|[0-9]{1,6}");

    /** An HTTP status and the object to write as its JSON body. */
    record JsonReply(int status, Object body) {
    }

    /** Ends a control request early with an HTTP status and {@code {"error": message}}. */
    private static final class Refusal extends RuntimeException {
        private final int status;

        Refusal(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private final SimOrderStore orders;
    private final SimFaults faults;
    private final SimIdentifiers identifiers;
    private final SimCallCounter calls;
    private final SimNotifier notifier;
    private final SimRefundSettlement settlement;

    SimControlApi(SimOrderStore orders, SimFaults faults, SimIdentifiers identifiers, SimCallCounter calls,
                  SimNotifier notifier, SimRefundSettlement settlement) {
        this.notifier = notifier;
        this.settlement = settlement;
        this.orders = orders;
        this.faults = faults;
        this.identifiers = identifiers;
        this.calls = calls;
    }

    /**
     * @param rawQuery the undecoded query string, or null
     * @param formBody an {@code application/x-www-form-urlencoded} body (may be empty); query
     *                 parameters win over body parameters of the same name
     */
    JsonReply handle(String method, String path, String rawQuery, String formBody) {
        try {
            Map<String, String> params = parameters(formBody);
            params.putAll(parameters(rawQuery));
            if (path.equals(PAY)) {
                return pay(method, params);
            }
            if (path.equals(NOTIFY)) {
                return notifyPaid(method, params);
            }
            if (path.equals(CLOSE)) {
                return close(method, params);
            }
            if (path.equals(STATS)) {
                requireMethod(method, "GET");
                return stats();
            }
            if (path.equals(CALLS)) {
                requireMethod(method, "GET");
                return callLog(params.get("out_trade_no"));
            }
            if (path.equals(FAULTS)) {
                return faults(method, params);
            }
            if (path.startsWith(REFUNDS)) {
                return refunds(method, path, params);
            }
            if (path.startsWith(ORDERS) && path.length() > ORDERS.length()) {
                requireMethod(method, "GET");
                return new JsonReply(200, locate(path.substring(ORDERS.length()), params.get("mch_id")));
            }
            throw new Refusal(404, "not found");
        } catch (Refusal refusal) {
            return error(refusal.status, refusal.getMessage());
        }
    }

    static JsonReply error(int status, String message) {
        return new JsonReply(status, Map.of("error", message));
    }

    private JsonReply pay(String method, Map<String, String> params) {
        requireMethod(method, "POST");
        SimOrder order = locate(required(params, "out_trade_no"), params.get("mch_id"));
        SimOrder paid = change(order, current -> current.paid(identifiers.transactionId(), identifiers.timestamp()));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("out_trade_no", paid.outTradeNo());
        body.put("trade_state", paid.tradeState().name());
        body.put("transaction_id", paid.transactionId());
        return new JsonReply(200, body);
    }

    /**
     * The buyer pays (if the order is not paid yet) and WeChat sends its pay notification to the
     * order's notify_url, signed with the merchant's key ({@code sign_type}: MD5 by default, or
     * HMAC-SHA256). Answers what the gateway replied.
     */
    private JsonReply notifyPaid(String method, Map<String, String> params) {
        requireMethod(method, "POST");
        SimOrder order = locate(required(params, "out_trade_no"), params.get("mch_id"));
        SimOrder paid = order.tradeState() == SimOrder.TradeState.SUCCESS ? order
                : change(order, current -> current.paid(identifiers.transactionId(), identifiers.timestamp()));
        SimSigner.SignType type = SimSigner.SignType.fromRequest(params.get("sign_type"))
                .orElseThrow(() -> new Refusal(400, "sign_type must be MD5 or HMAC-SHA256"));
        SimNotifier.Delivery delivery = notifier.payNotification(paid, type);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("out_trade_no", paid.outTradeNo());
        body.put("trade_state", paid.tradeState().name());
        body.put("transaction_id", paid.transactionId());
        body.put("notify_url", paid.notifyUrl());
        body.put("gateway_status", delivery.status());
        body.put("gateway_reply", delivery.reply());
        return new JsonReply(200, body);
    }

    /** Not in WeChat's API for payers, but it makes ORDERCLOSED reachable for gateway tests. */
    private JsonReply close(String method, Map<String, String> params) {
        requireMethod(method, "POST");
        SimOrder order = locate(required(params, "out_trade_no"), params.get("mch_id"));
        SimOrder closed = change(order, SimOrder::closed);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("out_trade_no", closed.outTradeNo());
        body.put("trade_state", closed.tradeState().name());
        return new JsonReply(200, body);
    }

    private JsonReply refunds(String method, String path, Map<String, String> params) {
        if (path.equals(REFUND_DELAY)) {
            requireMethod(method, "POST");
            String delay = required(params, "delay_ms");
            if (!REFUND_DELAY_MS.matcher(delay).matches() || Long.parseLong(delay) > MAX_DELAY_MS) {
                throw new Refusal(400, "delay_ms must be -1 (manual) or 0.." + MAX_DELAY_MS);
            }
            settlement.delay(java.time.Duration.ofMillis(Long.parseLong(delay)));
            return new JsonReply(200, Map.of("delay_ms", Long.parseLong(delay)));
        }
        SimRefund.RefundStatus outcome = REFUND_OUTCOMES.get(path);
        if (outcome != null) {
            requireMethod(method, "POST");
            SimRefund refund = locateRefund(required(params, "out_refund_no"), params.get("mch_id"));
            try {
                return new JsonReply(200, refundView(settlement.finish(refund, outcome)));
            } catch (SimOrder.StateConflict conflict) {
                throw new Refusal(409, conflict.getMessage());
            }
        }
        if (path.equals(REFUND_NOTIFY)) {
            requireMethod(method, "POST");
            SimRefund refund = locateRefund(required(params, "out_refund_no"), params.get("mch_id"));
            if (refund.notifyUrl() == null) {
                throw new Refusal(409, "the refund has no notify_url");
            }
            if (!refund.refundStatus().isFinal()) {
                throw new Refusal(409, "the refund is still PROCESSING; WeChat notifies final states only");
            }
            SimNotifier.Delivery delivery = settlement.notifyNow(refund);
            Map<String, Object> body = refundView(refund);
            body.put("gateway_status", delivery.status());
            body.put("gateway_reply", delivery.reply());
            return new JsonReply(200, body);
        }
        if (path.length() > REFUNDS.length() && path.indexOf('/', REFUNDS.length()) < 0) {
            requireMethod(method, "GET");
            return new JsonReply(200, refundView(locateRefund(path.substring(REFUNDS.length()), params.get("mch_id"))));
        }
        throw new Refusal(404, "not found");
    }

    private SimRefund locateRefund(String outRefundNo, String mchId) {
        if (mchId != null && !mchId.isEmpty()) {
            return orders.findRefund(mchId, outRefundNo).orElseThrow(() -> new Refusal(404, "no such refund"));
        }
        List<SimRefund> matches = orders.findRefundAtAnyMerchant(outRefundNo);
        if (matches.isEmpty()) {
            throw new Refusal(404, "no such refund");
        }
        if (matches.size() > 1) {
            throw new Refusal(409, "out_refund_no exists at several merchants, give mch_id");
        }
        return matches.get(0);
    }

    /** The refund as the control API shows it, fresh from the store. */
    private Map<String, Object> refundView(SimRefund refund) {
        SimRefund current = orders.findRefund(refund.mchId(), refund.outRefundNo()).orElse(refund);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("mch_id", current.mchId());
        body.put("out_trade_no", current.outTradeNo());
        body.put("transaction_id", current.transactionId());
        body.put("out_refund_no", current.outRefundNo());
        body.put("refund_id", current.refundId());
        body.put("total_fee", current.totalFee());
        body.put("refund_fee", current.refundFee());
        body.put("refund_status", current.refundStatus().name());
        body.put("success_time", current.successTime());
        body.put("notify_url", current.notifyUrl());
        body.put("notify_attempts", current.notifyAttempts());
        body.put("notify_result", current.notifyResult());
        return body;
    }

    private SimOrder change(SimOrder order, UnaryOperator<SimOrder> change) {
        try {
            return orders.update(order, change);
        } catch (SimOrder.StateConflict conflict) {
            throw new Refusal(409, conflict.getMessage());
        }
    }

    private JsonReply stats() {
        Map<String, Long> snapshot = calls.snapshot();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("calls", snapshot);
        body.put("total", snapshot.values().stream().mapToLong(Long::longValue).sum());
        return new JsonReply(200, body);
    }

    private JsonReply callLog(String outTradeNo) {
        List<Map<String, Object>> entries = new java.util.ArrayList<>();
        for (SimCallCounter.Logged l : calls.logged(outTradeNo == null || outTradeNo.isEmpty() ? null : outTradeNo)) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("at", l.atMillis());
            e.put("path", l.path());
            e.put("out_trade_no", l.outTradeNo());
            e.put("out_refund_no", l.outRefundNo());
            entries.add(e);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("calls", entries);
        body.put("dropped", calls.dropped());
        return new JsonReply(200, body);
    }

    private JsonReply faults(String method, Map<String, String> params) {
        switch (method) {
            case "GET" -> {
                // just report the plan below
            }
            case "DELETE" -> faults.clear();
            case "POST" -> planFaults(params);
            default -> throw new Refusal(405, "method not allowed");
        }
        return new JsonReply(200, planView(faults.plan()));
    }

    private void planFaults(Map<String, String> params) {
        String delay = params.get("delay_ms");
        String failWith = params.get("fail_with");
        String recall = params.get("recall");
        if (delay == null && failWith == null && recall == null) {
            throw new Refusal(400, "give delay_ms, fail_with or recall");
        }
        if (recall != null && !COUNT.matcher(recall).matches()) {
            throw new Refusal(400, "recall must be a number of reverse calls");
        }
        String countText = params.getOrDefault("count", "1");
        if (!COUNT.matcher(countText).matches()) {
            throw new Refusal(400, "count must be a number of calls");
        }
        int count = Integer.parseInt(countText);
        if (delay != null) {
            if (!DELAY.matcher(delay).matches() || Long.parseLong(delay) > MAX_DELAY_MS) {
                throw new Refusal(400, "delay_ms must be 0.." + MAX_DELAY_MS);
            }
        }
        if (failWith != null && !ERR_CODE.matcher(failWith).matches()) {
            throw new Refusal(400, "fail_with must be an err_code such as SYSTEMERROR");
        }
        // Validate everything first so a bad request plans nothing.
        if (delay != null) {
            faults.planDelay(Long.parseLong(delay), count);
        }
        if (failWith != null) {
            faults.planFailure(failWith, count);
        }
        if (recall != null) {
            faults.planRecalls(Integer.parseInt(recall));
        }
    }

    private static Map<String, Object> planView(SimFaults.Plan plan) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("delay_ms", plan.delayMs());
        body.put("delays_left", plan.delaysLeft());
        body.put("fail_with", plan.failWith());
        body.put("failures_left", plan.failuresLeft());
        body.put("recalls_left", plan.recallsLeft());
        return body;
    }

    /** The order with this out_trade_no, at the given merchant or, without one, at the only merchant that has it. */
    private SimOrder locate(String outTradeNo, String mchId) {
        if (mchId != null && !mchId.isEmpty()) {
            return orders.find(mchId, outTradeNo).orElseThrow(() -> new Refusal(404, "no such order"));
        }
        List<SimOrder> matches = orders.findAtAnyMerchant(outTradeNo);
        if (matches.isEmpty()) {
            throw new Refusal(404, "no such order");
        }
        if (matches.size() > 1) {
            throw new Refusal(409, "out_trade_no exists at several merchants, give mch_id");
        }
        return matches.get(0);
    }

    private static String required(Map<String, String> params, String name) {
        String value = params.get(name);
        if (value == null || value.isEmpty()) {
            throw new Refusal(400, name + " is required");
        }
        return value;
    }

    private static void requireMethod(String method, String expected) {
        if (!expected.equals(method)) {
            throw new Refusal(405, "method not allowed, use " + expected);
        }
    }

    private static Map<String, String> parameters(String encoded) {
        Map<String, String> params = new LinkedHashMap<>();
        if (encoded == null || encoded.isBlank()) {
            return params;
        }
        for (String pair : encoded.strip().split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int equals = pair.indexOf('=');
            String name = equals < 0 ? pair : pair.substring(0, equals);
            String value = equals < 0 ? "" : pair.substring(equals + 1);
            try {
                params.put(URLDecoder.decode(name, StandardCharsets.UTF_8),
                        URLDecoder.decode(value, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException malformed) {
                throw new Refusal(400, "malformed parameters");
            }
        }
        return params;
    }
}
