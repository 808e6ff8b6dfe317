package io.paygate.canonical;

/** One bad field of a request: its path ({@code payer.openId}, {@code items[1].quantity}) and why. */
public record FieldError(String field, String reason) {
}
