package io.paygate.config;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves {@code ${env:NAME}} references in configuration values. An unset variable is a
 * configuration error naming the file and key, never an empty credential.
 */
public final class EnvReferences {
    private static final Pattern REF = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");

    private static final String DATA = "${data}";

    private final Map<String, String> env;
    private final String dataDir;
    /** Files the sections named while reading (file -> section key), for the live reload's watch and hash. */
    private final Map<java.nio.file.Path, String> namedFiles = new java.util.LinkedHashMap<>();

    public EnvReferences(Map<String, String> env) {
        this(env, null);
    }

    /** Also resolves {@code ${data}} to the gateway's data folder (files the sandbox makes for itself). */
    public EnvReferences(Map<String, String> env, java.nio.file.Path dataDir) {
        this.env = env;
        this.dataDir = dataDir == null ? null : dataDir.toAbsolutePath().normalize().toString();
    }

    void named(java.nio.file.Path path, String sectionKey) {
        namedFiles.putIfAbsent(path, sectionKey);
    }

    Map<java.nio.file.Path, String> namedFiles() {
        return namedFiles;
    }

    public String resolve(String file, String key, String value) {
        if (value == null || !value.contains("${")) {
            return value;
        }
        if (dataDir != null && value.contains(DATA)) {
            value = value.replace(DATA, dataDir);
            if (!value.contains("${")) {
                return value;
            }
        }
        if (REF.matcher(value).replaceAll("").contains("${")) {
            throw new ConfigException(file, key, dataDir == null ? "unsupported reference (only ${env:NAME} is allowed)" : "unsupported reference (only ${env:NAME} and ${data} are allowed)");
        }
        Matcher m = REF.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String v = env.get(name);
            if (v == null) {
                throw new ConfigException(file, key, "environment variable " + name + " is not set");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        m.appendTail(out);
        return out.toString();
    }
}
