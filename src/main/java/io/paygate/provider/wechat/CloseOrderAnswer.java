package io.paygate.provider.wechat;

import java.util.Map;

/** Answer of {@code /pay/closeorder}. */
public final class CloseOrderAnswer extends WechatAnswer {
    private final String resultMsg;

    CloseOrderAnswer(Map<String, String> verified) {
        super(verified);
        this.resultMsg = verified.get("result_msg");
    }

    public String getResultMsg() { return resultMsg; }
}
