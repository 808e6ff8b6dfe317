package io.paygate.provider.wechat.wire;

import jakarta.xml.bind.annotation.XmlAccessType;
import jakarta.xml.bind.annotation.XmlAccessorType;
import jakarta.xml.bind.annotation.XmlType;

/** Answer of {@code /pay/micropay} (barcode payment): the payment's fields when it was charged. */
@XmlType(name = "micropayAnswer")
@XmlAccessorType(XmlAccessType.FIELD)
public class MicropayAnswer extends PaymentAnswer {
}
