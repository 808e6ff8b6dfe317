package io.paygate.sandbox.wechat;

import java.util.List;
import java.util.Optional;

/**
 * WeChat Pay v2 trade types. Only NATIVE (QR code) is simulated; the others are known so that a
 * request for them gets a clear "not simulated" answer, and adding one means flipping
 * {@code simulated}, listing its extra required fields and answering its launch fields
 * (e.g. {@code mweb_url}) in {@link SimTradeApi}.
 */
enum SimTradeType {
    NATIVE(true, List.of("product_id")),
    JSAPI(false, List.of("openid")),
    APP(false, List.of()),
    MWEB(false, List.of());

    private final boolean simulated;
    private final List<String> requiredFields;

    SimTradeType(boolean simulated, List<String> requiredFields) {
        this.simulated = simulated;
        this.requiredFields = requiredFields;
    }

    boolean simulated() {
        return simulated;
    }

    /** Fields that this trade type needs on top of those every unified order needs. */
    List<String> requiredFields() {
        return requiredFields;
    }

    static Optional<SimTradeType> fromRequest(String tradeType) {
        for (SimTradeType type : values()) {
            if (type.name().equals(tradeType)) {
                return Optional.of(type);
            }
        }
        return Optional.empty();
    }
}
