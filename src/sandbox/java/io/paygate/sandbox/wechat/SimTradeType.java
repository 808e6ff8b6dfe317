package io.paygate.sandbox.wechat;

import java.util.List;
import java.util.Optional;

/**
 * WeChat Pay v2 trade types of the unified order, with the fields each needs on top of the common
 * ones. NATIVE answers a {@code code_url}, MWEB a {@code mweb_url}, JSAPI and APP only the
 * {@code prepay_id} their front ends launch the wallet with.
 */
enum SimTradeType {
    NATIVE(true, List.of("product_id")),
    JSAPI(true, List.of("openid")),
    APP(true, List.of()),
    MWEB(true, List.of("scene_info"));

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
