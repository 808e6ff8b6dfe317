package io.paygate;

import io.paygate.config.GatewaySettings;
import io.paygate.route.DirectGate;
import io.paygate.route.GatedDirectComponent;
import io.paygate.route.RouteReloads;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.RouteConfigurationsBuilder;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Reloads {@code routes/*.yaml} while the gateway runs ({@code gateway.routes.reload}), validated
 * first and applied only when the whole folder is good:
 *
 * <ol>
 *   <li>a change is applied once the folder has been quiet for {@code gateway.routes.reload-debounce-ms},
 *       so a file being written is not read half-way;</li>
 *   <li>the folder's content is read once, and that copy is checked in a scratch Camel context
 *       that is never started, exactly as {@code --check-config} checks routes/ (YAML, EIPs and
 *       options, templates and their parameters, across files);</li>
 *   <li>only then are the routes of the changed files replaced, from the same copy: their
 *       {@code direct:} endpoints are closed at the {@link DirectGate} (a new call waits there),
 *       the calls under way finish on the old routes, each old route is stopped and the new one
 *       started, and the gate opens to the new routes: no call fails for the switch. A changed
 *       route template also reloads the files that instantiate templates, a changed route
 *       configuration every file.</li>
 * </ol>
 *
 * A folder that does not validate keeps the running routes and is reported: a WARN line per
 * problem ({@code <file>: <reason>}), {@code gateway_route_reloads_total{outcome="refused"}} and
 * {@link RouteReloads#status()}. Camel's own route reload (camel.main.routes-reload-enabled) is not
 * used: it removes the running routes before it knows the new ones load, and does not rebuild
 * templated routes (docs/decisions/0010-live-routes.md).
 */
public final class RouteReloader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RouteReloader.class);

    private final CamelContext context;
    private final Path routesDir;
    private final GatewaySettings settings;
    private final RouteReloads reloads;
    private final Duration debounce;
    private final Clock clock;
    /** The content of the route files in force, by file name. */
    private Map<String, byte[]> applied;
    private WatchService watcher;
    private Thread thread;

    public RouteReloader(CamelContext context, Path routesDir, GatewaySettings settings, RouteReloads reloads,
                         Duration debounce, Clock clock) {
        this.context = context;
        this.routesDir = routesDir;
        this.settings = settings;
        this.reloads = reloads;
        this.debounce = debounce;
        this.clock = clock;
    }

    /** Remembers the loaded folder as the one in force and starts watching it. */
    public synchronized void start() throws IOException {
        applied = snapshot();
        reloads.started(hash(applied), clock.instant());
        watcher = FileSystems.getDefault().newWatchService();
        routesDir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
                StandardWatchEventKinds.ENTRY_DELETE);
        thread = new Thread(this::watch, "route-reloader");
        thread.setDaemon(true);
        thread.start();
        reloads.attach(this::reload);
        LOG.info("watching {} for route changes (debounce {} ms)", routesDir, debounce.toMillis());
    }

    private void watch() {
        try {
            while (true) {
                WatchKey key = watcher.take();
                drain(key);
                // Quiet for the debounce period: every event in the meantime starts the wait again.
                WatchKey more;
                while ((more = watcher.poll(debounce.toMillis(), TimeUnit.MILLISECONDS)) != null) {
                    drain(more);
                }
                try {
                    reload();
                } catch (RuntimeException e) {
                    LOG.error("route reload failed: {}", e.toString());
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closed
        }
    }

    private static void drain(WatchKey key) {
        key.pollEvents();
        key.reset();
    }

    /**
     * Checks the folder and applies what changed. Returns the attempt, or null when no file's
     * content changed (an editor's touch, a rewrite with the same text).
     */
    public synchronized RouteReloads.Entry reload() {
        Map<String, byte[]> now;
        try {
            now = snapshot();
        } catch (IOException e) {
            return refuse(List.of(), List.of(routesDir + ": cannot be read: " + e.getMessage()), "");
        }
        Set<String> changed = new LinkedHashSet<>();
        for (String f : union(now.keySet(), applied.keySet())) {
            if (!java.util.Arrays.equals(now.get(f), applied.get(f))) {
                changed.add(f);
            }
        }
        if (changed.isEmpty()) {
            return null;
        }
        String hash = hash(now);
        List<String> errors = validate(now);
        if (!errors.isEmpty()) {
            return refuse(List.copyOf(changed), errors, hash);
        }
        Set<String> files = affected(changed, now);
        try {
            List<String> ids = replace(files, applied, now);
            applied = now;
            RouteReloads.Entry entry = new RouteReloads.Entry(clock.instant(), RouteReloads.Outcome.APPLIED, hash,
                    List.copyOf(changed), ids, List.of());
            reloads.record(entry);
            LOG.info("routes reloaded from {} ({}): {}", changed, hash, ids);
            return entry;
        } catch (Exception e) {
            String reason = describe(e);
            LOG.warn("routes of {} validated but did not start: {}; putting the previous routes back", changed, reason);
            try {
                replace(files, now, applied);
            } catch (Exception again) {
                LOG.error("the previous routes of {} could not be put back: {}", files, describe(again));
            }
            RouteReloads.Entry entry = new RouteReloads.Entry(clock.instant(), RouteReloads.Outcome.FAILED, hash,
                    List.copyOf(changed), List.of(), List.of(String.join(", ", changed) + ": " + reason));
            reloads.record(entry);
            return entry;
        }
    }

    private RouteReloads.Entry refuse(List<String> changed, List<String> errors, String hash) {
        for (String e : errors) {
            LOG.warn("route change refused, the running routes stay: {}", e);
        }
        RouteReloads.Entry entry = new RouteReloads.Entry(clock.instant(), RouteReloads.Outcome.REFUSED, hash, changed,
                List.of(), errors);
        reloads.record(entry);
        return entry;
    }

    /** The copy checked as --check-config checks routes/, in a scratch folder; errors name the real files. */
    private List<String> validate(Map<String, byte[]> files) {
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory("route-check");
            for (Map.Entry<String, byte[]> f : files.entrySet()) {
                Files.write(scratch.resolve(f.getKey()), f.getValue());
            }
            List<String> errors = new ArrayList<>(ConfigCheck.routeErrors(scratch, settings, new int[1]));
            String from = scratch.toString();
            errors.replaceAll(e -> e.replace(from, routesDir.toString()));
            return errors;
        } catch (IOException e) {
            return List.of(routesDir + ": cannot be checked: " + e.getMessage());
        } finally {
            if (scratch != null) {
                try (Stream<Path> s = Files.list(scratch)) {
                    s.forEach(p -> p.toFile().delete());
                } catch (IOException ignored) {
                    // a temporary folder
                }
                scratch.toFile().delete();
            }
        }
    }

    /** The changed files, the files instantiating templates when a template changed, every file when a route configuration changed. */
    private Set<String> affected(Set<String> changed, Map<String, byte[]> now) {
        Set<String> files = new LinkedHashSet<>(changed);
        boolean templates = false;
        boolean configurations = false;
        for (String f : changed) {
            for (Map<String, byte[]> side : List.of(now, applied)) {
                Ids ids = ids(side.get(f));
                templates |= !ids.templates.isEmpty();
                configurations |= !ids.configurations.isEmpty();
            }
        }
        for (String f : union(now.keySet(), applied.keySet())) {
            if (configurations || (templates && (ids(now.get(f)).templated || ids(applied.get(f)).templated))) {
                files.add(f);
            }
        }
        return files;
    }

    /** Stops and removes the old version's routes and templates of these files, then adds the new version's. */
    private List<String> replace(Set<String> files, Map<String, byte[]> from, Map<String, byte[]> to) throws Exception {
        // The direct: endpoints of the routes replaced are closed while they are: new calls wait at
        // the gate, the calls under way finish on the old routes, then the new routes serve them.
        Set<String> endpoints = new LinkedHashSet<>();
        for (String f : files) {
            for (String id : ids(from.get(f)).routes) {
                org.apache.camel.Route route = context.getRoute(id);
                if (route != null && route.getEndpoint() instanceof org.apache.camel.component.direct.DirectEndpoint) {
                    endpoints.add(GatedDirectComponent.key(route.getEndpoint()));
                }
            }
        }
        DirectGate gate = context.getComponent("direct") instanceof GatedDirectComponent g ? g.gate() : null;
        if (gate != null && !endpoints.isEmpty()) {
            Duration drain = Duration.ofMillis(Math.max(1000, context.getShutdownStrategy().getTimeUnit()
                    .toMillis(context.getShutdownStrategy().getTimeout())));
            if (!gate.close(endpoints, drain)) {
                LOG.warn("calls to {} still under way after {} s; replacing their routes anyway", endpoints, drain.toSeconds());
            }
        }
        try {
            return swap(files, from, to);
        } finally {
            if (gate != null) {
                gate.open(endpoints);
            }
        }
    }

    private List<String> swap(Set<String> files, Map<String, byte[]> from, Map<String, byte[]> to) throws Exception {
        List<String> reloaded = new ArrayList<>();
        for (String f : files) {
            Ids old = ids(from.get(f));
            for (String id : old.routes) {
                if (context.getRoute(id) != null) {
                    retire(id);
                }
            }
            for (String id : old.templates) {
                context.removeRouteTemplates(id);
            }
        }
        List<Resource> resources = new ArrayList<>();
        for (String f : files) {
            byte[] content = to.get(f);
            if (content != null) {
                resources.add(ResourceHelper.fromBytes("file:" + routesDir.resolve(f), content));
                reloaded.addAll(ids(content).routes);
            }
        }
        if (resources.isEmpty()) {
            return reloaded;
        }
        List<RoutesBuilder> builders = new ArrayList<>(PluginHelper.getRoutesLoader(context).findRoutesBuilders(resources));
        for (RoutesBuilder b : builders) {
            if (b instanceof RouteConfigurationsBuilder rcb) {
                rcb.updateRouteConfigurationsToCamelContext(context);
            }
        }
        for (RoutesBuilder b : builders) {
            context.addRoutes(b);
        }
        for (RoutesBuilder b : builders) {
            if (b instanceof RouteBuilder rb) {
                rb.addTemplatedRoutesToCamelContext(context);
            }
        }
        return reloaded;
    }

    /**
     * Takes a route out of service: stopped gracefully (Camel waits for the exchanges in flight on
     * it, up to camel.main.shutdown-timeout), then removed. Its direct: endpoint is closed at the
     * gate meanwhile ({@link #replace}): no call is under way on it, and a new one waits for the new
     * route.
     */
    private void retire(String id) throws Exception {
        context.getRouteController().stopRoute(id);
        context.removeRoute(id);
    }

    /** The ids a route file declares: routes and templated routes, templates, route configurations. */
    private record Ids(List<String> routes, List<String> templates, List<String> configurations, boolean templated) {
    }

    private static Ids ids(byte[] content) {
        List<String> routes = new ArrayList<>();
        List<String> templates = new ArrayList<>();
        List<String> configurations = new ArrayList<>();
        boolean templated = false;
        if (content == null) {
            return new Ids(routes, templates, configurations, false);
        }
        Object root;
        try (Reader r = new StringReader(new String(content, StandardCharsets.UTF_8))) {
            root = new Load(LoadSettings.builder().build()).loadFromReader(r);
        } catch (IOException | RuntimeException e) {
            return new Ids(routes, templates, configurations, false);
        }
        if (root instanceof List<?> items) {
            for (Object item : items) {
                if (!(item instanceof Map<?, ?> m) || m.size() != 1) {
                    continue;
                }
                Map.Entry<?, ?> e = m.entrySet().iterator().next();
                Object body = e.getValue();
                String kind = String.valueOf(e.getKey());
                if (!(body instanceof Map<?, ?> b)) {
                    continue;
                }
                switch (kind) {
                    case "route" -> add(routes, b.get("id"));
                    case "templatedRoute" -> {
                        add(routes, b.get("routeId"));
                        templated = true;
                    }
                    case "routeTemplate" -> add(templates, b.get("id"));
                    case "routeConfiguration" -> add(configurations, b.get("id"));
                    default -> {
                    }
                }
            }
        }
        return new Ids(routes, templates, configurations, templated);
    }

    private static void add(List<String> to, Object id) {
        if (id != null) {
            to.add(String.valueOf(id));
        }
    }

    private Map<String, byte[]> snapshot() throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(routesDir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().endsWith(".yaml") && Files.isRegularFile(f)).toList()) {
                files.put(p.getFileName().toString(), Files.readAllBytes(p));
            }
        }
        return files;
    }

    /** {@code sha256:<hex>} over the files' names and contents, in name order. */
    static String hash(Map<String, byte[]> files) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (Map.Entry<String, byte[]> f : new TreeMap<>(files).entrySet()) {
                d.update(f.getKey().getBytes(StandardCharsets.UTF_8));
                d.update((byte) 0);
                d.update(f.getValue());
                d.update((byte) 0);
            }
            return "sha256:" + HexFormat.of().formatHex(d.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new java.util.TreeSet<>(a);
        u.addAll(b);
        return u;
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && sb.indexOf(t.getMessage().strip()) < 0) {
                sb.append(sb.isEmpty() ? "" : ": ").append(t.getMessage().strip());
            }
        }
        return sb.isEmpty() ? e.getClass().getSimpleName() : sb.toString().replaceAll("\\s*\\R\\s*", " ");
    }

    @Override
    public synchronized void close() {
        reloads.attach(null);
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        if (thread != null) {
            thread.interrupt();
        }
    }
}
