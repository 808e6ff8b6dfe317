package io.paygate.provider.wechat;

import java.util.Map;

/** Answer of {@code /pay/orderquery}: the trade state and the payment's fields. */
public final class OrderQueryAnswer extends PaymentAnswer {
    private final String tradeState;
    private final String tradeStateDesc;

    OrderQueryAnswer(Map<String, String> verified) {
        super(verified);
        this.tradeState = verified.get("trade_state");
        this.tradeStateDesc = verified.get("trade_state_desc");
    }

    public String getTradeState() { return tradeState; }
    public String getTradeStateDesc() { return tradeStateDesc; }
}
