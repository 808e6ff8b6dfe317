package io.paygate.bench;

import com.github.binarywang.wxpay.bean.request.WxPayUnifiedOrderRequest;
import com.github.binarywang.wxpay.bean.result.BaseWxPayResult;
import com.github.binarywang.wxpay.bean.result.WxPayUnifiedOrderResult;
import com.github.binarywang.wxpay.config.WxPayConfig;
import com.github.binarywang.wxpay.service.WxPayService;
import com.github.binarywang.wxpay.service.impl.WxPayServiceImpl;
import io.paygate.canonical.Operation;
import io.paygate.canonical.PayMethod;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult;
import io.paygate.canonical.PaymentStatus;
import io.paygate.config.MerchantProfile;
import io.paygate.provider.ProviderCall;
import io.paygate.provider.ProviderCalls;
import io.paygate.provider.wechat.UnifiedOrderAnswer;
import io.paygate.provider.wechat.WechatAnswerFormat;
import io.paygate.provider.wechat.WechatConnector;
import io.paygate.provider.wechat.WechatSigner;
import io.paygate.xml.HardenedXml;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * WeChat Pay v2 codec work without the network, the gateway against WxJava (weixin-java-pay, the
 * most used Java SDK) doing the same in the same run:
 * <ul>
 *   <li>{@code request*}: a NATIVE unified order from the caller's values to signed request XML
 *       (gateway: canonical PaymentRequest → {@code WechatConnector.unifiedOrder}; WxJava:
 *       {@code WxPayUnifiedOrderRequest} → {@code checkAndSign} → {@code toXML}).</li>
 *   <li>{@code answer*}: WeChat's signed answer bytes to a verified result (gateway: the data
 *       format {@code WechatAnswerFormat} — one hardened parse, HMAC/MD5 check over every field,
 *       the typed answer bound from those fields — then mapping to the canonical result; WxJava:
 *       {@code fromXML} → {@code checkResult} with signature check).</li>
 * </ul>
 * Both use the merchant's HMAC-SHA256 key. Run with {@code scripts/bench-jmh.sh WechatCodec}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WechatCodecBenchmark {
    /** WeChat's public documentation key and ids, not credentials. */
    private static final String KEY = "192006250b4c09247ec02edce69f6a2d";
    private static final String APPID = "wxd930ea5d5a258f4f";
    private static final String MCH = "10000100";

    private ProviderCall call;
    private WechatConnector connector;
    private WechatAnswerFormat<UnifiedOrderAnswer> format;
    private byte[] answer;
    private String answerText;
    private WxPayService wxService;
    private WxPayConfig wxConfig;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        connector = new WechatConnector("https://pay.example", "127.0.0.1");
        format = new WechatAnswerFormat<>(UnifiedOrderAnswer.class);
        PaymentRequest request = new PaymentRequest("1", "req-1", "acme", "wechat", Operation.PAY,
                "ORD-20261122-0001", 1250L, null, PayMethod.SCAN, null, "Coffee, large", "table 7", "203.0.113.9", null,
                null, null, null, "POS-7", null, null, null, null, null);
        MerchantProfile profile = new MerchantProfile("acme", "wechat", "token-acme-0123456789", null, null,
                List.of(), MerchantProfile.DEFAULT_RETRY_SCHEDULE, java.util.Map.of("wechat", MerchantProfile.Section.of(new io.paygate.provider.wechat.WechatSettings(
                        "https://api.mch.weixin.qq.com", APPID, MCH, KEY, WechatSigner.HMAC_SHA256, null, null, null, null,
                        null, null))));
        call = ProviderCalls.standalone(connector, request, profile, request.operation(), null);

        Map<String, String> f = new LinkedHashMap<>();
        f.put("return_code", "SUCCESS");
        f.put("return_msg", "OK");
        f.put("appid", APPID);
        f.put("mch_id", MCH);
        f.put("nonce_str", "IITRi8Iabbblz1Jc");
        f.put("result_code", "SUCCESS");
        f.put("trade_type", "NATIVE");
        f.put("prepay_id", "wx201411101639507cbf6ffd8b0779950874");
        f.put("code_url", "weixin://wxpay/bizpayurl?pr=8xK2mQz");
        f.put("sign", WechatSigner.sign(f, KEY, WechatSigner.HMAC_SHA256));
        answerText = HardenedXml.writeFlat("xml", f);
        answer = answerText.getBytes(StandardCharsets.UTF_8);

        wxConfig = new WxPayConfig();
        wxConfig.setAppId(APPID);
        wxConfig.setMchId(MCH);
        wxConfig.setMchKey(KEY);
        wxConfig.setSignType("HMAC-SHA256");
        wxService = new WxPayServiceImpl();
        wxService.setConfig(wxConfig);

        // Both sides must do the real work: check once that each produces what it should.
        if (gatewayAnswer().status() != PaymentStatus.NOTPAY || !wxJavaAnswer().getCodeURL().startsWith("weixin://")) {
            throw new IllegalStateException("benchmark set-up is wrong");
        }
        if (!gatewayRequest().contains("<sign>") || !wxJavaRequest().contains("<sign>")) {
            throw new IllegalStateException("benchmark set-up is wrong");
        }
    }

    @Benchmark
    public String requestGateway() {
        return gatewayRequest();
    }

    @Benchmark
    public String requestWxJava() throws Exception {
        return wxJavaRequest();
    }

    @Benchmark
    public PaymentResult answerGateway() throws Exception {
        return gatewayAnswer();
    }

    @Benchmark
    public WxPayUnifiedOrderResult answerWxJava() throws Exception {
        return wxJavaAnswer();
    }

    private String gatewayRequest() {
        return connector.unifiedOrder(call);
    }

    private String wxJavaRequest() throws Exception {
        WxPayUnifiedOrderRequest r = new WxPayUnifiedOrderRequest();
        r.setBody("Coffee, large");
        r.setAttach("table 7");
        r.setOutTradeNo("ORD-20261122-0001");
        r.setFeeType("CNY");
        r.setTotalFee(1250);
        r.setSpbillCreateIp("203.0.113.9");
        r.setDeviceInfo("POS-7");
        r.setNotifyUrl("https://pay.example/notify/wechat/acme");
        r.setTradeType("NATIVE");
        r.setProductId("ORD-20261122-0001");
        r.checkAndSign(wxConfig);
        return r.toXML();
    }

    private PaymentResult gatewayAnswer() {
        return connector.payResult(format.verify(answer, call), call);
    }

    private WxPayUnifiedOrderResult wxJavaAnswer() throws Exception {
        WxPayUnifiedOrderResult r = BaseWxPayResult.fromXML(answerText, WxPayUnifiedOrderResult.class);
        r.checkResult(wxService, "HMAC-SHA256", true);
        return r;
    }
}
