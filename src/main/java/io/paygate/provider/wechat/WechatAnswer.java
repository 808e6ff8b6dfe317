package io.paygate.provider.wechat;

import java.util.Map;

/**
 * Fields every WeChat Pay v2 answer has. Every answer type is read from the fields
 * {@link WechatAnswerFormat} has parsed and verified, and only that data format makes one (the
 * constructors are package-private): there is no unverified typed answer.
 */
public abstract class WechatAnswer {
    private final String returnCode;
    private final String returnMsg;
    private final String appId;
    private final String mchId;
    private final String resultCode;
    private final String errCode;
    private final String errCodeDes;

    WechatAnswer(Map<String, String> verified) {
        this.returnCode = verified.get("return_code");
        this.returnMsg = verified.get("return_msg");
        this.appId = verified.get("appid");
        this.mchId = verified.get("mch_id");
        this.resultCode = verified.get("result_code");
        this.errCode = verified.get("err_code");
        this.errCodeDes = verified.get("err_code_des");
    }

    public String getReturnCode() { return returnCode; }
    public String getReturnMsg() { return returnMsg; }
    public String getAppId() { return appId; }
    public String getMchId() { return mchId; }
    public String getResultCode() { return resultCode; }
    public String getErrCode() { return errCode; }
    public String getErrCodeDes() { return errCodeDes; }
}
