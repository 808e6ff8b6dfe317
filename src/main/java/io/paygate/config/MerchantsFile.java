package io.paygate.config;

import io.paygate.provider.ProviderModule;
import io.paygate.provider.ProviderModules;
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
    private static final Pattern MERCHANT_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final int MIN_TOKEN_LENGTH = 16;
    private static final int MIN_BROKER_PASSWORD_LENGTH = 16;
    /** A broker user name: no white space or characters a login module or a log line would mangle. */
    private static final Pattern BROKER_USER = Pattern.compile("[A-Za-z0-9_.@-]{1,64}");

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
        return reader.read(root).withNamedFiles(reader.refs.namedFiles());
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
        Map<String, BrokerLogin> logins = new LinkedHashMap<>();
        Map<String, String> loginOwners = new java.util.HashMap<>();
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
            BrokerLogin login = brokerLogin(key + ".broker", map(e.getValue(), key).get("broker"));
            if (login != null) {
                String other = loginOwners.putIfAbsent(login.user(), id);
                if (other != null) {
                    throw new ConfigException(file, key + ".broker.user", "is the broker user of merchant " + other
                            + " too: each merchant needs a login of its own");
                }
                if (Boolean.FALSE.equals(q)) {
                    throw new ConfigException(file, key + ".eventsQueue", "must not be false with a broker login: "
                            + "the merchant's login reads its events from " + io.paygate.broker.Destinations.merchantEvents(id));
                }
                logins.put(id, login);
            }
            if (Boolean.TRUE.equals(q) || login != null) {
                eventQueues.add(id);
            }
        }
        return new MerchantDirectory(byId, eventQueues, logins);
    }

    private MerchantProfile merchant(String id, String key, Map<String, Object> m) {
        Map<String, ProviderModule> modules = ProviderModules.installed();
        Set<String> allowed = new java.util.HashSet<>(Set.of("provider", "apiToken", "callbackSecret", "notifyUrl",
                "callbackHosts", "retrySchedule", "eventsQueue", "routing", "broker"));
        allowed.addAll(modules.keySet());
        onlyKeys(m, key, allowed);
        // With routing rules the default provider is optional: the rules alone may decide.
        String provider = m.containsKey("routing") ? optional(m, key, "provider") : required(m, key, "provider");
        if (provider != null && !modules.containsKey(provider)) {
            throw new ConfigException(file, key + ".provider",
                    "unknown provider '" + provider + "' (expected one of " + String.join(", ", modules.keySet()) + ")");
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
        Map<String, MerchantProfile.Section> sections = new LinkedHashMap<>();
        for (ProviderModule module : modules.values()) {
            if (m.containsKey(module.name())) {
                sections.put(module.name(), section(module, key + "." + module.name(), map(m.get(module.name()), key + "." + module.name())));
            }
        }
        List<RoutingRule> routing = m.containsKey("routing")
                ? routing(key + ".routing", m.get("routing"), provider, sections.keySet(), modules) : List.of();
        MerchantProfile profile = new MerchantProfile(id, provider, token, optional(m, key, "callbackSecret"), notifyUrl,
                List.copyOf(hosts), schedule, sections, routing);
        if (provider != null && !profile.supports(provider)) {
            throw new ConfigException(file, key + "." + provider, "missing: the settings of provider " + provider);
        }
        return profile;
    }

    /**
     * The merchant's {@code routing:} list: {@code {channel, method, provider}} rules, first match
     * wins. Each rule names a provider the merchant has a section of and that serves the channel;
     * without a default {@code provider}, every channel the merchant's providers serve must be
     * routed by a rule without {@code method} (a rule with a method refines, it does not cover).
     */
    private List<RoutingRule> routing(String key, Object value, String defaultProvider, Set<String> sections,
                                      Map<String, ProviderModule> modules) {
        List<?> entries = list(value, key);
        if (entries.isEmpty()) {
            throw new ConfigException(file, key, "expected at least one rule {channel, method, provider}; "
                    + "leave routing out to send every payment to provider");
        }
        List<RoutingRule> rules = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String at = key + "[" + i + "]";
            Map<String, Object> r = map(entries.get(i), at);
            onlyKeys(r, at, Set.of("channel", "method", "provider"));
            io.paygate.canonical.Channel channel = enumValue(r, at, "channel", io.paygate.canonical.Channel.class);
            io.paygate.canonical.PayMethod method = enumValue(r, at, "method", io.paygate.canonical.PayMethod.class);
            String provider = required(r, at, "provider");
            if (!modules.containsKey(provider)) {
                throw new ConfigException(file, at + ".provider",
                        "unknown provider '" + provider + "' (expected one of " + String.join(", ", modules.keySet()) + ")");
            }
            if (!sections.contains(provider)) {
                throw new ConfigException(file, at + ".provider", "the merchant has no " + provider
                        + " section: add its settings or route to one of " + (sections.isEmpty() ? "(none)" : String.join(", ", sections)));
            }
            if (channel != null && !modules.get(provider).channels().contains(channel)) {
                throw new ConfigException(file, at + ".channel", "provider " + provider + " does not serve channel "
                        + channel + " (it serves " + modules.get(provider).channels() + ")");
            }
            RoutingRule rule = new RoutingRule(channel, method, provider);
            for (int j = 0; j < rules.size(); j++) {
                RoutingRule earlier = rules.get(j);
                if ((earlier.channel() == null || earlier.channel() == channel) && (earlier.method() == null || earlier.method() == method)) {
                    throw new ConfigException(file, at, "never applies: rule " + j + " " + earlier + " matches everything it does");
                }
            }
            rules.add(rule);
        }
        if (defaultProvider == null) {
            for (String section : sections) {
                for (io.paygate.canonical.Channel c : modules.get(section).channels()) {
                    boolean routed = rules.stream().anyMatch(r -> r.method() == null && (r.channel() == null || r.channel() == c));
                    if (!routed) {
                        throw new ConfigException(file, key, "channel " + c + " (served by " + section + ") is not routed: "
                                + "add a rule {channel: " + c + ", provider: …}, a rule without channel, or a default provider");
                    }
                }
            }
        }
        return List.copyOf(rules);
    }

    /**
     * The merchant's own broker login, {@code broker: {user, password}} (null without one). The
     * password is never part of an error: only the key is named.
     */
    private BrokerLogin brokerLogin(String key, Object value) {
        if (value == null) {
            return null;
        }
        Map<String, Object> b = map(value, key);
        onlyKeys(b, key, Set.of("user", "password"));
        String user = required(b, key, "user");
        if (!BROKER_USER.matcher(user).matches()) {
            throw new ConfigException(file, key + ".user", "must be 1-64 letters, digits, '_', '.', '@' or '-'");
        }
        String password = required(b, key, "password");
        if (password.length() < MIN_BROKER_PASSWORD_LENGTH) {
            throw new ConfigException(file, key + ".password", "must be at least " + MIN_BROKER_PASSWORD_LENGTH + " characters");
        }
        return new BrokerLogin(user, password);
    }

    private <E extends Enum<E>> E enumValue(Map<String, Object> m, String parent, String name, Class<E> type) {
        String v = optional(m, parent, name);
        if (v == null) {
            return null;
        }
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(v)) {
                return e;
            }
        }
        throw new ConfigException(file, parent + "." + name, "unknown " + name + " '" + v + "' (expected one of "
                + String.join(", ", java.util.Arrays.stream(type.getEnumConstants()).map(Enum::name).toList()) + ")");
    }

    /**
     * One provider section: the gateway reads the merchant's own timeouts ({@code connectTimeout},
     * {@code readTimeout}, whole seconds), the module the rest.
     */
    private MerchantProfile.Section section(ProviderModule module, String key, Map<String, Object> m) {
        java.util.Optional<java.time.Duration> connect = seconds(m.remove("connectTimeout"), key + ".connectTimeout");
        java.util.Optional<java.time.Duration> read = seconds(m.remove("readTimeout"), key + ".readTimeout");
        return new MerchantProfile.Section(module.settings(new SettingsSection(file, key, m, refs)), connect, read);
    }

    private java.util.Optional<java.time.Duration> seconds(Object v, String key) {
        if (v == null) {
            return java.util.Optional.empty();
        }
        String text = refs.resolve(file, key, scalar(v, key));
        try {
            int s = Integer.parseInt(text.trim());
            if (s < 1 || s > 600) {
                throw new NumberFormatException();
            }
            return java.util.Optional.of(java.time.Duration.ofSeconds(s));
        } catch (NumberFormatException e) {
            throw new ConfigException(file, key, "expected whole seconds from 1 to 600");
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

    private Map<String, Object> map(Object v, String key) {
        return map(file, v, key);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(String file, Object v, String key) {
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
