package io.paygate;

import io.paygate.api.Health;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM (systemd's stop, {@code kill}, a container runtime) stops the gateway gracefully and the
 * process exits 0:
 * <ol>
 *   <li>{@code /observe/health} answers 503 DOWN at once;</li>
 *   <li>after {@code gateway.shutdown.delay-seconds} (time for a load balancer to notice; 0 by
 *       default) a new payment request is answered 503 with the API's error object at once, and
 *       Camel Main is told to stop: its shutdown strategy suspends every consumer (an HTTP
 *       request answers 503, no JMS message is taken) and waits for the exchanges in flight, a
 *       barcode payment's wait included, up to {@code gateway.shutdown.drain-seconds}
 *       ({@code camel.main.shutdown-timeout}, {@link GatewayBeans#camelProperties}); then the
 *       routes are stopped anyway, and a JMS message not yet answered rolls back to the broker;</li>
 *   <li>the broker, the sandbox and the store close; {@link GatewayMain} exits 0.</li>
 * </ol>
 * Without this handler the JVM's own answer to SIGTERM runs Camel's shutdown hook and exits 143,
 * which a supervisor counts as a failure. Other signals (SIGINT) keep the JVM's behaviour.
 */
final class GracefulStop {
    private static final Logger LOG = LoggerFactory.getLogger(GracefulStop.class);

    private GracefulStop() {
    }

    /**
     * Handles SIGTERM from now on.
     *
     * @param stop tells Camel Main to stop (its {@code completed()}), which then drains and returns from {@code run()}
     */
    static void install(Health health, Duration delay, Duration drain, Runnable stop) {
        AtomicBoolean stopping = new AtomicBoolean();
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), signal -> {
                if (!stopping.compareAndSet(false, true)) {
                    LOG.info("SIGTERM again: already stopping (in-flight work has up to {} s)", drain.toSeconds());
                    return;
                }
                Thread t = new Thread(() -> {
                    if (delay.isZero()) {
                        health.refuseNewWork(); // no delay: refused from the moment health says DOWN
                    }
                    health.markStopping();
                    LOG.info("SIGTERM: health answers DOWN; taking no new work in {} s, then in-flight work has up to {} s",
                            delay.toSeconds(), drain.toSeconds());
                    try {
                        Thread.sleep(delay.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    // New HTTP payment requests are answered 503 from here, at once, while Camel's
                    // shutdown gets under way (it suspends the consumers, then drains).
                    health.refuseNewWork();
                    stop.run();
                }, "graceful-stop");
                t.setDaemon(true);
                t.start();
            });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            LOG.warn("SIGTERM cannot be handled here ({}): the JVM's default applies", e.getMessage());
        }
    }
}
