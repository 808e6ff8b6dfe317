package io.paygate.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import org.apache.activemq.artemis.api.core.Message;
import org.apache.activemq.artemis.api.core.SimpleString;
import org.apache.activemq.artemis.core.message.impl.CoreMessage;
import org.apache.activemq.artemis.core.server.ServerSession;
import org.junit.jupiter.api.Test;

/** The sender's login is the broker's, never the client's (the AMQP and STOMP cases: MerchantLoginsIT). */
class SenderLoginTest {
    private static ServerSession sessionOf(String validatedUser) {
        return (ServerSession) Proxy.newProxyInstance(SenderLoginTest.class.getClassLoader(), new Class<?>[] {ServerSession.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "getValidatedUser", "getUsername" -> validatedUser;
                    default -> null;
                });
    }

    private static Message message(String address, String forged) {
        CoreMessage m = new CoreMessage(1, 512);
        m.setAddress(address);
        if (forged != null) {
            m.putStringProperty(SenderLogin.PROPERTY, forged);
        }
        return m;
    }

    @Test
    void aRequestCarriesTheValidatedLoginWhateverTheClientSet() throws Exception {
        for (String address : new String[] {"payments.requests", "/queue/payments.requests", "payments.requests::payments.requests"}) {
            Message m = message(address, "till-b");
            new SenderLogin().beforeSend(sessionOf("till-a"), null, m, false, false);
            assertThat(m.getStringProperty(SimpleString.of(SenderLogin.PROPERTY))).as(address).isEqualTo("till-a");
        }
        Message unset = message("payments.requests", null);
        new SenderLogin().beforeSend(sessionOf("merchant-systems"), null, unset, false, false);
        assertThat(unset.getStringProperty(SimpleString.of(SenderLogin.PROPERTY))).isEqualTo("merchant-systems");
    }

    @Test
    void anyOtherMessageLosesAValueTheClientSet() throws Exception {
        Message m = message("payments.requests.other", "till-b");
        new SenderLogin().beforeSend(sessionOf("till-a"), null, m, false, false);
        assertThat(m.containsProperty(SimpleString.of(SenderLogin.PROPERTY))).isFalse();
        Message reply = message("some-temp-queue", null);
        new SenderLogin().beforeSend(sessionOf("gateway-internal"), null, reply, false, false);
        assertThat(reply.containsProperty(SimpleString.of(SenderLogin.PROPERTY))).isFalse();
    }
}
