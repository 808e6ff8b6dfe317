package io.paygate.sandbox.wechat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.sandbox.wechat.WechatSimulator.Merchant;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Talks to a real simulator over HTTP, as the gateway does. Requests are built and answers are
 * checked with this test's own signer and XML reading, not the simulator's, so a shared mistake
 * cannot make both sides agree.
 */
class WechatSimulatorTest {

    private static final String MCH_ID = "1900000109";
    private static final String APP_ID = "wx8888888888888888";
    private static final String API_KEY = "8934e7d15453e97507ef794cf7b0519d";
    private static final Merchant MERCHANT = new Merchant(MCH_ID, APP_ID, API_KEY);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ObjectMapper json = new ObjectMapper();
    private WechatSimulator simulator;

    @TempDir
    Path temp;

    @BeforeEach
    void start() throws IOException {
        simulator = new WechatSimulator(0, List.of(MERCHANT), null);
        simulator.start();
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    // ---- unifiedorder -------------------------------------------------------------------

    @Test
    void nativeUnifiedOrderAnswersSignedPrepayIdAndCodeUrl() throws Exception {
        Map<String, String> request = unifiedOrder("UO-1");
        request.put("device_info", "WEB");

        String xml = post("/pay/unifiedorder", signedXml(request, "MD5"));
        Map<String, String> answer = readXml(xml);

        assertThat(answer).containsEntry("return_code", "SUCCESS").containsEntry("return_msg", "OK")
                .containsEntry("result_code", "SUCCESS").containsEntry("appid", APP_ID)
                .containsEntry("mch_id", MCH_ID).containsEntry("trade_type", "NATIVE")
                .containsEntry("device_info", "WEB").doesNotContainKey("sign_type");
        assertThat(answer.get("prepay_id")).startsWith("wx").hasSizeLessThanOrEqualTo(64);
        assertThat(answer.get("code_url")).matches("weixin://wxpay/bizpayurl\\?pr=[A-Za-z0-9]{7}");
        assertThat(answer.get("nonce_str")).hasSize(32).isNotEqualTo(request.get("nonce_str"));
        assertThat(answer.get("sign")).isEqualTo(testSign(answer, "MD5"));
        assertThat(xml).contains("<return_code><![CDATA[SUCCESS]]></return_code>");
    }

    @Test
    void repeatedUnifiedOrderGetsSamePrepayUnlessTheTermsChange() throws Exception {
        Map<String, String> first = readXml(post("/pay/unifiedorder", signedXml(unifiedOrder("UO-2"), "MD5")));
        Map<String, String> again = readXml(post("/pay/unifiedorder", signedXml(unifiedOrder("UO-2"), "MD5")));

        assertThat(again).containsEntry("result_code", "SUCCESS")
                .containsEntry("prepay_id", first.get("prepay_id"))
                .containsEntry("code_url", first.get("code_url"));

        Map<String, String> otherFee = unifiedOrder("UO-2");
        otherFee.put("total_fee", "2");
        assertThat(readXml(post("/pay/unifiedorder", signedXml(otherFee, "MD5"))))
                .containsEntry("return_code", "SUCCESS").containsEntry("result_code", "FAIL")
                .containsEntry("err_code", "OUT_TRADE_NO_USED");

        Map<String, String> otherBody = unifiedOrder("UO-2");
        otherBody.put("body", "another thing");
        assertThat(readXml(post("/pay/unifiedorder", signedXml(otherBody, "MD5"))))
                .containsEntry("err_code", "OUT_TRADE_NO_USED");
    }

    @Test
    void paidAndClosedOrdersCannotBeOrderedAgain() throws Exception {
        post("/pay/unifiedorder", signedXml(unifiedOrder("UO-PAID"), "MD5"));
        post("/pay/unifiedorder", signedXml(unifiedOrder("UO-CLOSED"), "MD5"));
        assertThat(control("POST", "/sandbox/wechat/pay?out_trade_no=UO-PAID").statusCode()).isEqualTo(200);
        assertThat(control("POST", "/sandbox/wechat/close?out_trade_no=UO-CLOSED").statusCode()).isEqualTo(200);

        Map<String, String> paid = readXml(post("/pay/unifiedorder", signedXml(unifiedOrder("UO-PAID"), "MD5")));
        Map<String, String> closed = readXml(post("/pay/unifiedorder", signedXml(unifiedOrder("UO-CLOSED"), "MD5")));

        assertThat(paid).containsEntry("result_code", "FAIL").containsEntry("err_code", "ORDERPAID");
        assertThat(paid.get("sign")).isEqualTo(testSign(paid, "MD5"));
        assertThat(closed).containsEntry("result_code", "FAIL").containsEntry("err_code", "ORDERCLOSED");
    }

    @Test
    void badSignatureIsAnUnsignedProtocolFailure() throws Exception {
        String xml = signedXml(unifiedOrder("UO-BADSIGN"), "MD5").replace("<body>", "<body>changed ");

        Map<String, String> answer = readXml(post("/pay/unifiedorder", xml));

        assertThat(answer).containsEntry("return_code", "FAIL").containsEntry("return_msg", "签名错误")
                .containsEntry("err_code", "SIGNERROR").doesNotContainKeys("sign", "result_code");
    }

    @Test
    void missingSignatureIsRefused() throws Exception {
        Map<String, String> answer = readXml(post("/pay/unifiedorder", toXml(unifiedOrder("UO-NOSIGN"))));

        assertThat(answer).containsEntry("return_code", "FAIL").containsEntry("err_code", "SIGNERROR");
    }

    @Test
    void nativeWithoutProductIdIsAParamError() throws Exception {
        Map<String, String> request = unifiedOrder("UO-NOPRODUCT");
        request.remove("product_id");

        Map<String, String> answer = readXml(post("/pay/unifiedorder", signedXml(request, "MD5")));

        assertThat(answer).containsEntry("return_code", "SUCCESS").containsEntry("result_code", "FAIL")
                .containsEntry("err_code", "PARAM_ERROR");
        assertThat(answer.get("err_code_des")).contains("product_id");
        assertThat(answer.get("sign")).isEqualTo(testSign(answer, "MD5"));
        assertThat(answer).doesNotContainKey("prepay_id");
    }

    @Test
    void invalidFieldsAreParamErrorsNamingTheField() throws Exception {
        assertParamError("out_trade_no", "has space");
        assertParamError("out_trade_no", "X".repeat(33));
        assertParamError("total_fee", "0");
        assertParamError("total_fee", "1.5");
        assertParamError("trade_type", "BARTER");
    }

    @Test
    void everyTradeTypeAnswersWhatItsFrontEndNeeds() throws Exception {
        Map<String, String> jsapi = unifiedOrder("TT-JSAPI-1");
        jsapi.put("trade_type", "JSAPI");
        jsapi.remove("product_id");
        Map<String, String> noOpenid = readXml(post("/pay/unifiedorder", signedXml(jsapi, "MD5")));
        assertThat(noOpenid).containsEntry("err_code", "PARAM_ERROR");
        assertThat(noOpenid.get("err_code_des")).contains("openid");
        jsapi.put("openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
        Map<String, String> js = readXml(post("/pay/unifiedorder", signedXml(jsapi, "MD5")));
        assertThat(js).containsEntry("result_code", "SUCCESS").containsKey("prepay_id").doesNotContainKey("code_url");

        Map<String, String> mweb = unifiedOrder("TT-MWEB-1");
        mweb.put("trade_type", "MWEB");
        mweb.remove("product_id");
        mweb.put("scene_info", "{\"h5_info\":{\"type\":\"Wap\",\"wap_url\":\"https://shop.example\",\"wap_name\":\"Shop\"}}");
        Map<String, String> h5 = readXml(post("/pay/unifiedorder", signedXml(mweb, "MD5")));
        assertThat(h5).containsEntry("result_code", "SUCCESS").containsKey("prepay_id");
        assertThat(h5.get("mweb_url")).startsWith("https://wx.tenpay.com/cgi-bin/mmpayweb-bin/checkmweb?prepay_id=" + h5.get("prepay_id"));
    }

    @Test
    void unknownMerchantAndForeignAppIdAreRefused() throws Exception {
        Map<String, String> stranger = unifiedOrder("UO-STRANGER");
        stranger.put("mch_id", "1999999999");
        Map<String, String> unknown = readXml(post("/pay/unifiedorder", signedXml(stranger, "MD5")));
        assertThat(unknown).containsEntry("return_code", "FAIL").containsEntry("err_code", "MCHID_NOT_EXIST")
                .doesNotContainKey("sign");

        Map<String, String> foreignApp = unifiedOrder("UO-FOREIGN");
        foreignApp.put("appid", "wx0000000000000000");
        Map<String, String> answer = readXml(post("/pay/unifiedorder", signedXml(foreignApp, "MD5")));
        assertThat(answer).containsEntry("return_code", "SUCCESS").containsEntry("result_code", "FAIL")
                .containsEntry("err_code", "APPID_NOT_EXIST");
        assertThat(answer.get("sign")).isEqualTo(testSign(answer, "MD5"));
    }

    @Test
    void hmacSha256RequestGetsHmacSignedAnswer() throws Exception {
        Map<String, String> request = unifiedOrder("UO-HMAC");
        request.put("sign_type", "HMAC-SHA256");

        Map<String, String> answer = readXml(post("/pay/unifiedorder", signedXml(request, "HMAC-SHA256")));

        assertThat(answer).containsEntry("result_code", "SUCCESS").doesNotContainKey("sign_type");
        assertThat(answer.get("sign")).hasSize(64).isEqualTo(testSign(answer, "HMAC-SHA256"))
                .isNotEqualTo(testSign(answer, "MD5"));
    }

    @Test
    void requestSignedWithTheOtherAlgorithmIsRefused() throws Exception {
        Map<String, String> request = unifiedOrder("UO-MIXED");
        request.put("sign_type", "HMAC-SHA256");
        // The MD5 signature includes sign_type=HMAC-SHA256, but the declared algorithm is HMAC.
        Map<String, String> answer = readXml(post("/pay/unifiedorder", signedXml(request, "MD5")));

        assertThat(answer).containsEntry("return_code", "FAIL").containsEntry("err_code", "SIGNERROR");
    }

    // ---- XML hardening ------------------------------------------------------------------

    @Test
    void doctypeAndExternalEntitiesAreRefused() throws Exception {
        String xxe = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                + "<!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                + "<xml><appid>&xxe;</appid><mch_id>" + MCH_ID + "</mch_id></xml>";

        String xml = post("/pay/unifiedorder", xxe);
        Map<String, String> answer = readXml(xml);

        assertThat(answer).containsEntry("return_code", "FAIL").doesNotContainKey("sign");
        assertThat(answer.get("return_msg")).contains("DOCTYPE");
        assertThat(xml).doesNotContain("root:").doesNotContain("/bin/").doesNotContain("nologin");
    }

    @Test
    void malformedXmlIsAProtocolFailure() throws Exception {
        Map<String, String> answer = readXml(post("/pay/orderquery", "<xml><appid>wx</appid>"));

        assertThat(answer).containsEntry("return_code", "FAIL").doesNotContainKey("sign");
        assertThat(answer.get("return_msg")).contains("XML");
    }

    // ---- orderquery and the payer ---------------------------------------------------------

    @Test
    void orderIsUnpaidUntilTheSandboxUserPaysIt() throws Exception {
        Map<String, String> order = unifiedOrder("OQ-1");
        order.put("attach", "cart=42");
        order.put("device_info", "POS-7");
        post("/pay/unifiedorder", signedXml(order, "MD5"));

        Map<String, String> unpaid = orderQuery("out_trade_no", "OQ-1");
        assertThat(unpaid).containsEntry("result_code", "SUCCESS").containsEntry("trade_state", "NOTPAY")
                .containsEntry("out_trade_no", "OQ-1").containsEntry("total_fee", "1")
                .containsEntry("fee_type", "CNY").containsEntry("trade_type", "NATIVE")
                .containsEntry("attach", "cart=42").containsEntry("device_info", "POS-7")
                .containsKey("trade_state_desc").doesNotContainKeys("transaction_id", "time_end");
        assertThat(unpaid.get("sign")).isEqualTo(testSign(unpaid, "MD5"));

        HttpResponse<String> pay = control("POST", "/sandbox/wechat/pay?out_trade_no=OQ-1&mch_id=" + MCH_ID);
        assertThat(pay.statusCode()).isEqualTo(200);
        assertThat(pay.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("json"));
        JsonNode payment = json.readTree(pay.body());
        assertThat(payment.get("out_trade_no").asText()).isEqualTo("OQ-1");
        assertThat(payment.get("trade_state").asText()).isEqualTo("SUCCESS");
        String transactionId = payment.get("transaction_id").asText();
        assertThat(transactionId).matches("4200[0-9]{24}");

        Map<String, String> paid = orderQuery("out_trade_no", "OQ-1");
        assertThat(paid).containsEntry("trade_state", "SUCCESS").containsEntry("transaction_id", transactionId)
                .containsEntry("cash_fee", "1").containsEntry("bank_type", "OTHERS")
                .containsEntry("is_subscribe", "N").containsEntry("openid", "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o");
        assertThat(paid.get("time_end")).matches("20[0-9]{12}");
        assertThat(paid.get("sign")).isEqualTo(testSign(paid, "MD5"));

        assertThat(orderQuery("transaction_id", transactionId)).containsEntry("out_trade_no", "OQ-1")
                .containsEntry("trade_state", "SUCCESS");

        HttpResponse<String> payAgain = control("POST", "/sandbox/wechat/pay?out_trade_no=OQ-1");
        assertThat(json.readTree(payAgain.body()).get("transaction_id").asText()).isEqualTo(transactionId);
    }

    @Test
    void payAcceptsAFormBody() throws Exception {
        post("/pay/unifiedorder", signedXml(unifiedOrder("OQ-FORM"), "MD5"));

        HttpResponse<String> pay = http.send(HttpRequest.newBuilder(uri("/sandbox/wechat/pay"))
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("out_trade_no=OQ-FORM&mch_id=" + MCH_ID)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(pay.statusCode()).isEqualTo(200);
        assertThat(orderQuery("out_trade_no", "OQ-FORM")).containsEntry("trade_state", "SUCCESS");
    }

    @Test
    void unknownOrderDoesNotExist() throws Exception {
        Map<String, String> answer = orderQuery("out_trade_no", "NO-SUCH-ORDER");

        assertThat(answer).containsEntry("return_code", "SUCCESS").containsEntry("result_code", "FAIL")
                .containsEntry("err_code", "ORDERNOTEXIST").containsEntry("err_code_des", "订单不存在");
        assertThat(answer.get("sign")).isEqualTo(testSign(answer, "MD5"));
    }

    @Test
    void controlEndpointsAnswerErrorsAsJson() throws Exception {
        HttpResponse<String> unknown = control("POST", "/sandbox/wechat/pay?out_trade_no=NOPE");
        assertThat(unknown.statusCode()).isEqualTo(404);
        assertThat(json.readTree(unknown.body()).get("error").asText()).isEqualTo("no such order");

        post("/pay/unifiedorder", signedXml(unifiedOrder("CTL-CLOSED"), "MD5"));
        control("POST", "/sandbox/wechat/close?out_trade_no=CTL-CLOSED");
        assertThat(control("POST", "/sandbox/wechat/pay?out_trade_no=CTL-CLOSED").statusCode()).isEqualTo(409);

        assertThat(control("POST", "/sandbox/wechat/pay").statusCode()).isEqualTo(400);
        assertThat(control("GET", "/sandbox/wechat/pay?out_trade_no=CTL-CLOSED").statusCode()).isEqualTo(405);
        assertThat(control("GET", "/sandbox/wechat/nothing-here").statusCode()).isEqualTo(404);
        assertThat(control("GET", "/pay/downloadbill").statusCode()).isEqualTo(404);
    }

    @Test
    void orderViewShowsTheSimulatorsOrder() throws Exception {
        post("/pay/unifiedorder", signedXml(unifiedOrder("VIEW-1"), "MD5"));

        HttpResponse<String> view = control("GET", "/sandbox/wechat/orders/VIEW-1");

        assertThat(view.statusCode()).isEqualTo(200);
        JsonNode order = json.readTree(view.body());
        assertThat(order.get("out_trade_no").asText()).isEqualTo("VIEW-1");
        assertThat(order.get("mch_id").asText()).isEqualTo(MCH_ID);
        assertThat(order.get("trade_state").asText()).isEqualTo("NOTPAY");
        assertThat(order.get("total_fee").asLong()).isEqualTo(1);
        assertThat(view.body()).doesNotContain(API_KEY);
        assertThat(control("GET", "/sandbox/wechat/orders/VIEW-2").statusCode()).isEqualTo(404);
    }

    @Test
    void payWithoutMchIdIsAmbiguousWhenTwoMerchantsShareTheOrderNumber() throws Exception {
        Merchant other = new Merchant("1900000110", "wx9999999999999999", "0123456789abcdef0123456789abcdef");
        try (WechatSimulator two = new WechatSimulator(0, List.of(MERCHANT, other), null)) {
            two.start();
            for (Merchant merchant : List.of(MERCHANT, other)) {
                Map<String, String> order = unifiedOrder("SHARED-1");
                order.put("mch_id", merchant.mchId());
                order.put("appid", merchant.appId());
                String body = signedXml(order, "MD5", merchant.apiKey());
                assertThat(readXml(post(two, "/pay/unifiedorder", body))).containsEntry("result_code", "SUCCESS");
            }
            URI ambiguous = URI.create("http://127.0.0.1:" + two.port() + "/sandbox/wechat/pay?out_trade_no=SHARED-1");
            assertThat(send(HttpRequest.newBuilder(ambiguous).POST(HttpRequest.BodyPublishers.noBody())).statusCode())
                    .isEqualTo(409);
            URI precise = URI.create(ambiguous + "&mch_id=" + other.mchId());
            assertThat(send(HttpRequest.newBuilder(precise).POST(HttpRequest.BodyPublishers.noBody())).statusCode())
                    .isEqualTo(200);
        }
    }

    // ---- stats, faults, persistence -------------------------------------------------------

    @Test
    void statsCountEveryApiCallIncludingFailedOnes() throws Exception {
        post("/pay/unifiedorder", signedXml(unifiedOrder("ST-1"), "MD5"));
        post("/pay/unifiedorder", "not xml at all");
        orderQuery("out_trade_no", "ST-1");
        control("POST", "/sandbox/wechat/pay?out_trade_no=ST-1");

        JsonNode stats = json.readTree(control("GET", "/sandbox/wechat/stats").body());

        assertThat(stats.get("calls").get("/pay/unifiedorder").asLong()).isEqualTo(2);
        assertThat(stats.get("calls").get("/pay/orderquery").asLong()).isEqualTo(1);
        assertThat(stats.get("total").asLong()).isEqualTo(3);
        assertThat(simulator.calls()).containsExactly(Map.entry("/pay/unifiedorder", 2L), Map.entry("/pay/orderquery", 1L),
                Map.entry("/pay/closeorder", 0L), Map.entry("/pay/micropay", 0L), Map.entry("/secapi/pay/reverse", 0L),
                Map.entry("/secapi/pay/refund", 0L), Map.entry("/pay/refundquery", 0L),
                Map.entry("/sandboxnew/pay/unifiedorder", 0L), Map.entry("/sandboxnew/pay/orderquery", 0L),
                Map.entry("/sandboxnew/pay/closeorder", 0L), Map.entry("/sandboxnew/pay/micropay", 0L),
                Map.entry("/sandboxnew/secapi/pay/reverse", 0L), Map.entry("/sandboxnew/secapi/pay/refund", 0L),
                Map.entry("/sandboxnew/pay/refundquery", 0L));
    }

    /** WeChat's sandbox prefix: the same answer as the plain path, counted under its own path. */
    @Test
    void theSandboxPrefixAnswersLikeThePlainPathAndCountsApart() throws Exception {
        post("/pay/unifiedorder", signedXml(unifiedOrder("SBX-1"), "MD5"));

        Map<String, String> answer = readXml(post("/sandboxnew/pay/orderquery", signedXml(query("out_trade_no", "SBX-1"), "MD5")));

        assertThat(answer).containsEntry("result_code", "SUCCESS").containsEntry("trade_state", "NOTPAY")
                .containsEntry("out_trade_no", "SBX-1");
        assertThat(answer.get("sign")).isEqualTo(testSign(answer, "MD5"));
        assertThat(simulator.calls()).containsEntry("/sandboxnew/pay/orderquery", 1L).containsEntry("/pay/orderquery", 0L);
        assertThat(control("GET", "/sandbox/wechat/calls?out_trade_no=SBX-1").body()).contains("\"path\":\"/sandboxnew/pay/orderquery\"");
        // The certificate rule follows the path it stands for: /sandboxnew/secapi needs one too.
        assertThat(readXml(post("/sandboxnew/secapi/pay/refund", signedXml(query("out_trade_no", "SBX-1"), "MD5"))))
                .containsEntry("return_code", "FAIL");
    }

    @Test
    void delayFaultSlowsTheNextCallsOnly() throws Exception {
        HttpResponse<String> planned = control("POST", "/sandbox/wechat/faults?delay_ms=400&count=1");
        assertThat(planned.statusCode()).isEqualTo(200);
        assertThat(json.readTree(planned.body()).get("delays_left").asInt()).isEqualTo(1);

        long started = System.nanoTime();
        Map<String, String> slow = orderQuery("out_trade_no", "ANY");
        long tookMs = (System.nanoTime() - started) / 1_000_000;

        assertThat(tookMs).isGreaterThanOrEqualTo(400);
        assertThat(slow).containsEntry("err_code", "ORDERNOTEXIST");
        assertThat(json.readTree(control("GET", "/sandbox/wechat/faults").body()).get("delays_left").asInt()).isZero();
    }

    @Test
    void delayFaultProvokesAClientReadTimeout() throws Exception {
        control("POST", "/sandbox/wechat/faults?delay_ms=2000&count=1");
        HttpRequest request = HttpRequest.newBuilder(uri("/pay/orderquery"))
                .timeout(Duration.ofMillis(200))
                .POST(HttpRequest.BodyPublishers.ofString(signedXml(query("out_trade_no", "ANY"), "MD5"))).build();

        assertThatThrownBy(() -> http.send(request, HttpResponse.BodyHandlers.ofString()))
                .isInstanceOf(HttpTimeoutException.class);
        assertThat(control("DELETE", "/sandbox/wechat/faults").statusCode()).isEqualTo(200);
    }

    @Test
    void failureFaultAnswersSignedErrCodeForTheNextCalls() throws Exception {
        control("POST", "/sandbox/wechat/faults?fail_with=SYSTEMERROR&count=1");

        Map<String, String> failed = readXml(post("/pay/unifiedorder", signedXml(unifiedOrder("FF-1"), "MD5")));
        Map<String, String> next = readXml(post("/pay/unifiedorder", signedXml(unifiedOrder("FF-1"), "MD5")));

        assertThat(failed).containsEntry("return_code", "SUCCESS").containsEntry("result_code", "FAIL")
                .containsEntry("err_code", "SYSTEMERROR").doesNotContainKey("prepay_id");
        assertThat(failed.get("sign")).isEqualTo(testSign(failed, "MD5"));
        assertThat(next).containsEntry("result_code", "SUCCESS").containsKey("prepay_id");
    }

    @Test
    void faultsAreClearedByDelete() throws Exception {
        control("POST", "/sandbox/wechat/faults?fail_with=SYSTEMERROR&count=5");
        control("DELETE", "/sandbox/wechat/faults");

        assertThat(orderQuery("out_trade_no", "ANY")).containsEntry("err_code", "ORDERNOTEXIST");
        assertThat(control("POST", "/sandbox/wechat/faults").statusCode()).isEqualTo(400);
        assertThat(control("POST", "/sandbox/wechat/faults?fail_with=bad%20code").statusCode()).isEqualTo(400);
    }

    @Test
    void ordersSurviveARestartOnTheSameStateFile() throws Exception {
        Path stateFile = temp.resolve("sandbox/wechat-state.json");
        String transactionId;
        try (WechatSimulator first = new WechatSimulator(0, List.of(MERCHANT), stateFile)) {
            first.start();
            post(first, "/pay/unifiedorder", signedXml(unifiedOrder("PERSIST-1"), "MD5"));
            post(first, "/pay/unifiedorder", signedXml(unifiedOrder("PERSIST-2"), "MD5"));
            URI pay = URI.create("http://127.0.0.1:" + first.port() + "/sandbox/wechat/pay?out_trade_no=PERSIST-1");
            transactionId = json.readTree(send(HttpRequest.newBuilder(pay).POST(HttpRequest.BodyPublishers.noBody()))
                    .body()).get("transaction_id").asText();
        }
        assertThat(stateFile).exists();
        assertThat(Files.readString(stateFile)).contains("PERSIST-1").doesNotContain(API_KEY);
        try (Stream<Path> leftovers = Files.list(stateFile.getParent())) {
            assertThat(leftovers).containsExactly(stateFile);
        }

        try (WechatSimulator restarted = new WechatSimulator(0, List.of(MERCHANT), stateFile)) {
            restarted.start();
            Map<String, String> paid = readXml(post(restarted, "/pay/orderquery",
                    signedXml(query("out_trade_no", "PERSIST-1"), "MD5")));
            Map<String, String> unpaid = readXml(post(restarted, "/pay/orderquery",
                    signedXml(query("out_trade_no", "PERSIST-2"), "MD5")));

            assertThat(paid).containsEntry("trade_state", "SUCCESS").containsEntry("transaction_id", transactionId);
            assertThat(unpaid).containsEntry("trade_state", "NOTPAY");
            // Orders persist; the call counter starts afresh.
            assertThat(restarted.calls()).containsEntry("/pay/unifiedorder", 0L).containsEntry("/pay/orderquery", 2L)
                    .containsEntry("/pay/closeorder", 0L);
            assertThat(restarted.calls().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(2);
        }
    }

    @Test
    void merchantNeverShowsItsKey() {
        assertThat(MERCHANT.toString()).contains(MCH_ID).doesNotContain(API_KEY);
    }

    // ---- the test's own WeChat client side --------------------------------------------------

    private void assertParamError(String field, String value) throws Exception {
        Map<String, String> request = unifiedOrder("PE-" + UUID.randomUUID().toString().substring(0, 8));
        request.put(field, value);
        Map<String, String> answer = readXml(post("/pay/unifiedorder", signedXml(request, "MD5")));
        assertThat(answer).as("%s=%s", field, value).containsEntry("result_code", "FAIL")
                .containsEntry("err_code", "PARAM_ERROR");
        assertThat(answer.get("err_code_des")).as("%s=%s", field, value).contains(field);
    }

    private static Map<String, String> unifiedOrder(String outTradeNo) {
        Map<String, String> request = new LinkedHashMap<>();
        request.put("appid", APP_ID);
        request.put("mch_id", MCH_ID);
        request.put("nonce_str", UUID.randomUUID().toString().replace("-", ""));
        request.put("body", "sandbox coffee");
        request.put("out_trade_no", outTradeNo);
        request.put("total_fee", "1");
        request.put("spbill_create_ip", "127.0.0.1");
        request.put("notify_url", "https://shop.example/notify/wechat");
        request.put("trade_type", "NATIVE");
        request.put("product_id", "SKU-1");
        return request;
    }

    private static Map<String, String> query(String idField, String id) {
        Map<String, String> request = new LinkedHashMap<>();
        request.put("appid", APP_ID);
        request.put("mch_id", MCH_ID);
        request.put("nonce_str", UUID.randomUUID().toString().replace("-", ""));
        request.put(idField, id);
        return request;
    }

    private Map<String, String> orderQuery(String idField, String id) throws Exception {
        return readXml(post("/pay/orderquery", signedXml(query(idField, id), "MD5")));
    }

    private static String signedXml(Map<String, String> fields, String algorithm) throws Exception {
        return signedXml(fields, algorithm, API_KEY);
    }

    private static String signedXml(Map<String, String> fields, String algorithm, String key) throws Exception {
        Map<String, String> signed = new LinkedHashMap<>(fields);
        signed.put("sign", testSign(fields, algorithm, key));
        return toXml(signed);
    }

    /** Values go in plain elements, not CDATA, to check the simulator reads both forms. */
    private static String toXml(Map<String, String> fields) {
        StringBuilder xml = new StringBuilder("<xml>");
        fields.forEach((name, value) -> xml.append('<').append(name).append('>')
                .append(value.replace("&", "&amp;").replace("<", "&lt;")).append("</").append(name).append('>'));
        return xml.append("</xml>").toString();
    }

    private static String testSign(Map<String, String> fields, String algorithm) throws Exception {
        return testSign(fields, algorithm, API_KEY);
    }

    /** WeChat v2 signing, written here independently of SimSigner. */
    private static String testSign(Map<String, String> fields, String algorithm, String key) throws Exception {
        String text = fields.entrySet().stream()
                .filter(field -> !field.getKey().equals("sign") && field.getValue() != null && !field.getValue().isEmpty())
                .sorted(Map.Entry.comparingByKey())
                .map(field -> field.getKey() + "=" + field.getValue())
                .collect(Collectors.joining("&")) + "&key=" + key;
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] digest;
        if (algorithm.equals("HMAC-SHA256")) {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            digest = mac.doFinal(payload);
        } else {
            digest = MessageDigest.getInstance("MD5").digest(payload);
        }
        StringBuilder hex = new StringBuilder();
        for (byte b : digest) {
            hex.append(String.format("%02X", b));
        }
        return hex.toString();
    }

    private static final Pattern CDATA_FIELD = Pattern.compile("<([a-z_]+)><!\\[CDATA\\[(.*?)]]></\\1>", Pattern.DOTALL);

    /** Reads a WeChat answer; every value must be in CDATA, as WeChat writes them. */
    private static Map<String, String> readXml(String xml) {
        assertThat(xml).startsWith("<xml>").endsWith("</xml>");
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher matcher = CDATA_FIELD.matcher(xml);
        while (matcher.find()) {
            fields.put(matcher.group(1), matcher.group(2));
        }
        return fields;
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + simulator.port() + path);
    }

    private String post(String path, String body) throws Exception {
        return post(simulator, path, body);
    }

    private String post(WechatSimulator target, String path, String body) throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + target.port() + path))
                .header("Content-Type", "text/xml; charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("text/xml; charset=UTF-8");
        return response.body();
    }

    private HttpResponse<String> control(String method, String pathAndQuery) throws Exception {
        return send(HttpRequest.newBuilder(uri(pathAndQuery)).method(method, HttpRequest.BodyPublishers.noBody()));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }
}
