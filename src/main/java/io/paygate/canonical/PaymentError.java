package io.paygate.canonical;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** The {@code error} object of a result. {@code retryable}: the same request may succeed later. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PaymentError(ErrorCode code, String message, boolean retryable, String providerCode,
                           String providerMessage, List<FieldError> fields) {

    public static PaymentError of(ErrorCode code, String message, boolean retryable) {
        return new PaymentError(code, message, retryable, null, null, null);
    }

    public static PaymentError provider(ErrorCode code, String message, boolean retryable,
                                        String providerCode, String providerMessage) {
        return new PaymentError(code, message, retryable, providerCode, providerMessage, null);
    }

    public static PaymentError invalid(List<FieldError> fields) {
        String first = fields.isEmpty() ? "invalid request" : fields.get(0).field() + ": " + fields.get(0).reason();
        String message = fields.size() > 1 ? first + " (and " + (fields.size() - 1) + " more)" : first;
        return new PaymentError(ErrorCode.INVALID_REQUEST, message, false, null, null, List.copyOf(fields));
    }
}
