package io.paygate.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One mapping of {@code merchants.yaml} as a provider module reads it (a merchant's {@code wechat:}
 * section, say), with the file's strict rules: unknown keys, missing values and unset
 * {@code ${env:…}} references are {@link ConfigException}s naming the file and the key, never a value.
 */
public final class SettingsSection {
    private final String file;
    private final String key;
    private final Map<String, Object> values;
    private final EnvReferences refs;

    SettingsSection(String file, String key, Map<String, Object> values, EnvReferences refs) {
        this.file = file;
        this.key = key;
        this.values = values;
        this.refs = refs;
    }

    /** For tests and tools: a section read from a plain map, as if from {@code file}. */
    public static SettingsSection of(String file, String key, Map<String, Object> values) {
        return new SettingsSection(file, key, new LinkedHashMap<>(values), new EnvReferences(Map.of()));
    }

    /** The section's key in the file, e.g. {@code merchants.demo-shop.wechat}. */
    public String key() {
        return key;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    /** Refuses any key not in {@code allowed}. */
    public void onlyKeys(Set<String> allowed) {
        for (String k : values.keySet()) {
            if (!allowed.contains(k)) {
                throw new ConfigException(file, key + "." + k,
                        "unknown key (expected one of " + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    public String required(String name) {
        String v = optional(name);
        if (v == null || v.isBlank()) {
            throw new ConfigException(file, key + "." + name, "missing");
        }
        return v;
    }

    public String optional(String name) {
        Object v = values.get(name);
        if (v == null) {
            return null;
        }
        String k = key + "." + name;
        if (v instanceof Map || v instanceof List) {
            throw new ConfigException(file, k, "expected a single value");
        }
        return refs.resolve(file, k, String.valueOf(v));
    }

    /** One of {@code allowed}, or {@code dflt} when absent. */
    public String choice(String name, String dflt, Set<String> allowed) {
        String v = optional(name);
        if (v == null) {
            return dflt;
        }
        if (!allowed.contains(v)) {
            throw new ConfigException(file, key + "." + name, "expected one of "
                    + String.join(", ", allowed.stream().sorted().toList()) + ", got '" + v + "'");
        }
        return v;
    }

    /** An http(s) URL, without a trailing slash. */
    public String url(String name, boolean required) {
        String v = required ? required(name) : optional(name);
        if (v == null) {
            return null;
        }
        try {
            URI u = new URI(v);
            if (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
                throw new IllegalArgumentException();
            }
        } catch (Exception e) {
            throw new ConfigException(file, key + "." + name, "expected an http(s) URL");
        }
        return v.endsWith("/") ? v.substring(0, v.length() - 1) : v;
    }

    /** A file named here: relative paths are read from the config folder. */
    public String path(String value) {
        Path p = Path.of(value);
        String resolved = p.isAbsolute() ? p.toString() : Path.of(file).toAbsolutePath().getParent().resolve(p).normalize().toString();
        refs.named(Path.of(resolved), key);
        return resolved;
    }

    /**
     * A rotation's previous key ({@code keyName}) and the instant it stops being accepted
     * ({@code untilName}, ISO-8601 with its zone offset, e.g. {@code 2026-12-07T12:00:00+08:00}):
     * both or neither; null when neither is set.
     */
    public PreviousKey previousKey(String keyName, String untilName) {
        String previous = optional(keyName);
        if (previous == null && !has(untilName)) {
            return null;
        }
        if (previous == null || previous.isBlank()) {
            throw problem(keyName, "missing: " + untilName + " is set");
        }
        String until = optional(untilName);
        if (until == null || until.isBlank()) {
            throw problem(untilName, "missing: how long what the provider signs with " + keyName
                    + " is accepted, e.g. 2026-12-07T12:00:00+08:00");
        }
        try {
            return new PreviousKey(previous, java.time.OffsetDateTime.parse(until.trim()).toInstant());
        } catch (java.time.format.DateTimeParseException e) {
            throw problem(untilName, "expected a time with its zone offset, e.g. 2026-12-07T12:00:00+08:00");
        }
    }

    /** A nested mapping, e.g. {@code certificate:}. */
    public SettingsSection section(String name) {
        return new SettingsSection(file, key + "." + name, MerchantsFile.map(file, values.get(name), key + "." + name), refs);
    }

    /** A problem with one key of this section. */
    public ConfigException problem(String name, String reason) {
        return new ConfigException(file, name == null ? key : key + "." + name, reason);
    }
}
