package io.paygate.provider.wechat.wire;

import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlTransient;

/**
 * The payment's fields, the same in a barcode payment's answer and an order query's. Indexed
 * coupon fields stay in the verified map.
 */
@XmlTransient
@XmlAccessorType(XmlAccessType.FIELD)
public abstract class PaymentAnswer extends WechatAnswer {
    @XmlElement(name = "transaction_id") private String transactionId;
    @XmlElement(name = "out_trade_no") private String outTradeNo;
    @XmlElement(name = "total_fee") private String totalFee;
    @XmlElement(name = "cash_fee") private String cashFee;
    @XmlElement(name = "coupon_fee") private String couponFee;
    @XmlElement(name = "time_end") private String timeEnd;
    @XmlElement(name = "attach") private String attach;
    @XmlElement(name = "trade_type") private String tradeType;

    public String getTransactionId() { return transactionId; }
    public String getOutTradeNo() { return outTradeNo; }
    public String getTotalFee() { return totalFee; }
    public String getCashFee() { return cashFee; }
    public String getCouponFee() { return couponFee; }
    public String getTimeEnd() { return timeEnd; }
    public String getAttach() { return attach; }
    public String getTradeType() { return tradeType; }
}
