package io.paygate.config;

import io.paygate.config.MerchantProfile.PooulSettings;
import io.paygate.config.MerchantProfile.WechatSettings;
import io.paygate.config.MerchantProfile.YstpaySettings;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads {@code config/merchants.yaml} strictly: unknown keys, unknown providers, missing
 * credentials and unset {@code ${env:…}} references stop start-up with the file and key named.
 */
public final class MerchantsFile {
    public static final String FILE = "merchants.yaml";
    private static final Set<String> PROVIDERS = Set.of("wechat", "pooul", "ystpay");
    private static final Pattern MERCHANT_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final int MIN_TOKEN_LENGTH = 16;

    private final String file;
    private final EnvReferences refs;

    private MerchantsFile(String file, EnvReferences refs) {
        this.file = file;
        this.refs = refs;
    }

    public static MerchantDirectory load(Path configDir, Map<String, String> env) {
        return load(configDir, null, env);
    }

    /** With {@code ${data}} references resolved to the data folder. */
    public static MerchantDirectory load(Path configDir, Path dataDir, Map<String, String> env) {
        Path path = configDir.resolve(FILE);
        MerchantsFile reader = new MerchantsFile(path.toString(), new EnvReferences(env, dataDir));
        if (!Files.isRegularFile(path)) {
            throw new ConfigException(path + ": not found");
        }
        Object root;
        try (Reader r = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            LoadSettings settings = LoadSettings.builder().setLabel(FILE).setAllowDuplicateKeys(false)
                    .setMaxAliasesForCollections(10).build();
            root = new Load(settings).loadFromReader(r);
        } catch (org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException e) {
            // The parser's own message quotes the bad line, which may hold a secret: name the place only.
            String where = e.getProblemMark().map(m -> " at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1))
                    .orElse("");
            throw new ConfigException(path + ": malformed YAML" + where + ": " + e.getProblem());
        } catch (YamlEngineException e) {
            throw new ConfigException(path + ": malformed YAML (check quoting and indentation)");
        } catch (IOException e) {
            throw new ConfigException(path + ": cannot be read: " + e.getMessage());
        }
        return reader.read(root);
    }

    private MerchantDirectory read(Object root) {
        Map<String, Object> top = map(root, "(top level)");
        onlyKeys(top, "(top level)", Set.of("merchants"));
        Map<String, Object> merchants = map(top.get("merchants"), "merchants");
        if (merchants.isEmpty()) {
            throw new ConfigException(file, "merchants", "no merchant configured");
        }
        Map<String, MerchantProfile> byId = new LinkedHashMap<>();
        List<String> eventQueues = new ArrayList<>();
        Set<String> tokens = new HashSet<>();
        for (Map.Entry<String, Object> e : merchants.entrySet()) {
            String id = e.getKey();
            String key = "merchants." + id;
            if (!MERCHANT_ID.matcher(id).matches()) {
                throw new ConfigException(file, key, "merchant id must be 1-64 letters, digits, '_' or '-'");
            }
            MerchantProfile profile = merchant(id, key, map(e.getValue(), key));
            if (!tokens.add(profile.apiToken())) {
                throw new ConfigException(file, key + ".apiToken", "the same token is configured for another merchant");
            }
            byId.put(id, profile);
            Object q = map(e.getValue(), key).get("eventsQueue");
            if (q != null && !(q instanceof Boolean)) {
                throw new ConfigException(file, key + ".eventsQueue", "expected true or false");
            }
            if (Boolean.TRUE.equals(q)) {
                eventQueues.add(id);
            }
        }
        return new MerchantDirectory(byId, eventQueues);
    }

    private MerchantProfile merchant(String id, String key, Map<String, Object> m) {
        onlyKeys(m, key, Set.of("provider", "apiToken", "callbackSecret", "notifyUrl", "callbackHosts",
                "retrySchedule", "eventsQueue", "wechat", "pooul", "ystpay"));
        String provider = required(m, key, "provider");
        if (!PROVIDERS.contains(provider)) {
            throw new ConfigException(file, key + ".provider",
                    "unknown provider '" + provider + "' (expected one of wechat, pooul, ystpay)");
        }
        String token = required(m, key, "apiToken");
        if (token.length() < MIN_TOKEN_LENGTH) {
            throw new ConfigException(file, key + ".apiToken", "must be at least " + MIN_TOKEN_LENGTH + " characters");
        }
        List<String> hosts = new ArrayList<>();
        Object hostList = m.get("callbackHosts");
        if (hostList != null) {
            for (Object h : list(hostList, key + ".callbackHosts")) {
                hosts.add(scalar(h, key + ".callbackHosts").toLowerCase(java.util.Locale.ROOT));
            }
        }
        String notifyUrl = optional(m, key, "notifyUrl");
        if (notifyUrl != null) {
            String host = urlHost(notifyUrl, key + ".notifyUrl").toLowerCase(java.util.Locale.ROOT);
            if (!hosts.contains(host)) {
                throw new ConfigException(file, key + ".notifyUrl", "host '" + host + "' is not in callbackHosts");
            }
        }
        if (!hosts.isEmpty() && optional(m, key, "callbackSecret") == null) {
            throw new ConfigException(file, key + ".callbackSecret", "missing: callbacks to callbackHosts are signed with it");
        }
        List<Integer> schedule = MerchantProfile.DEFAULT_RETRY_SCHEDULE;
        Object s = m.get("retrySchedule");
        if (s != null) {
            schedule = new ArrayList<>();
            for (Object o : list(s, key + ".retrySchedule")) {
                if (!(o instanceof Integer i) || i < 0) {
                    throw new ConfigException(file, key + ".retrySchedule", "expected a list of whole seconds >= 0");
                }
                schedule.add(i);
            }
            schedule = List.copyOf(schedule);
        }
        WechatSettings wechat = m.containsKey("wechat") ? wechat(key + ".wechat", map(m.get("wechat"), key + ".wechat")) : null;
        PooulSettings pooul = m.containsKey("pooul") ? pooul(key + ".pooul", map(m.get("pooul"), key + ".pooul")) : null;
        YstpaySettings ystpay = m.containsKey("ystpay") ? ystpay(key + ".ystpay", map(m.get("ystpay"), key + ".ystpay")) : null;
        MerchantProfile profile = new MerchantProfile(id, provider, token, optional(m, key, "callbackSecret"), notifyUrl,
                List.copyOf(hosts), schedule, wechat, pooul, ystpay);
        if (!profile.supports(provider)) {
            throw new ConfigException(file, key + "." + provider, "missing: the settings of provider " + provider);
        }
        return profile;
    }

    private WechatSettings wechat(String key, Map<String, Object> m) {
        onlyKeys(m, key, Set.of("baseUrl", "secapiBaseUrl", "appId", "mchId", "apiKey", "signType", "subMchId", "subAppId",
                "certificate"));
        String baseUrl = required(m, key, "baseUrl");
        urlHost(baseUrl, key + ".baseUrl");
        String signType = optional(m, key, "signType");
        if (signType == null) {
            signType = "MD5";
        } else if (!signType.equals("MD5") && !signType.equals("HMAC-SHA256")) {
            throw new ConfigException(file, key + ".signType", "expected MD5 or HMAC-SHA256, got '" + signType + "'");
        }
        String secapiBaseUrl = optional(m, key, "secapiBaseUrl");
        if (secapiBaseUrl != null) {
            urlHost(secapiBaseUrl, key + ".secapiBaseUrl");
            secapiBaseUrl = stripSlash(secapiBaseUrl);
        }
        String mchId = required(m, key, "mchId");
        String certPath = null;
        String certPassword = null;
        String serverCa = null;
        if (m.containsKey("certificate")) {
            // The merchant's PKCS12 client certificate (apiclient_cert.p12) for /secapi calls; its
            // password is the mch_id unless given. Relative paths are read from the config folder.
            Map<String, Object> c = map(m.get("certificate"), key + ".certificate");
            onlyKeys(c, key + ".certificate", Set.of("path", "password", "serverCa"));
            certPath = configPath(required(c, key + ".certificate", "path"));
            certPassword = optional(c, key + ".certificate", "password");
            if (certPassword == null) {
                certPassword = mchId;
            }
            String ca = optional(c, key + ".certificate", "serverCa");
            serverCa = ca == null ? null : configPath(ca);
        }
        return new WechatSettings(stripSlash(baseUrl), required(m, key, "appId"), mchId,
                required(m, key, "apiKey"), signType, optional(m, key, "subMchId"), optional(m, key, "subAppId"),
                certPath, certPassword, secapiBaseUrl, serverCa);
    }

    /** A file named in the merchants file: relative paths are read from the config folder. */
    private String configPath(String value) {
        Path p = Path.of(value);
        return p.isAbsolute() ? p.toString() : Path.of(file).toAbsolutePath().getParent().resolve(p).normalize().toString();
    }

    private PooulSettings pooul(String key, Map<String, Object> m) {
        onlyKeys(m, key, Set.of("baseUrl", "merchantId", "api", "key", "privateKey", "platformPublicKey"));
        String baseUrl = required(m, key, "baseUrl");
        urlHost(baseUrl, key + ".baseUrl");
        String api = required(m, key, "api");
        if (!api.equals("classic") && !api.equals("v2")) {
            throw new ConfigException(file, key + ".api", "expected classic or v2, got '" + api + "'");
        }
        String md5Key = api.equals("classic") ? required(m, key, "key") : optional(m, key, "key");
        String privateKey = api.equals("v2") ? required(m, key, "privateKey") : optional(m, key, "privateKey");
        String publicKey = api.equals("v2") ? required(m, key, "platformPublicKey") : optional(m, key, "platformPublicKey");
        java.security.interfaces.RSAPrivateKey merchantKey = null;
        java.security.interfaces.RSAPublicKey platformKey = null;
        try {
            if (privateKey != null) {
                merchantKey = PemKeys.privateKey(Path.of(configPath(privateKey)));
            }
        } catch (PemKeys.KeyProblem e) {
            throw new ConfigException(file, key + ".privateKey", "file " + configPath(privateKey) + " " + e.getMessage());
        }
        try {
            if (publicKey != null) {
                platformKey = PemKeys.publicKey(Path.of(configPath(publicKey)));
            }
        } catch (PemKeys.KeyProblem e) {
            throw new ConfigException(file, key + ".platformPublicKey", "file " + configPath(publicKey) + " " + e.getMessage());
        }
        return new PooulSettings(stripSlash(baseUrl), required(m, key, "merchantId"), api, md5Key, privateKey, publicKey,
                merchantKey, platformKey);
    }

    private YstpaySettings ystpay(String key, Map<String, Object> m) {
        onlyKeys(m, key, Set.of("baseUrl", "account", "password", "privateKey", "requestKey", "padding", "passwordMd5"));
        String baseUrl = required(m, key, "baseUrl");
        urlHost(baseUrl, key + ".baseUrl");
        String account = required(m, key, "account");
        if (account.length() < 4 || account.length() > 20) {
            throw new ConfigException(file, key + ".account", "must be 4-20 characters (the device login account)");
        }
        String privateKey = required(m, key, "privateKey");
        String requestKey = choice(m, key, "requestKey", YstpaySettings.DEFAULT_REQUEST_KEY, Set.of("first16", "utf8", "base64"));
        int keyLength = switch (requestKey) {
            case "utf8" -> privateKey.getBytes(StandardCharsets.UTF_8).length;
            case "base64" -> base64Length(privateKey, key + ".privateKey");
            default -> privateKey.getBytes(StandardCharsets.UTF_8).length >= 16 ? 16 : -1;
        };
        if (keyLength != 16 && keyLength != 24 && keyLength != 32) {
            // The length only, never the key.
            throw new ConfigException(file, key + ".privateKey", "gives an AES key of " + keyLength
                    + " bytes with requestKey " + requestKey + " (16, 24 or 32 needed; first16 needs at least 16 characters)");
        }
        return new YstpaySettings(baseUrl, account, required(m, key, "password"), privateKey, requestKey,
                choice(m, key, "padding", YstpaySettings.DEFAULT_PADDING, Set.of("zero", "pkcs7")),
                choice(m, key, "passwordMd5", YstpaySettings.DEFAULT_PASSWORD_MD5, Set.of("upper", "lower")));
    }

    private String choice(Map<String, Object> m, String parent, String name, String dflt, Set<String> allowed) {
        String v = optional(m, parent, name);
        if (v == null) {
            return dflt;
        }
        if (!allowed.contains(v)) {
            throw new ConfigException(file, parent + "." + name, "expected one of "
                    + String.join(", ", allowed.stream().sorted().toList()) + ", got '" + v + "'");
        }
        return v;
    }

    private int base64Length(String value, String key) {
        try {
            return java.util.Base64.getDecoder().decode(value.trim()).length;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file, key, "is not base64 (requestKey base64 decodes it)");
        }
    }

    private String required(Map<String, Object> m, String parent, String name) {
        String v = optional(m, parent, name);
        if (v == null || v.isBlank()) {
            throw new ConfigException(file, parent + "." + name, "missing");
        }
        return v;
    }

    private String optional(Map<String, Object> m, String parent, String name) {
        Object v = m.get(name);
        if (v == null) {
            return null;
        }
        String key = parent + "." + name;
        return refs.resolve(file, key, scalar(v, key));
    }

    private String scalar(Object v, String key) {
        if (v instanceof Map || v instanceof List) {
            throw new ConfigException(file, key, "expected a single value");
        }
        return String.valueOf(v);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> map(Object v, String key) {
        if (!(v instanceof Map)) {
            throw new ConfigException(file, key, v == null ? "missing" : "expected a mapping of keys to values");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<Object, Object> e : ((Map<Object, Object>) v).entrySet()) {
            out.put(String.valueOf(e.getKey()), e.getValue());
        }
        return out;
    }

    private List<?> list(Object v, String key) {
        if (!(v instanceof List<?> l)) {
            throw new ConfigException(file, key, "expected a list");
        }
        return l;
    }

    private void onlyKeys(Map<String, Object> m, String key, Set<String> allowed) {
        for (String k : m.keySet()) {
            if (!allowed.contains(k)) {
                throw new ConfigException(file, key.equals("(top level)") ? k : key + "." + k,
                        "unknown key (expected one of " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    private String urlHost(String url, String key) {
        try {
            URI u = new URI(url);
            if (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
                throw new IllegalArgumentException();
            }
            return u.getHost();
        } catch (Exception e) {
            throw new ConfigException(file, key, "expected an http(s) URL");
        }
    }

    private static String stripSlash(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
