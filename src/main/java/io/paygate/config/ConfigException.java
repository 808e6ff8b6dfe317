package io.paygate.config;

/**
 * A configuration problem that stops start-up. The message names the file and the key, so an
 * operator can fix it without reading a stack trace; it never contains a secret value.
 */
public final class ConfigException extends RuntimeException {
    public ConfigException(String file, String key, String problem) {
        super(file + ": " + key + ": " + problem);
    }

    public ConfigException(String message) {
        super(message);
    }
}
