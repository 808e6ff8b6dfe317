package io.paygate.provider.pooul;

import io.paygate.canonical.Channel;
import io.paygate.canonical.PayMethod;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The one table from (method, channel) to Pooul's {@code pay_type}, per API generation
 * (docs/protocols/pooul.md has the same table). A channel of {@code null} in the table means "any
 * or none": the barcode pay type of API v2 serves every wallet whose code the cashier scans.
 */
public final class PooulPayTypes {
    record Key(PayMethod method, Channel channel) {
        @Override
        public String toString() {
            return channel == null ? method.name() : method + "/" + channel;
        }
    }

    private static final Map<Key, String> CLASSIC = new LinkedHashMap<>();
    private static final Map<Key, String> V2 = new LinkedHashMap<>();

    static {
        CLASSIC.put(new Key(PayMethod.JSAPI, Channel.WECHAT), "wechat.jswap");
        CLASSIC.put(new Key(PayMethod.JSAPI, Channel.ALIPAY), "alipay.jsapi");
        CLASSIC.put(new Key(PayMethod.JSAPI, Channel.QQ), "qq.jsapi");
        CLASSIC.put(new Key(PayMethod.SCAN, Channel.WECHAT), "wechat.scan");
        CLASSIC.put(new Key(PayMethod.SCAN, Channel.ALIPAY), "alipay.scan");

        V2.put(new Key(PayMethod.MICRO, null), "common.micro");
        V2.put(new Key(PayMethod.SCAN, Channel.WECHAT), "wechat.scan");
        V2.put(new Key(PayMethod.SCAN, Channel.ALIPAY), "alipay.scan");
        V2.put(new Key(PayMethod.JSAPI, Channel.WECHAT), "wechat.jsapi");
        V2.put(new Key(PayMethod.MINIPROGRAM, Channel.WECHAT), "wechat.jsminipg");
        V2.put(new Key(PayMethod.APP, Channel.WECHAT), "wechat.app");
        V2.put(new Key(PayMethod.H5, Channel.WECHAT), "wechat.wap");
    }

    private PooulPayTypes() {
    }

    /** The pay_type for the combination, if the API has one. MICRO takes no channel, or WECHAT / ALIPAY. */
    public static Optional<String> payType(boolean v2, PayMethod method, Channel channel) {
        Map<Key, String> table = v2 ? V2 : CLASSIC;
        String anyChannel = table.get(new Key(method, null));
        if (anyChannel != null && (channel == null || channel == Channel.WECHAT || channel == Channel.ALIPAY)) {
            return Optional.of(anyChannel);
        }
        return Optional.ofNullable(table.get(new Key(method, channel)));
    }

    /** Does the method need a channel (several wallets serve it)? */
    static boolean needsChannel(boolean v2, PayMethod method) {
        return (v2 ? V2 : CLASSIC).get(new Key(method, null)) == null;
    }

    /** Does the API have the method under any channel? */
    static boolean hasMethod(boolean v2, PayMethod method) {
        return (v2 ? V2 : CLASSIC).keySet().stream().anyMatch(k -> k.method() == method);
    }

    /** "JSAPI/WECHAT (wechat.jswap), ..." — for the UNSUPPORTED message. */
    public static String available(boolean v2) {
        return (v2 ? V2 : CLASSIC).entrySet().stream().map(e -> e.getKey() + " (" + e.getValue() + ")")
                .collect(Collectors.joining(", "));
    }

    static Map<Key, String> table(boolean v2) {
        return Map.copyOf(v2 ? V2 : CLASSIC);
    }
}
