package io.paygate.provider;

/**
 * What the ledger knows of an existing order when a call about it is made: a WeChat refund
 * names the order's {@code total_fee}, a reverse its transaction id.
 *
 * @param amount the order's amount in fen
 * @param providerTradeId the provider's trade id, when known
 * @param method the PAY's method name (SCAN, MICRO, ...)
 */
public record OrderSnapshot(Long amount, String providerTradeId, String method) {
}
