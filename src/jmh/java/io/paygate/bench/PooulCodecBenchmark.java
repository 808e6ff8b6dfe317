package io.paygate.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.paygate.canonical.Channel;
import io.paygate.canonical.Operation;
import io.paygate.canonical.PayMethod;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult;
import io.paygate.canonical.PaymentStatus;
import io.paygate.config.MerchantProfile;
import io.paygate.provider.ProviderCall;
import io.paygate.provider.ProviderCalls;
import io.paygate.provider.pooul.PooulClassicFormat;
import io.paygate.provider.pooul.PooulConnector;
import io.paygate.provider.pooul.PooulJwt;
import io.paygate.provider.pooul.PooulMapping;
import io.paygate.provider.pooul.PooulSettings;
import io.paygate.provider.pooul.PooulSigner;
import io.paygate.provider.pooul.PooulV2Format;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPrivateKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.util.List;
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
 * Pooul codec work without the network, both API generations, next to a baseline in the same run:
 * <ul>
 *   <li>{@code request*}: a canonical SCAN PAY to the signed request body (classic: JSON with the
 *       MD5 sign; v2: an RS256 JWT of the JSON, 2048-bit key).</li>
 *   <li>{@code answer*}: Pooul's signed QUERY answer bytes to a verified canonical result through
 *       the route's own steps, the data format and the mapping (classic: strict parse, MD5 over
 *       data, mapping; v2: JWS parse and RS256 verification, parse, mapping).</li>
 *   <li>{@code baselineJackson*}: Jackson alone writing / reading the same JSON, no signature.</li>
 * </ul>
 * Run with {@code scripts/bench-jmh.sh PooulCodec}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class PooulCodecBenchmark {
    private static final String KEY = "bench-md5-key-0123456789abcdef";
    private static final String CLASSIC_ID = "59457accffea0e051b86e685";
    private static final String V2_ID = "5399355381712172";

    private ProviderCall classic;
    private ProviderCall v2;
    private PooulConnector connector;
    private final PooulClassicFormat classicFormat = new PooulClassicFormat();
    private final PooulV2Format v2Format = new PooulV2Format();
    private final PooulMapping mapping = new PooulMapping();
    private final ObjectMapper jackson = new ObjectMapper();
    private ObjectNode sameRequest;
    private byte[] classicAnswer;
    private byte[] v2Answer;
    private byte[] plainAnswer;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        connector = new PooulConnector("https://pay.example", "127.0.0.1", Clock.systemUTC());
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair merchant = g.generateKeyPair();
        KeyPair platform = g.generateKeyPair();
        PaymentRequest pay = new PaymentRequest("1", "req-1", "acme", "pooul", Operation.PAY, "ORD-20261122-0001", 1250L,
                null, PayMethod.SCAN, Channel.WECHAT, "Coffee, large", "table 7", "203.0.113.9", null, null, null, null,
                "POS-7", null, null, null, null, null);
        classic = call(pay, new PooulSettings("http://pooul.example", CLASSIC_ID, "classic", KEY, null,
                null, null, null));
        v2 = call(pay, new PooulSettings("http://pooul.example", V2_ID, "v2", null, null, null,
                (RSAPrivateKey) merchant.getPrivate(), (RSAPublicKey) platform.getPublic()));

        sameRequest = jackson.createObjectNode();
        sameRequest.put("pay_type", "wechat.scan").put("mch_trade_id", "ORD-20261122-0001").put("total_fee", 1250)
                .put("body", "Coffee, large").put("attach", "table 7").put("spbill_create_ip", "203.0.113.9")
                .put("notify_url", "https://pay.example/notify/pooul/acme").put("time_start", 1763775000L)
                .put("device_info", "POS-7").put("nonce_str", "wZovMzOCaTJaicnLwZovMzOCaTJaicnL");

        ObjectNode data = jackson.createObjectNode();
        data.put("total_fee", 1250).put("trade_state", 0).put("trade_id", "599d4bebffea0e2f10fc0c22")
                .put("mch_trade_id", "ORD-20261122-0001").put("pay_type", "wechat.scan")
                .put("out_trade_id", "4200000114201806284156184664").put("time_end", 1503483885).put("cash_fee", 1250)
                .put("nonce_str", "599d4c3fffea0e2f10fc0c27");
        ObjectNode classicData = data.deepCopy().put("merchant_id", CLASSIC_ID);
        ObjectNode c = jackson.createObjectNode();
        c.put("code", 0).putNull("msg");
        c.set("data", classicData);
        c.put("version", "1.0").put("sign_type", "md5").put("sign", PooulSigner.sign(PooulSigner.fieldsOf(classicData), KEY));
        classicAnswer = jackson.writeValueAsBytes(c);
        ObjectNode v = jackson.createObjectNode();
        v.put("code", 0).put("msg", "success");
        v.set("data", data.deepCopy().put("merchant_id", V2_ID));
        plainAnswer = jackson.writeValueAsBytes(v);
        v2Answer = PooulJwt.sign(plainAnswer, (RSAPrivateKey) platform.getPrivate()).getBytes(StandardCharsets.US_ASCII);

        // Every side must do the real work: check once that each produces what it should.
        if (answerClassic().status() != PaymentStatus.SUCCESS || answerV2().status() != PaymentStatus.SUCCESS
                || !requestClassic().contains("\"sign\"") || requestV2().split("\\.").length != 3) {
            throw new IllegalStateException("benchmark set-up is wrong");
        }
    }

    private ProviderCall call(PaymentRequest r, PooulSettings p) {
        MerchantProfile profile = new MerchantProfile("acme", "pooul", "token-acme-0123456789", null, null,
                List.of(), MerchantProfile.DEFAULT_RETRY_SCHEDULE, java.util.Map.of("pooul", MerchantProfile.Section.of(p)));
        return ProviderCalls.standalone(connector, r, profile, r.operation(), null);
    }

    @Benchmark
    public String requestClassic() {
        return connector.classicPay(classic);
    }

    @Benchmark
    public String requestV2() {
        return connector.v2Pay(v2);
    }

    @Benchmark
    public byte[] baselineJacksonWrite() throws Exception {
        return jackson.writeValueAsBytes(sameRequest);
    }

    @Benchmark
    public PaymentResult answerClassic() {
        return mapping.query(classicFormat.verify(classicAnswer, classic), classic);
    }

    @Benchmark
    public PaymentResult answerV2() {
        return mapping.query(v2Format.verify(v2Answer, v2), v2);
    }

    @Benchmark
    public Object baselineJacksonRead() throws Exception {
        return jackson.readTree(plainAnswer);
    }
}
