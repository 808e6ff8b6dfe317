package io.paygate;

import io.paygate.config.ConfigException;
import io.paygate.config.GatewaySettings;
import io.paygate.config.MerchantDirectory;
import io.paygate.events.RelayProbe;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.ServiceLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox, loaded only when {@code gateway.sandbox.enabled=true}. The gateway jar carries the
 * sandbox jar as a resource ({@value #NESTED_JAR}); it is written to
 * {@code <data>/sandbox/lib/payment-gateway-sandbox.jar} (again whenever its content differs) and
 * loaded by a class loader of its own, a child of the gateway's, whose {@link SandboxLauncher}s are
 * then found with {@link ServiceLoader}. Without the resource (tests, an IDE) the launchers are
 * looked up on the gateway's own class path. With the sandbox disabled no sandbox class is loaded.
 */
final class SandboxRuntime implements AutoCloseable {
    static final String NESTED_JAR = "META-INF/sandbox/payment-gateway-sandbox.jar";
    private static final Logger LOG = LoggerFactory.getLogger(SandboxRuntime.class);

    private final List<SandboxLauncher> launchers;
    private final URLClassLoader loader;
    private final List<AutoCloseable> started = new ArrayList<>();

    private SandboxRuntime(List<SandboxLauncher> launchers, URLClassLoader loader) {
        this.launchers = launchers;
        this.loader = loader;
    }

    static SandboxRuntime load(GatewaySettings settings) {
        if (!settings.bool("gateway.sandbox.enabled")) {
            return new SandboxRuntime(List.of(), null);
        }
        // Before any launcher creates the JVM's first JDK HTTP server, which reads it once: without
        // TCP_NODELAY every sandbox answer waits ~40 ms for the caller's delayed ACK.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        ClassLoader parent = SandboxRuntime.class.getClassLoader();
        URL nested = parent.getResource(NESTED_JAR);
        URLClassLoader loader = null;
        if (nested != null) {
            Path jar = settings.dataDir().resolve("sandbox").resolve("lib").resolve("payment-gateway-sandbox.jar");
            try {
                extract(nested, jar);
                loader = new URLClassLoader("sandbox", new URL[] {jar.toUri().toURL()}, parent);
            } catch (IOException e) {
                throw new ConfigException("GATEWAY_DATA_DIR " + settings.dataDir() + ": cannot write the sandbox jar "
                        + jar + ": " + e.getMessage());
            }
        }
        List<SandboxLauncher> found = new ArrayList<>();
        ServiceLoader.load(SandboxLauncher.class, loader != null ? loader : parent).forEach(found::add);
        if (found.isEmpty()) {
            closeQuietly(loader);
            throw new ConfigException(settings.configFile(), "gateway.sandbox.enabled",
                    "true, but this build carries no sandbox (no " + NESTED_JAR + " in the jar): set it to false");
        }
        LOG.info("sandbox mode: {} launcher(s) from {}", found.size(), loader != null ? loader.getURLs()[0] : "the class path");
        return new SandboxRuntime(List.copyOf(found), loader);
    }

    /** Writes the nested jar to {@code target} unless the same bytes are there already (atomically: a running twin keeps its copy). */
    private static void extract(URL nested, Path target) throws IOException {
        byte[] bytes;
        try (InputStream in = nested.openStream()) {
            bytes = in.readAllBytes();
        }
        if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), bytes)) {
            return;
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), "payment-gateway-sandbox", ".tmp");
        try {
            Files.write(tmp, bytes);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    void beforeMerchants(GatewaySettings settings) {
        for (SandboxLauncher l : launchers) {
            try {
                l.beforeMerchants(settings);
            } catch (IOException e) {
                throw new ConfigException("sandbox (" + l.getClass().getSimpleName() + "): " + e.getMessage());
            }
        }
    }

    void start(GatewaySettings settings, MerchantDirectory merchants) throws IOException {
        for (SandboxLauncher l : launchers) {
            started.addAll(l.start(settings, merchants));
        }
    }

    /** For --check-config: the files the sandbox makes on start, made without starting anything. */
    void filesForCheck(GatewaySettings settings, MerchantDirectory merchants) {
        for (SandboxLauncher l : launchers) {
            try {
                l.filesForCheck(settings, merchants);
            } catch (IOException e) {
                throw new ConfigException("sandbox (" + l.getClass().getSimpleName() + "): " + e.getMessage());
            }
        }
    }

    /** The sandbox's probe of the outbox relay, {@link RelayProbe#NONE} when it gives none. */
    RelayProbe relayProbe(GatewaySettings settings) {
        for (SandboxLauncher l : launchers) {
            RelayProbe p = l.relayProbe(settings);
            if (p != null) {
                return p;
            }
        }
        if (!"none".equals(settings.get("gateway.faults.halt-in-relay"))) {
            throw new ConfigException(settings.configFile(), "gateway.faults.halt-in-relay", "this sandbox has no crash injection");
        }
        return RelayProbe.NONE;
    }

    @Override
    public void close() {
        List<AutoCloseable> stopping = new ArrayList<>(started);
        Collections.reverse(stopping);
        started.clear();
        for (AutoCloseable s : stopping) {
            try {
                s.close();
            } catch (Exception e) {
                LOG.warn("sandbox did not stop cleanly: {}", e.toString());
            }
        }
        closeQuietly(loader);
    }

    private static void closeQuietly(URLClassLoader loader) {
        if (loader != null) {
            try {
                loader.close();
            } catch (IOException e) {
                LOG.debug("sandbox class loader: {}", e.toString());
            }
        }
    }
}
