package io.paygate.store;

/** An order with this (merchant, orderId) is already in the ledger. */
public final class DuplicateOrderException extends RuntimeException {
    public DuplicateOrderException(String merchant, String orderId) {
        super("order " + orderId + " of merchant " + merchant + " already exists");
    }
}
