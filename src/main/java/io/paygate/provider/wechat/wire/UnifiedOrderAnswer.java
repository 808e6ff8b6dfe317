package io.paygate.provider.wechat.wire;

import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;

/** Answer of {@code /pay/unifiedorder}. */
@XmlType(name = "unifiedOrderAnswer")
@XmlAccessorType(XmlAccessType.FIELD)
public class UnifiedOrderAnswer extends WechatAnswer {
    @XmlElement(name = "trade_type") private String tradeType;
    @XmlElement(name = "prepay_id") private String prepayId;
    @XmlElement(name = "code_url") private String codeUrl;
    @XmlElement(name = "mweb_url") private String mwebUrl;

    public String getTradeType() { return tradeType; }
    public String getPrepayId() { return prepayId; }
    public String getCodeUrl() { return codeUrl; }
    public String getMwebUrl() { return mwebUrl; }
}
