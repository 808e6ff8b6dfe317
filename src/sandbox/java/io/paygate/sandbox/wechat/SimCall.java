package io.paygate.sandbox.wechat;

import io.paygate.sandbox.wechat.SimSigner.SignType;
import io.paygate.sandbox.wechat.WechatSimulator.Merchant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A request whose signature checked out: its merchant, the sign type the answer must use, its fields. */
record SimCall(Merchant merchant, SignType signType, Map<String, String> request) {

    String field(String name) {
        return request.get(name);
    }

    /** The field's value, or null when it is absent or blank. */
    String optional(String name) {
        String value = request.get(name);
        return isBlank(value) ? null : value;
    }

    String mchId() {
        return merchant.mchId();
    }

    Optional<String> firstMissing(List<String> required) {
        return required.stream().filter(name -> isBlank(field(name))).findFirst();
    }

    static boolean isBlank(String value) {
        return value == null || value.isBlank();
    }
}
