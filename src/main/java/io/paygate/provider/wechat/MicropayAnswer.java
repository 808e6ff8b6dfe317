package io.paygate.provider.wechat;

import java.util.Map;

/** Answer of {@code /pay/micropay} (barcode payment): the payment's fields when it was charged. */
public final class MicropayAnswer extends PaymentAnswer {
    MicropayAnswer(Map<String, String> verified) {
        super(verified);
    }
}
