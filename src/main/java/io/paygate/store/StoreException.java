package io.paygate.store;

/** The store could not be reached or refused a statement. */
public final class StoreException extends RuntimeException {
    public StoreException(Throwable cause) {
        super("order store failure: " + cause.getMessage(), cause);
    }
}
