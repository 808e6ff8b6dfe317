package io.paygate.sandbox.wechat;

import static io.paygate.sandbox.wechat.IndependentWechatClient.API_KEY;
import static io.paygate.sandbox.wechat.IndependentWechatClient.APP_ID;
import static io.paygate.sandbox.wechat.IndependentWechatClient.MCH_ID;
import static io.paygate.sandbox.wechat.IndependentWechatClient.byOrder;
import static io.paygate.sandbox.wechat.IndependentWechatClient.md5Sign;
import static io.paygate.sandbox.wechat.IndependentWechatClient.micropay;
import static io.paygate.sandbox.wechat.IndependentWechatClient.readXml;
import static io.paygate.sandbox.wechat.IndependentWechatClient.refund;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.paygate.sandbox.wechat.WechatSimulator.Merchant;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /secapi/pay/refund, /pay/refundquery, the refund control endpoints and refund notifications. */
class WechatRefundSimulatorTest {

    private static final String PAYS = "134567890123456789";
    private static final String WAITS = "134567890123451111";
    private static final String SUCCESS_REPLY =
            "<xml><return_code><![CDATA[SUCCESS]]></return_code><return_msg><![CDATA[OK]]></return_msg></xml>";

    @TempDir
    static Path tlsDir;
    @TempDir
    Path temp;

    private final ObjectMapper json = new ObjectMapper();
    private WechatSimulator simulator;
    private IndependentWechatClient plain;
    private IndependentWechatClient secure;
    private HttpServer merchantServer;
    private final BlockingQueue<String> notifications = new LinkedBlockingQueue<>();
    private final AtomicInteger refusalsLeft = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        simulator = startSimulator(null, Duration.ofMillis(-1));
    }

    @AfterEach
    void stop() {
        simulator.close();
        if (merchantServer != null) {
            merchantServer.stop(0);
        }
    }

    private WechatSimulator startSimulator(Path stateFile, Duration refundDelay) throws Exception {
        WechatSimulator started = new WechatSimulator(0, List.of(new Merchant(MCH_ID, APP_ID, API_KEY)), stateFile, 0, tlsDir);
        started.refundDelay(refundDelay);
        started.start();
        plain = IndependentWechatClient.plain(started.port());
        secure = IndependentWechatClient.tls(started.tlsPort(), started.caCertificate(), started.clientCertificate(MCH_ID), MCH_ID);
        return started;
    }

    private void paid(String outTradeNo, long totalFee) throws Exception {
        assertThat(plain.call("/pay/micropay", micropay(outTradeNo, PAYS, totalFee))).containsEntry("result_code", "SUCCESS");
    }

    @Test
    void partialRefundsAddUpToTheTotalAndNoFurther() throws Exception {
        paid("RF-PART", 100);

        Map<String, String> first = secure.call("/secapi/pay/refund", refund("RF-PART", "RF-PART-1", 100, 30));
        assertThat(first).containsEntry("return_code", "SUCCESS").containsEntry("result_code", "SUCCESS")
                .containsEntry("out_trade_no", "RF-PART").containsEntry("out_refund_no", "RF-PART-1")
                .containsEntry("refund_fee", "30").containsEntry("total_fee", "100").containsEntry("cash_fee", "100")
                .containsKey("transaction_id");
        assertThat(first.get("refund_id")).matches("5000[0-9]{25}");
        assertThat(first.get("sign")).isEqualTo(md5Sign(first, API_KEY));

        assertThat(secure.call("/secapi/pay/refund", refund("RF-PART", "RF-PART-2", 100, 50)))
                .containsEntry("result_code", "SUCCESS");
        Map<String, String> tooMuch = secure.call("/secapi/pay/refund", refund("RF-PART", "RF-PART-3", 100, 21));
        assertThat(tooMuch).containsEntry("result_code", "FAIL").containsEntry("err_code", "INVALID_REQUEST");
        assertThat(tooMuch.get("err_code_des")).contains("申请退款金额超过订单可退金额").contains("20");
        assertThat(tooMuch.get("sign")).isEqualTo(md5Sign(tooMuch, API_KEY));
        assertThat(secure.call("/secapi/pay/refund", refund("RF-PART", "RF-PART-3", 100, 20)))
                .containsEntry("result_code", "SUCCESS");
        assertThat(secure.call("/secapi/pay/refund", refund("RF-PART", "RF-PART-4", 100, 1)))
                .containsEntry("err_code", "INVALID_REQUEST");
        assertThat(simulator.calls()).containsEntry("/secapi/pay/refund", 5L);
    }

    @Test
    void sameRefundNumberAgainIsTheSameRefundUnlessTheAmountDiffers() throws Exception {
        paid("RF-IDEM", 100);
        Map<String, String> first = secure.call("/secapi/pay/refund", refund("RF-IDEM", "RF-IDEM-1", 100, 40));
        Map<String, String> again = secure.call("/secapi/pay/refund", refund("RF-IDEM", "RF-IDEM-1", 100, 40));
        Map<String, String> otherAmount = secure.call("/secapi/pay/refund", refund("RF-IDEM", "RF-IDEM-1", 100, 41));

        assertThat(again).containsEntry("result_code", "SUCCESS").containsEntry("refund_id", first.get("refund_id"))
                .containsEntry("refund_fee", "40");
        assertThat(otherAmount).containsEntry("result_code", "FAIL").containsEntry("err_code", "INVALID_REQUEST");
        Map<String, String> query = plain.call("/pay/refundquery", byOrder("RF-IDEM"));
        assertThat(query).containsEntry("refund_count", "1").containsEntry("total_refund_count", "1")
                .containsEntry("refund_fee_0", "40");
    }

    @Test
    void refundNeedsAPaidOrderItsTotalAndTheCertificate() throws Exception {
        plain.call("/pay/micropay", micropay("RF-WAIT", WAITS, 10));
        paid("RF-RULES", 10);

        assertThat(secure.call("/secapi/pay/refund", refund("RF-WAIT", "RF-WAIT-1", 10, 1)))
                .containsEntry("err_code", "TRADE_STATE_ERROR");
        assertThat(secure.call("/secapi/pay/refund", refund("RF-NONE", "RF-NONE-1", 10, 1)))
                .containsEntry("err_code", "ORDERNOTEXIST");
        Map<String, String> wrongTotal = secure.call("/secapi/pay/refund", refund("RF-RULES", "RF-RULES-1", 11, 1));
        assertThat(wrongTotal).containsEntry("err_code", "INVALID_REQUEST");
        assertThat(wrongTotal.get("err_code_des")).contains("total_fee");
        Map<String, String> noAmount = refund("RF-RULES", "RF-RULES-1", 10, 1);
        noAmount.remove("refund_fee");
        assertThat(secure.call("/secapi/pay/refund", noAmount).get("err_code_des")).contains("refund_fee");

        Map<String, String> overHttp = plain.call("/secapi/pay/refund", refund("RF-RULES", "RF-RULES-1", 10, 1));
        assertThat(overHttp).containsEntry("return_code", "FAIL").doesNotContainKey("result_code");
        assertThat(plain.call("/pay/refundquery", byOrder("RF-RULES"))).containsEntry("err_code", "REFUNDNOTEXIST");
    }

    @Test
    void refundStaysProcessingUntilTheBackOfficeFinishesIt() throws Exception {
        paid("RF-MANUAL", 100);
        secure.call("/secapi/pay/refund", refund("RF-MANUAL", "RF-MANUAL-1", 100, 60));
        secure.call("/secapi/pay/refund", refund("RF-MANUAL", "RF-MANUAL-2", 100, 40));

        assertThat(plain.call("/pay/refundquery", byOrder("RF-MANUAL"))).containsEntry("refund_status_0", "PROCESSING")
                .containsEntry("refund_status_1", "PROCESSING").doesNotContainKey("refund_success_time_0");
        assertThat(plain.call("/pay/orderquery", byOrder("RF-MANUAL"))).containsEntry("trade_state", "SUCCESS");

        var succeeded = plain.control("POST", "/sandbox/wechat/refunds/succeed?out_refund_no=RF-MANUAL-1");
        assertThat(succeeded.statusCode()).isEqualTo(200);
        assertThat(json.readTree(succeeded.body()).get("refund_status").asText()).isEqualTo("SUCCESS");
        assertThat(plain.control("POST", "/sandbox/wechat/refunds/fail?out_refund_no=RF-MANUAL-2").statusCode()).isEqualTo(200);

        Map<String, String> query = plain.call("/pay/refundquery", byOrder("RF-MANUAL"));
        assertThat(query).containsEntry("refund_status_0", "SUCCESS").containsEntry("refund_status_1", "REFUNDCLOSE")
                .containsEntry("refund_fee", "60").doesNotContainKey("refund_success_time_1");
        assertThat(query.get("refund_success_time_0")).matches("20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}");
        assertThat(plain.call("/pay/orderquery", byOrder("RF-MANUAL"))).containsEntry("trade_state", "REFUND");
        // A closed refund gives its amount back; a finished refund cannot change its outcome.
        assertThat(secure.call("/secapi/pay/refund", refund("RF-MANUAL", "RF-MANUAL-3", 100, 40)))
                .containsEntry("result_code", "SUCCESS");
        assertThat(plain.control("POST", "/sandbox/wechat/refunds/succeed?out_refund_no=RF-MANUAL-2").statusCode()).isEqualTo(409);
        assertThat(plain.control("POST", "/sandbox/wechat/refunds/succeed?out_refund_no=NOPE").statusCode()).isEqualTo(404);
        // A refunded order cannot be closed or reversed.
        assertThat(plain.call("/pay/closeorder", byOrder("RF-MANUAL"))).containsEntry("err_code", "ORDERPAID");
        assertThat(secure.call("/secapi/pay/reverse", byOrder("RF-MANUAL"))).containsEntry("err_code", "TRADE_STATE_ERROR");
    }

    @Test
    void refundSucceedsOnItsOwnAfterTheDelay() throws Exception {
        simulator.refundDelay(Duration.ofMillis(300));
        paid("RF-AUTO", 5);
        secure.call("/secapi/pay/refund", refund("RF-AUTO", "RF-AUTO-1", 5, 5));

        assertThat(plain.call("/pay/refundquery", byOrder("RF-AUTO"))).containsEntry("refund_status_0", "PROCESSING");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        Map<String, String> query;
        do {
            Thread.sleep(50);
            query = plain.call("/pay/refundquery", byOrder("RF-AUTO"));
        } while (!"SUCCESS".equals(query.get("refund_status_0")) && System.nanoTime() < deadline);
        assertThat(query).containsEntry("refund_status_0", "SUCCESS");
        assertThat(plain.call("/pay/orderquery", byOrder("RF-AUTO"))).containsEntry("trade_state", "REFUND");
    }

    @Test
    void refundQueryAnswersIndexedFieldsTenAPage() throws Exception {
        simulator.refundDelay(Duration.ZERO);
        paid("RQ-MANY", 12);
        String transactionId = plain.call("/pay/orderquery", byOrder("RQ-MANY")).get("transaction_id");
        String fifthRefundId = null;
        for (int i = 1; i <= 12; i++) {
            Map<String, String> answer = secure.call("/secapi/pay/refund", refund("RQ-MANY", "RQ-MANY-" + i, 12, 1));
            if (i == 5) {
                fifthRefundId = answer.get("refund_id");
            }
        }

        Map<String, String> firstPage = plain.call("/pay/refundquery", byOrder("RQ-MANY"));
        assertThat(firstPage).containsEntry("result_code", "SUCCESS").containsEntry("transaction_id", transactionId)
                .containsEntry("out_trade_no", "RQ-MANY").containsEntry("total_fee", "12").containsEntry("cash_fee", "12")
                .containsEntry("refund_count", "10").containsEntry("total_refund_count", "12")
                .containsEntry("out_refund_no_0", "RQ-MANY-1").containsEntry("out_refund_no_9", "RQ-MANY-10")
                .containsEntry("refund_id_4", fifthRefundId).containsEntry("refund_channel_0", "ORIGINAL")
                .containsEntry("refund_fee_3", "1").containsEntry("refund_status_9", "SUCCESS")
                .containsKeys("refund_success_time_0", "refund_recv_accout_0", "refund_account_0")
                .doesNotContainKey("out_refund_no_10");
        assertThat(firstPage.get("sign")).isEqualTo(md5Sign(firstPage, API_KEY));

        Map<String, String> page2 = byOrder("RQ-MANY");
        page2.put("offset", "10");
        assertThat(plain.call("/pay/refundquery", page2)).containsEntry("refund_count", "2")
                .containsEntry("out_refund_no_0", "RQ-MANY-11").containsEntry("out_refund_no_1", "RQ-MANY-12")
                .doesNotContainKey("out_refund_no_2");
        page2.put("offset", "12");
        assertThat(plain.call("/pay/refundquery", page2)).containsEntry("err_code", "REFUNDNOTEXIST");

        Map<String, String> byRefundNo = IndependentWechatClient.common();
        byRefundNo.put("out_refund_no", "RQ-MANY-7");
        assertThat(plain.call("/pay/refundquery", byRefundNo)).containsEntry("refund_count", "1")
                .containsEntry("out_refund_no_0", "RQ-MANY-7").containsEntry("transaction_id", transactionId);
        Map<String, String> byRefundId = IndependentWechatClient.common();
        byRefundId.put("refund_id", fifthRefundId);
        byRefundId.put("out_refund_no", "RQ-MANY-7");
        assertThat(plain.call("/pay/refundquery", byRefundId)).containsEntry("out_refund_no_0", "RQ-MANY-5");
        Map<String, String> byTransaction = IndependentWechatClient.common();
        byTransaction.put("transaction_id", transactionId);
        assertThat(plain.call("/pay/refundquery", byTransaction)).containsEntry("total_refund_count", "12");
        Map<String, String> unknown = IndependentWechatClient.common();
        unknown.put("out_refund_no", "RQ-NONE");
        assertThat(plain.call("/pay/refundquery", unknown)).containsEntry("err_code", "REFUNDNOTEXIST");
        assertThat(simulator.calls().get("/pay/refundquery")).isEqualTo(7L);
    }

    @Test
    void finishedRefundIsNotifiedWithEncryptedReqInfoAndResentUntilAcknowledged() throws Exception {
        String notifyUrl = startMerchantServer();
        refusalsLeft.set(1);
        paid("RN-1", 100);
        Map<String, String> request = refund("RN-1", "RN-1-A", 100, 25);
        request.put("notify_url", notifyUrl);
        Map<String, String> answer = secure.call("/secapi/pay/refund", request);
        assertThat(notifications).isEmpty();

        plain.control("POST", "/sandbox/wechat/refunds/succeed?out_refund_no=RN-1-A");

        String refused = notifications.poll(5, TimeUnit.SECONDS);
        String resent = notifications.poll(5, TimeUnit.SECONDS);
        assertThat(refused).isNotNull();
        assertThat(resent).isNotNull();
        Map<String, String> outer = readXml(resent);
        assertThat(outer).containsEntry("return_code", "SUCCESS").containsEntry("appid", APP_ID)
                .containsEntry("mch_id", MCH_ID).containsKeys("nonce_str", "req_info").doesNotContainKey("sign");
        String plaintext = decryptReqInfo(outer.get("req_info"), API_KEY);
        Map<String, String> details = readXml(plaintext, "root");
        assertThat(details).containsEntry("out_trade_no", "RN-1").containsEntry("out_refund_no", "RN-1-A")
                .containsEntry("refund_id", answer.get("refund_id")).containsEntry("transaction_id", answer.get("transaction_id"))
                .containsEntry("total_fee", "100").containsEntry("refund_fee", "25")
                .containsEntry("settlement_refund_fee", "25").containsEntry("refund_status", "SUCCESS")
                .containsEntry("refund_request_source", "API").containsKeys("refund_recv_accout", "refund_account");
        assertThat(details.get("success_time")).matches("20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}");
        assertThat(resent).doesNotContain("RN-1-A");

        // The simulator records the attempt once the merchant's answer is back, just after the
        // merchant's server has seen the body: wait (briefly) for that record.
        JsonNode view = json.readTree(plain.control("GET", "/sandbox/wechat/refunds/RN-1-A").body());
        for (int i = 0; i < 40 && !"delivered".equals(view.path("notify_result").asText()); i++) {
            Thread.sleep(50);
            view = json.readTree(plain.control("GET", "/sandbox/wechat/refunds/RN-1-A").body());
        }
        assertThat(view.get("notify_attempts").asInt()).isEqualTo(2);
        assertThat(view.get("notify_result").asText()).isEqualTo("delivered");
        Thread.sleep(300);
        assertThat(notifications).isEmpty();
    }

    @Test
    void closedRefundIsNotifiedAsRefundClose() throws Exception {
        String notifyUrl = startMerchantServer();
        paid("RN-2", 10);
        Map<String, String> request = refund("RN-2", "RN-2-A", 10, 10);
        request.put("notify_url", notifyUrl);
        secure.call("/secapi/pay/refund", request);

        plain.control("POST", "/sandbox/wechat/refunds/fail?out_refund_no=RN-2-A");

        String notification = notifications.poll(5, TimeUnit.SECONDS);
        assertThat(notification).isNotNull();
        Map<String, String> details = readXml(decryptReqInfo(readXml(notification).get("req_info"), API_KEY), "root");
        assertThat(details).containsEntry("refund_status", "REFUNDCLOSE").doesNotContainKey("success_time");
        assertThat(plain.call("/pay/orderquery", byOrder("RN-2"))).containsEntry("trade_state", "SUCCESS");

        var resend = plain.control("POST", "/sandbox/wechat/refunds/notify?out_refund_no=RN-2-A");
        assertThat(resend.statusCode()).isEqualTo(200);
        assertThat(json.readTree(resend.body()).get("gateway_status").asInt()).isEqualTo(200);
        assertThat(notifications.poll(5, TimeUnit.SECONDS)).isNotNull();
    }

    @Test
    void refundsSurviveARestartAndProcessingOnesGoOn() throws Exception {
        simulator.close();
        Path stateFile = temp.resolve("wechat-state.json");
        simulator = startSimulator(stateFile, Duration.ofMillis(-1));
        paid("RP-1", 50);
        String refundId = secure.call("/secapi/pay/refund", refund("RP-1", "RP-1-A", 50, 20)).get("refund_id");
        simulator.close();
        assertThat(Files.readString(stateFile)).contains("RP-1-A").contains("PROCESSING").doesNotContain(API_KEY);

        simulator = startSimulator(stateFile, Duration.ZERO);

        Map<String, String> query = plain.call("/pay/refundquery", byOrder("RP-1"));
        assertThat(query).containsEntry("refund_id_0", refundId).containsEntry("refund_status_0", "SUCCESS");
        assertThat(plain.call("/pay/orderquery", byOrder("RP-1"))).containsEntry("trade_state", "REFUND");
        assertThat(secure.call("/secapi/pay/refund", refund("RP-1", "RP-1-B", 50, 31))).containsEntry("err_code", "INVALID_REQUEST");
    }

    /** A merchant endpoint that refuses the first {@link #refusalsLeft} notifications, then acknowledges. */
    private String startMerchantServer() throws Exception {
        merchantServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        merchantServer.createContext("/notify/wechat", exchange -> {
            notifications.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            byte[] reply = (refusalsLeft.getAndDecrement() > 0
                    ? "<xml><return_code><![CDATA[FAIL]]></return_code></xml>" : SUCCESS_REPLY).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        merchantServer.start();
        return "http://127.0.0.1:" + merchantServer.getAddress().getPort() + "/notify/wechat";
    }

    /** WeChat's documented req_info scheme, written here from the rule: AES-256-ECB, key = hex MD5 of the API key. */
    private static String decryptReqInfo(String reqInfo, String apiKey) throws Exception {
        String key = HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(apiKey.getBytes(StandardCharsets.UTF_8)));
        assertThat(key).hasSize(32).isLowerCase();
        Cipher cipher = Cipher.getInstance("AES/ECB/PKCS5Padding");
        cipher.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key.getBytes(StandardCharsets.US_ASCII), "AES"));
        return new String(cipher.doFinal(Base64.getDecoder().decode(reqInfo)), StandardCharsets.UTF_8);
    }
}
