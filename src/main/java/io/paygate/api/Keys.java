package io.paygate.api;

/** Names of the exchange properties the routes and beans share. Credentials never go in headers. */
public final class Keys {
    public static final String REQUEST = "paymentRequest";
    public static final String PROFILE = "merchantProfile";
    public static final String PROVIDER = "gatewayProvider";
    public static final String BASE_URL = "providerBaseUrl";
    /** The operation sent to the provider: QUERY for a PAY whose first attempt died mid-call. */
    public static final String PROVIDER_OPERATION = "providerOperation";
    /**
     * What the ledger knows of the order, for operations on an existing order (a refund needs the
     * order's total): {@code orderAmount} (Long, fen), {@code orderProviderTradeId},
     * {@code orderMethod} (the PAY's method name). Absent when the ledger has no such order.
     */
    public static final String ORDER_AMOUNT = "orderAmount";
    public static final String ORDER_PROVIDER_TRADE_ID = "orderProviderTradeId";
    public static final String ORDER_METHOD = "orderMethod";
    public static final String ORPHANED = "gatewayOrphanedRequest";

    private Keys() {
    }
}
