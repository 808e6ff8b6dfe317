package io.paygate.provider.ystpay.wire;

import java.util.Map;

/**
 * The decrypted {@code <data>} of an answer (or a notice), bound after its signature verified.
 * Amounts stay text here: the mapper reads them as fen and refuses anything but digits. The field
 * map keeps every field received, also ones this model does not name.
 */
public record YstpayAnswer(String responseType, String reqSeq, String result, String code, String msg, String channel,
                           String transSeq, String extTransId, String totalFee, String cashFee, String couponFee,
                           String refundSeq, String refundFee, String status, String payUrl, String payInfo,
                           String signatureInfo, String payTime, String serverTime, String dsn,
                           Map<String, String> fields) {

    public static YstpayAnswer of(Map<String, String> f) {
        return new YstpayAnswer(f.get("response_type"), f.get("req_seq"), f.get("result"), f.get("code"), f.get("msg"),
                f.get("channel"), f.get("trans_seq"), f.get("ext_trans_id"), f.get("total_fee"), f.get("cash_fee"),
                f.get("coupon_fee"), f.get("refund_seq"), f.get("refund_fee"), f.get("status"), f.get("pay_url"),
                f.get("pay_info"), f.get("signature_info"), f.get("pay_time"), f.get("server_time"), f.get("dsn"),
                Map.copyOf(f));
    }
}
