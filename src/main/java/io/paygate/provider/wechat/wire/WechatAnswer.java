package io.paygate.provider.wechat.wire;

import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
import jakarta.xml.bind.annotation.XmlElement;
import jakarta.xml.bind.annotation.XmlTransient;

/**
 * Fields every WeChat Pay v2 answer has. Bound (camel-jaxb) only after the raw answer passed the
 * hardened parser and the signature check over every field received.
 */
@XmlTransient
@XmlAccessorType(XmlAccessType.FIELD)
public abstract class WechatAnswer {
    @XmlElement(name = "return_code") private String returnCode;
    @XmlElement(name = "return_msg") private String returnMsg;
    @XmlElement(name = "appid") private String appId;
    @XmlElement(name = "mch_id") private String mchId;
    @XmlElement(name = "result_code") private String resultCode;
    @XmlElement(name = "err_code") private String errCode;
    @XmlElement(name = "err_code_des") private String errCodeDes;

    public String getReturnCode() { return returnCode; }
    public String getReturnMsg() { return returnMsg; }
    public String getAppId() { return appId; }
    public String getMchId() { return mchId; }
    public String getResultCode() { return resultCode; }
    public String getErrCode() { return errCode; }
    public String getErrCodeDes() { return errCodeDes; }
}
