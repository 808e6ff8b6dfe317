package io.paygate;

import io.paygate.config.GatewaySettings;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;

/**
 * The console's log format from the settings ({@code gateway.log.format}: {@code plain} or
 * {@code json}). log4j2.xml picks its layout by the system property
 * {@value #FORMAT_PROPERTY} when it is read; the logging has already started by the time the
 * settings are read (file, environment, system properties), so it is read again when the format
 * differs. Lines logged before that (none in a normal start) are plain.
 */
final class GatewayLogging {
    static final String FORMAT_PROPERTY = "payment-gateway.log-format";

    private GatewayLogging() {
    }

    static void apply(GatewaySettings settings) {
        String format = settings.get("gateway.log.format");
        String before = System.getProperty(FORMAT_PROPERTY, "plain");
        System.setProperty(FORMAT_PROPERTY, format);
        if (!format.equals(before) && LogManager.getContext(false) instanceof LoggerContext context) {
            context.reconfigure();
        }
    }
}
