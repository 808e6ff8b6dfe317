package io.paygate.api;

/** Names of the exchange properties the routes and beans share. Credentials never go in headers. */
public final class Keys {
    public static final String REQUEST = "paymentRequest";
    public static final String PROFILE = "merchantProfile";
    public static final String PROVIDER = "gatewayProvider";
    public static final String BASE_URL = "providerBaseUrl";
    /** The operation sent to the provider: QUERY for a PAY whose first attempt died mid-call. */
    public static final String PROVIDER_OPERATION = "providerOperation";
    public static final String ORPHANED = "gatewayOrphanedRequest";

    private Keys() {
    }
}
