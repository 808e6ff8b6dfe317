package io.paygate.provider.wechat.wire;

import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;

/** Answer of {@code /secapi/pay/reverse}: {@code recall=Y} asks the caller to reverse again. */
@XmlType(name = "reverseAnswer")
@XmlAccessorType(XmlAccessType.FIELD)
public class ReverseAnswer extends WechatAnswer {
    @XmlElement(name = "recall") private String recall;

    public String getRecall() { return recall; }
}
