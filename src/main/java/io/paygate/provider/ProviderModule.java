package io.paygate.provider;

import io.paygate.config.GatewaySettings;
import io.paygate.config.MerchantProfile;
import io.paygate.config.ProviderSettings;
import io.paygate.config.SettingsSection;
import io.paygate.notify.NotificationCodec;
import io.paygate.store.Database;
import java.time.Clock;
import java.util.Map;

/**
 * One payment provider, as a module: found at start with {@link java.util.ServiceLoader} (a line in
 * {@code META-INF/services/io.paygate.provider.ProviderModule}), so no central file names a
 * provider. A module owns its package: the settings of its {@code merchants.yaml} section, its
 * connector and notification codec, the beans its route file ({@code routes/<name>.yaml}) names,
 * and its simulator in the sandbox source tree.
 */
public interface ProviderModule {

    /** The provider's name in the contract and in merchants.yaml (wechat, pooul, ystpay, ...). */
    String name();

    /**
     * The provider's own defaults for {@code gateway.<name>.*} settings (application.properties
     * overrides them), e.g. its documented time limits.
     */
    default Map<String, String> defaults() {
        return Map.of();
    }

    /**
     * The wallets this provider serves. A merchant's routing rule may send only these channels to
     * it, and a merchant without a default provider must route every channel its providers serve.
     */
    default java.util.Set<io.paygate.canonical.Channel> channels() {
        return java.util.EnumSet.allOf(io.paygate.canonical.Channel.class);
    }

    /**
     * Reads the merchant's section of this provider as strictly as the rest of the file: unknown
     * keys and missing credentials are errors naming the key. {@code connectTimeout} and
     * {@code readTimeout} are read by the gateway for every provider and never reach this method.
     */
    ProviderSettings settings(SettingsSection section);

    /** A check at start-up (a client certificate that must open); throws naming the key. */
    default void check(MerchantProfile profile, ProviderSettings settings, SettingsProblem problem) {
    }

    /** Makes the module's parts once at start. */
    Parts start(Context context);

    /** Reports a start-up problem with one key of the merchant's section of this provider. */
    interface SettingsProblem {
        RuntimeException at(String key, String reason);
    }

    /** What a module may use to make its parts. */
    record Context(GatewaySettings settings, Database database, Clock clock) {
        /** {@code gateway.public-base-url} without a trailing slash: providers notify under it. */
        public String publicBaseUrl() {
            String url = settings.get("gateway.public-base-url");
            return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        }
    }

    /**
     * @param connector the provider's connector
     * @param notifications its notification codec (POST /notify/{name}/{merchant})
     * @param beans the beans its route file names, by registry name
     */
    record Parts(ProviderConnector connector, NotificationCodec notifications, Map<String, Object> beans) {
        public Parts {
            beans = Map.copyOf(beans);
        }
    }
}
