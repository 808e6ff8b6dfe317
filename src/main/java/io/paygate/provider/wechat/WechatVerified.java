package io.paygate.provider.wechat;

import java.util.Map;

/**
 * A WeChat Pay answer that passed {@link WechatAnswerFormat}: read by the hardened parser,
 * signature-checked over every field received and bound from those fields. Only that data format
 * makes one, so a result mapper that takes it can never see an unverified answer.
 *
 * @param <T> the typed answer
 */
public final class WechatVerified<T> {
    private final Map<String, String> fields;
    private final T answer;

    WechatVerified(Map<String, String> fields, T answer) {
        this.fields = Map.copyOf(fields);
        this.answer = answer;
    }

    /** Every field received, verified (also those no typed answer names, such as indexed coupons). */
    public Map<String, String> fields() {
        return fields;
    }

    /** The typed answer. */
    public T answer() {
        return answer;
    }
}
