package io.paygate.sandbox.wechat;

import static io.paygate.sandbox.wechat.IndependentWechatClient.API_KEY;
import static io.paygate.sandbox.wechat.IndependentWechatClient.APP_ID;
import static io.paygate.sandbox.wechat.IndependentWechatClient.MCH_ID;
import static io.paygate.sandbox.wechat.IndependentWechatClient.byOrder;
import static io.paygate.sandbox.wechat.IndependentWechatClient.md5Sign;
import static io.paygate.sandbox.wechat.IndependentWechatClient.micropay;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.paygate.sandbox.wechat.WechatSimulator.Merchant;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Barcode payments (/pay/micropay by the documented auth-code table) and /secapi/pay/reverse, over real HTTP(S). */
class WechatBarcodeSimulatorTest {

    private static final String PAYS = "134567890123456789";
    private static final String USERPAYING_THEN_PAID = "134567890123450000";
    private static final String USERPAYING_FOREVER = "134567890123451111";
    private static final String SYSTEMERROR_BUT_PAID = "134567890123452222";
    private static final String NOTENOUGH = "134567890123453333";
    private static final String EXPIRED = "134567890123454444";
    private static final String SYSTEMERROR_NO_ORDER = "134567890123455555";

    @TempDir
    static Path tlsDir;

    private final ObjectMapper json = new ObjectMapper();
    private WechatSimulator simulator;
    private IndependentWechatClient plain;
    private IndependentWechatClient secure;

    @BeforeEach
    void start() throws Exception {
        simulator = new WechatSimulator(0, List.of(new Merchant(MCH_ID, APP_ID, API_KEY)), null, 0, tlsDir);
        simulator.start();
        plain = IndependentWechatClient.plain(simulator.port());
        secure = IndependentWechatClient.tls(simulator.tlsPort(), simulator.caCertificate(),
                simulator.clientCertificate(MCH_ID), MCH_ID);
    }

    @AfterEach
    void stop() {
        simulator.close();
    }

    @Test
    void validCodePaysAtOnceWithASignedMicropayAnswer() throws Exception {
        Map<String, String> request = micropay("MP-OK", PAYS, 250);
        request.put("attach", "till 3");

        Map<String, String> answer = plain.call("/pay/micropay", request);

        assertThat(answer).containsEntry("return_code", "SUCCESS").containsEntry("result_code", "SUCCESS")
                .containsEntry("trade_type", "MICROPAY").containsEntry("total_fee", "250").containsEntry("cash_fee", "250")
                .containsEntry("out_trade_no", "MP-OK").containsEntry("attach", "till 3")
                .containsEntry("device_info", "POS-1").containsKeys("bank_type", "openid");
        assertThat(answer.get("transaction_id")).matches("4200[0-9]{24}");
        assertThat(answer.get("time_end")).matches("20[0-9]{12}");
        assertThat(answer.get("sign")).isEqualTo(md5Sign(answer, API_KEY));

        Map<String, String> query = plain.call("/pay/orderquery", byOrder("MP-OK"));
        assertThat(query).containsEntry("trade_state", "SUCCESS").containsEntry("trade_type", "MICROPAY")
                .containsEntry("transaction_id", answer.get("transaction_id"));
        assertThat(plain.call("/pay/micropay", micropay("MP-OK", PAYS, 250))).containsEntry("err_code", "ORDERPAID");
    }

    @Test
    void malformedOrForeignCodesAreInvalidAndCreateNoOrder() throws Exception {
        for (String code : List.of("12345", "164567890123456789", "13456789012345678X", "1345678901234567890")) {
            Map<String, String> answer = plain.call("/pay/micropay", micropay("MP-BAD", code, 1));
            assertThat(answer).as(code).containsEntry("result_code", "FAIL").containsEntry("err_code", "AUTH_CODE_INVALID");
            assertThat(answer.get("sign")).isEqualTo(md5Sign(answer, API_KEY));
        }
        assertThat(plain.call("/pay/orderquery", byOrder("MP-BAD"))).containsEntry("err_code", "ORDERNOTEXIST");
        assertThat(plain.call("/pay/micropay", micropay("MP-EXP", EXPIRED, 1))).containsEntry("err_code", "AUTHCODEEXPIRE");
        assertThat(plain.call("/pay/orderquery", byOrder("MP-EXP"))).containsEntry("err_code", "ORDERNOTEXIST");
    }

    @Test
    void userPayingCodeIsPaidAtTheSecondQuery() throws Exception {
        Map<String, String> answer = plain.call("/pay/micropay", micropay("MP-WAIT", USERPAYING_THEN_PAID, 1));
        assertThat(answer).containsEntry("result_code", "FAIL").containsEntry("err_code", "USERPAYING")
                .doesNotContainKey("transaction_id");

        assertThat(plain.call("/pay/micropay", micropay("MP-WAIT", USERPAYING_THEN_PAID, 1)))
                .containsEntry("err_code", "USERPAYING");
        assertThat(plain.call("/pay/orderquery", byOrder("MP-WAIT"))).containsEntry("trade_state", "USERPAYING")
                .doesNotContainKey("transaction_id");
        Map<String, String> paid = plain.call("/pay/orderquery", byOrder("MP-WAIT"));
        assertThat(paid).containsEntry("trade_state", "SUCCESS").containsEntry("trade_type", "MICROPAY");
        assertThat(paid.get("transaction_id")).matches("4200[0-9]{24}");
    }

    @Test
    void foreverUserPayingWaitsForTheSandboxUser() throws Exception {
        plain.call("/pay/micropay", micropay("MP-FOREVER", USERPAYING_FOREVER, 1));
        for (int i = 0; i < 4; i++) {
            assertThat(plain.call("/pay/orderquery", byOrder("MP-FOREVER"))).containsEntry("trade_state", "USERPAYING");
        }
        assertThat(plain.control("POST", "/sandbox/wechat/pay?out_trade_no=MP-FOREVER").statusCode()).isEqualTo(200);
        assertThat(plain.call("/pay/orderquery", byOrder("MP-FOREVER"))).containsEntry("trade_state", "SUCCESS");

        plain.call("/pay/micropay", micropay("MP-FOREVER-2", USERPAYING_FOREVER, 1));
        assertThat(plain.control("POST", "/sandbox/wechat/close?out_trade_no=MP-FOREVER-2").statusCode()).isEqualTo(200);
        assertThat(plain.call("/pay/orderquery", byOrder("MP-FOREVER-2"))).containsEntry("trade_state", "CLOSED");
    }

    @Test
    void systemErrorCodeLeavesAPaidOrderOnlyAQueryFinds() throws Exception {
        assertThat(plain.call("/pay/micropay", micropay("MP-SYS", SYSTEMERROR_BUT_PAID, 9)))
                .containsEntry("result_code", "FAIL").containsEntry("err_code", "SYSTEMERROR");
        assertThat(plain.call("/pay/orderquery", byOrder("MP-SYS"))).containsEntry("trade_state", "SUCCESS")
                .containsEntry("total_fee", "9");

        assertThat(plain.call("/pay/micropay", micropay("MP-LOST", SYSTEMERROR_NO_ORDER, 9)))
                .containsEntry("err_code", "SYSTEMERROR");
        assertThat(plain.call("/pay/orderquery", byOrder("MP-LOST"))).containsEntry("err_code", "ORDERNOTEXIST");
    }

    @Test
    void notEnoughMoneyFailsThePaymentAndAnotherCodeTriesAgain() throws Exception {
        assertThat(plain.call("/pay/micropay", micropay("MP-POOR", NOTENOUGH, 100))).containsEntry("err_code", "NOTENOUGH");
        assertThat(plain.call("/pay/orderquery", byOrder("MP-POOR"))).containsEntry("trade_state", "PAYERROR");

        assertThat(plain.call("/pay/micropay", micropay("MP-POOR", PAYS, 100))).containsEntry("result_code", "SUCCESS");
        assertThat(plain.call("/pay/orderquery", byOrder("MP-POOR"))).containsEntry("trade_state", "SUCCESS");
    }

    @Test
    void unifiedOrderNumberCannotBeUsedForMicropay() throws Exception {
        Map<String, String> order = IndependentWechatClient.common();
        order.put("body", "sandbox counter");
        order.put("out_trade_no", "MP-NATIVE");
        order.put("total_fee", "1");
        order.put("spbill_create_ip", "127.0.0.1");
        order.put("notify_url", "https://shop.example/notify");
        order.put("trade_type", "NATIVE");
        order.put("product_id", "SKU");
        assertThat(plain.call("/pay/unifiedorder", order)).containsEntry("result_code", "SUCCESS");

        assertThat(plain.call("/pay/micropay", micropay("MP-NATIVE", PAYS, 1))).containsEntry("err_code", "OUT_TRADE_NO_USED");
    }

    @Test
    void micropayWithoutAuthCodeNamesTheField() throws Exception {
        Map<String, String> request = micropay("MP-NOCODE", PAYS, 1);
        request.remove("auth_code");

        Map<String, String> answer = plain.call("/pay/micropay", request);

        assertThat(answer).containsEntry("err_code", "PARAM_ERROR");
        assertThat(answer.get("err_code_des")).contains("auth_code");
    }

    @Test
    void serviceProviderFieldsAreEchoed() throws Exception {
        Map<String, String> request = micropay("MP-SP", PAYS, 1);
        request.put("sub_mch_id", "1900000201");
        request.put("sub_appid", "wx7777777777777777");

        Map<String, String> answer = plain.call("/pay/micropay", request);

        assertThat(answer).containsEntry("result_code", "SUCCESS").containsEntry("sub_mch_id", "1900000201")
                .containsEntry("sub_appid", "wx7777777777777777");
        assertThat(answer.get("sign")).isEqualTo(md5Sign(answer, API_KEY));
    }

    // ---- reverse --------------------------------------------------------------------------------

    @Test
    void reverseRevokesAWaitingOrderWithRecallN() throws Exception {
        plain.call("/pay/micropay", micropay("RV-WAIT", USERPAYING_FOREVER, 1));

        Map<String, String> answer = secure.call("/secapi/pay/reverse", byOrder("RV-WAIT"));

        assertThat(answer).containsEntry("return_code", "SUCCESS").containsEntry("result_code", "SUCCESS")
                .containsEntry("recall", "N");
        assertThat(answer.get("sign")).isEqualTo(md5Sign(answer, API_KEY));
        assertThat(plain.call("/pay/orderquery", byOrder("RV-WAIT"))).containsEntry("trade_state", "REVOKED");
        assertThat(plain.control("POST", "/sandbox/wechat/pay?out_trade_no=RV-WAIT").statusCode()).isEqualTo(409);
        // Reversing again is harmless; paying again with that number is refused.
        assertThat(secure.call("/secapi/pay/reverse", byOrder("RV-WAIT"))).containsEntry("result_code", "SUCCESS");
        assertThat(plain.call("/pay/micropay", micropay("RV-WAIT", PAYS, 1))).containsEntry("err_code", "ORDERREVERSED");
    }

    @Test
    void reversingAPaidOrderPaysItBackByTransactionId() throws Exception {
        String transactionId = plain.call("/pay/micropay", micropay("RV-PAID", PAYS, 1)).get("transaction_id");
        Map<String, String> request = IndependentWechatClient.common();
        request.put("transaction_id", transactionId);

        assertThat(secure.call("/secapi/pay/reverse", request)).containsEntry("result_code", "SUCCESS")
                .containsEntry("recall", "N");
        assertThat(plain.call("/pay/orderquery", byOrder("RV-PAID"))).containsEntry("trade_state", "REVOKED")
                .containsEntry("transaction_id", transactionId);
        assertThat(secure.call("/secapi/pay/reverse", byOrder("RV-NONE"))).containsEntry("err_code", "ORDERNOTEXIST")
                .containsEntry("recall", "N");
    }

    @Test
    void recallFaultMakesTheNextReversesAskToBeCalledAgain() throws Exception {
        plain.call("/pay/micropay", micropay("RV-RECALL", USERPAYING_FOREVER, 1));
        var planned = plain.control("POST", "/sandbox/wechat/faults?recall=2");
        assertThat(planned.statusCode()).isEqualTo(200);
        assertThat(json.readTree(planned.body()).get("recalls_left").asInt()).isEqualTo(2);

        for (int i = 0; i < 2; i++) {
            Map<String, String> failed = secure.call("/secapi/pay/reverse", byOrder("RV-RECALL"));
            assertThat(failed).containsEntry("result_code", "FAIL").containsEntry("err_code", "SYSTEMERROR")
                    .containsEntry("recall", "Y");
            assertThat(failed.get("sign")).isEqualTo(md5Sign(failed, API_KEY));
            assertThat(plain.call("/pay/orderquery", byOrder("RV-RECALL"))).containsEntry("trade_state", "USERPAYING");
        }
        assertThat(secure.call("/secapi/pay/reverse", byOrder("RV-RECALL"))).containsEntry("result_code", "SUCCESS")
                .containsEntry("recall", "N");
        assertThat(plain.call("/pay/orderquery", byOrder("RV-RECALL"))).containsEntry("trade_state", "REVOKED");
        assertThat(simulator.calls()).containsEntry("/secapi/pay/reverse", 3L).containsEntry("/pay/micropay", 1L);
    }

    @Test
    void closeOrderRefusesPaidAndReversedOrders() throws Exception {
        plain.call("/pay/micropay", micropay("CL-PAID", PAYS, 1));
        plain.call("/pay/micropay", micropay("CL-REV", USERPAYING_FOREVER, 1));
        secure.call("/secapi/pay/reverse", byOrder("CL-REV"));
        plain.call("/pay/micropay", micropay("CL-WAIT", USERPAYING_FOREVER, 1));

        assertThat(plain.call("/pay/closeorder", byOrder("CL-PAID"))).containsEntry("err_code", "ORDERPAID");
        assertThat(plain.call("/pay/closeorder", byOrder("CL-REV"))).containsEntry("err_code", "ORDERREVERSED");
        assertThat(plain.call("/pay/closeorder", byOrder("CL-WAIT"))).containsEntry("result_code", "SUCCESS");
        assertThat(plain.call("/pay/orderquery", byOrder("CL-WAIT"))).containsEntry("trade_state", "CLOSED");
        assertThat(plain.call("/pay/orderquery", byOrder("CL-PAID"))).containsEntry("trade_state", "SUCCESS");
    }
}
