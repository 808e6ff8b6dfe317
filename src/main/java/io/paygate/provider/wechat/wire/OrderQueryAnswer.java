package io.paygate.provider.wechat.wire;

import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;

/** Answer of {@code /pay/orderquery}: the trade state and the payment's fields. */
@XmlType(name = "orderQueryAnswer")
@XmlAccessorType(XmlAccessType.FIELD)
public class OrderQueryAnswer extends PaymentAnswer {
    @XmlElement(name = "trade_state") private String tradeState;
    @XmlElement(name = "trade_state_desc") private String tradeStateDesc;

    public String getTradeState() { return tradeState; }
    public String getTradeStateDesc() { return tradeStateDesc; }
}
