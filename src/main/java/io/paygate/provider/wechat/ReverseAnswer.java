package io.paygate.provider.wechat;

import java.util.Map;

/** Answer of {@code /secapi/pay/reverse}: {@code recall=Y} asks the caller to reverse again. */
public final class ReverseAnswer extends WechatAnswer {
    private final String recall;

    ReverseAnswer(Map<String, String> verified) {
        super(verified);
        this.recall = verified.get("recall");
    }

    public String getRecall() { return recall; }
}
