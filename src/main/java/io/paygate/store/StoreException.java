package io.paygate.store;

/**
 * The store could not be reached or refused a statement. A refusal that would come again however
 * often the work is retried (bad data, a constraint, a wrong statement) is the subclass
 * {@link StoreRefusedException}: the entry routes tell the two apart (routes/errors.yaml).
 */
public class StoreException extends RuntimeException {
    public StoreException(Throwable cause) {
        super("order store failure: " + cause.getMessage(), cause);
    }
}
