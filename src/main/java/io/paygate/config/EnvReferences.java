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

    private final Map<String, String> env;

    public EnvReferences(Map<String, String> env) {
        this.env = env;
    }

    public String resolve(String file, String key, String value) {
        if (value == null || !value.contains("${")) {
            return value;
        }
        if (REF.matcher(value).replaceAll("").contains("${")) {
            throw new ConfigException(file, key, "unsupported reference (only ${env:NAME} is allowed)");
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
