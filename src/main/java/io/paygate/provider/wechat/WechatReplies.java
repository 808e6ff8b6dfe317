package io.paygate.provider.wechat;

import io.paygate.xml.HardenedXml;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** The exact replies WeChat Pay expects to its notifications. */
final class WechatReplies {
    /** Exactly this: stray white space has caused endless re-sends. */
    private static final byte[] SUCCESS =
            "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>"
                    .getBytes(StandardCharsets.UTF_8);
    static final String CONTENT_TYPE = "text/xml; charset=UTF-8";

    private WechatReplies() {
    }

    static byte[] success() {
        return SUCCESS.clone();
    }

    static byte[] failure(String reason) {
        Map<String, String> reply = new LinkedHashMap<>();
        reply.put("return_code", "FAIL");
        reply.put("return_msg", reason);
        return HardenedXml.writeFlat("xml", reply).getBytes(StandardCharsets.UTF_8);
    }
}
