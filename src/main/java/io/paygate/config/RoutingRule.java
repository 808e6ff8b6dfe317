package io.paygate.config;

import io.paygate.canonical.Channel;
import io.paygate.canonical.PayMethod;

/**
 * One rule of a merchant's {@code routing:} list in merchants.yaml: payments of this channel and
 * method go to this provider. An absent channel or method matches any; a request that names no
 * channel is matched only by a rule without one. The first rule that matches wins.
 *
 * @param channel the wallet, or null for any
 * @param method the pay method, or null for any
 * @param provider the provider that takes the payment (the merchant has its section)
 */
public record RoutingRule(Channel channel, PayMethod method, String provider) {

    public boolean matches(Channel requestChannel, PayMethod requestMethod) {
        return (channel == null || channel == requestChannel) && (method == null || method == requestMethod);
    }

    @Override
    public String toString() {
        return "{channel: " + (channel == null ? "any" : channel) + ", method: " + (method == null ? "any" : method)
                + ", provider: " + provider + "}";
    }
}
