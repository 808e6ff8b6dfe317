package io.paygate.provider.wechat.wire;

import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlType;

/** Answer of {@code /pay/closeorder}. */
@XmlType(name = "closeOrderAnswer")
@XmlAccessorType(XmlAccessType.FIELD)
public class CloseOrderAnswer extends WechatAnswer {
    @XmlElement(name = "result_msg") private String resultMsg;

    public String getResultMsg() { return resultMsg; }
}
