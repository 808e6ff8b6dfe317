package io.paygate.provider.wechat;

import java.util.Map;

/** Answer of {@code /pay/unifiedorder}. */
public final class UnifiedOrderAnswer extends WechatAnswer {
    private final String tradeType;
    private final String prepayId;
    private final String codeUrl;
    private final String mwebUrl;

    UnifiedOrderAnswer(Map<String, String> verified) {
        super(verified);
        this.tradeType = verified.get("trade_type");
        this.prepayId = verified.get("prepay_id");
        this.codeUrl = verified.get("code_url");
        this.mwebUrl = verified.get("mweb_url");
    }

    public String getTradeType() { return tradeType; }
    public String getPrepayId() { return prepayId; }
    public String getCodeUrl() { return codeUrl; }
    public String getMwebUrl() { return mwebUrl; }
}
