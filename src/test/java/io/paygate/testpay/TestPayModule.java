package io.paygate.testpay;

import io.paygate.canonical.ErrorCode;
import io.paygate.canonical.Operation;
import io.paygate.canonical.PaymentError;
import io.paygate.canonical.PaymentRequest;
import io.paygate.canonical.PaymentResult;
import io.paygate.canonical.PaymentStatus;
import io.paygate.config.MerchantProfile;
import io.paygate.config.ProviderSettings;
import io.paygate.config.SettingsSection;
import io.paygate.notify.Notice;
import io.paygate.notify.NoticeRejected;
import io.paygate.notify.NotificationCodec;
import io.paygate.provider.AnswerRejected;
import io.paygate.provider.ProviderAnswerFormat;
import io.paygate.provider.ProviderCall;
import io.paygate.provider.ProviderConnector;
import io.paygate.provider.ProviderModule;
import io.paygate.route.RouteProperties;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.camel.ExchangeProperty;

/**
 * A fourth provider that exists only in test sources, to prove that a provider is a module: it
 * plugs in through META-INF/services and its own route file (src/test/resources/testpay/testpay.yaml)
 * with no change to main. Its wire format is made up and small: a request is the line
 * {@code op|orderId|amount} with an HMAC-SHA256 over it, an answer is {@code orderId|state|hmac}.
 */
public final class TestPayModule implements ProviderModule {
    public static final String NAME = "testpay";

    /** The merchant's {@code testpay:} section. */
    public record TestPaySettings(String baseUrl, String key) implements ProviderSettings {
        @Override
        public String toString() {
            return "TestPaySettings[" + baseUrl + "]";
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    /** A limit of its own, as a provider's documented limits are (ReconcileTimingsTest). */
    @Override
    public Map<String, String> defaults() {
        return Map.of("gateway.testpay.micro.poll-limit", "99");
    }

    @Override
    public ProviderSettings settings(SettingsSection s) {
        s.onlyKeys(Set.of("baseUrl", "key"));
        return new TestPaySettings(s.url("baseUrl", true), s.required("key"));
    }

    @Override
    public Parts start(Context context) {
        Connector connector = new Connector();
        return new Parts(connector, new Codec(), Map.of("testpayConnector", connector, "testpayAnswer", new AnswerFormat()));
    }

    static String hmac(String key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A verified answer: only {@link AnswerFormat} makes one. */
    public static final class Verified {
        private final String orderId;
        private final String state;

        private Verified(String orderId, String state) {
            this.orderId = orderId;
            this.state = state;
        }
    }

    /** Parses and verifies {@code orderId|state|hmac} with the merchant's key. */
    public static final class AnswerFormat extends ProviderAnswerFormat<Verified> {
        AnswerFormat() {
            super("TestPay");
        }

        @Override
        public Verified verify(byte[] raw, ProviderCall call) {
            String[] parts = new String(raw, StandardCharsets.UTF_8).trim().split("\\|");
            String key = call.settings(TestPaySettings.class).key();
            if (parts.length != 3 || !MessageDigest.isEqual(hmac(key, parts[0] + "|" + parts[1]).getBytes(StandardCharsets.UTF_8),
                    parts[2].getBytes(StandardCharsets.UTF_8))) {
                throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "TestPay's answer failed verification");
            }
            if (!parts[0].equals(call.request().orderId())) {
                throw new AnswerRejected(ErrorCode.SIGNATURE_INVALID, "TestPay's answer names another order");
            }
            return new Verified(parts[0], parts[1]);
        }
    }

    /** Typed steps: the request line, and the verified answer to the canonical result. */
    public static final class Connector implements ProviderConnector {
        @Override
        public String provider() {
            return NAME;
        }

        @Override
        public Optional<PaymentError> refuse(PaymentRequest request, MerchantProfile profile) {
            return request.operation() == Operation.PAY || request.operation() == Operation.QUERY ? Optional.empty()
                    : Optional.of(PaymentError.of(ErrorCode.UNSUPPORTED, "TestPay has only PAY and QUERY", false));
        }

        @Override
        public String route(ProviderCall call) {
            return call.operation() == Operation.PAY ? "direct:testpay-pay" : "direct:testpay-query";
        }

        public String request(@ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
            String line = call.operation().name() + "|" + call.request().orderId() + "|"
                    + (call.request().amount() == null ? "" : call.request().amount());
            return line + "|" + hmac(call.settings(TestPaySettings.class).key(), line);
        }

        public PaymentResult result(Verified answer, @ExchangeProperty(RouteProperties.CALL) ProviderCall call) {
            PaymentStatus status = switch (answer.state) {
                case "PAID" -> PaymentStatus.SUCCESS;
                case "OPEN" -> PaymentStatus.NOTPAY;
                default -> PaymentStatus.UNKNOWN;
            };
            PaymentResult.Builder b = PaymentResult.answering(call.request()).status(status);
            if (status == PaymentStatus.SUCCESS) {
                b.providerTradeId("TP-" + answer.orderId);
            }
            return b.build();
        }
    }

    /** Notifications are not part of this test provider: every one is refused. */
    static final class Codec implements NotificationCodec {
        @Override
        public String provider() {
            return NAME;
        }

        @Override
        public Notice decode(byte[] raw, MerchantProfile profile) {
            throw new NoticeRejected("TestPay sends no notifications");
        }

        @Override
        public byte[] successReply() {
            return "OK".getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public byte[] failureReply(String reason) {
            return "NO".getBytes(StandardCharsets.US_ASCII);
        }

        @Override
        public String replyContentType() {
            return "text/plain";
        }
    }
}
