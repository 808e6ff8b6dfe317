package io.paygate.sandbox.ystpay;

import java.util.ArrayList;
import java.util.List;

/** One payment at the simulated Ystpay, keyed by the account and its pay req_seq. Guarded by the simulator's lock. */
final class SimYstOrder {
    final String account;
    final String paySeq;
    final String requestType;
    final String transSeq;
    final long totalFee;
    String channel;
    /** W waiting, S paid, F failed, R revoked. */
    String status = "W";
    String payTime;
    final List<Refund> refunds = new ArrayList<>();

    SimYstOrder(String account, String paySeq, String requestType, String transSeq, long totalFee, String channel) {
        this.account = account;
        this.paySeq = paySeq;
        this.requestType = requestType;
        this.transSeq = transSeq;
        this.totalFee = totalFee;
        this.channel = channel;
    }

    long refunded() {
        return refunds.stream().mapToLong(r -> r.fee).sum();
    }

    static final class Refund {
        final String reqSeq;
        final String refundSeq;
        final long fee;
        final String time;

        Refund(String reqSeq, String refundSeq, long fee, String time) {
            this.reqSeq = reqSeq;
            this.refundSeq = refundSeq;
            this.fee = fee;
            this.time = time;
        }
    }
}
