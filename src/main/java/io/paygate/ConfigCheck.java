package io.paygate;

import io.paygate.config.ConfigException;
import io.paygate.config.GatewaySettings;
import io.paygate.config.MerchantDirectory;
import io.paygate.config.MerchantProfile;
import io.paygate.config.MerchantsFile;
import io.paygate.provider.ProviderModules;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * {@code java -jar payment-gateway.jar --check-config}: reads application.properties, merchants.yaml
 * (with the files its merchants name, through each provider module's check) and every
 * {@code routes/*.yaml} (parsed, then loaded into a Camel context that is never started), prints
 * every error it finds, one line each, and starts nothing: no port is bound, no database opened, and
 * nothing is written to the data folder. In sandbox mode the files the sandbox makes on its first
 * start (keys, client certificates) are made in a temporary folder that is deleted afterwards.
 */
final class ConfigCheck {
    /** What the check found. */
    record Result(List<String> errors, int merchants, int routes) {
        boolean ok() {
            return errors.isEmpty();
        }
    }

    private ConfigCheck() {
    }

    /** Runs the check and prints its outcome; returns the exit code (0 all well, 2 errors). */
    static int run(Map<String, String> env, Properties system, PrintStream out, PrintStream err) {
        Result r;
        try {
            r = check(env, system);
        } catch (RuntimeException e) {
            // Not a configuration finding: a fault of the check itself (exit 1, as a failed start).
            err.println("payment-gateway: the check failed: " + e);
            return 1;
        }
        for (String e : r.errors()) {
            err.println("payment-gateway: configuration error: " + e);
        }
        if (r.ok()) {
            out.println("payment-gateway: configuration OK: " + r.merchants() + " merchants, " + r.routes() + " routes");
            return 0;
        }
        err.println("payment-gateway: " + r.errors().size() + " configuration error(s)");
        return 2;
    }

    static Result check(Map<String, String> env, Properties system) {
        List<String> errors = new ArrayList<>();
        List<ConfigException> unknown = new ArrayList<>();
        GatewaySettings settings = null;
        try {
            settings = GatewaySettings.load(env, system, unknown);
        } catch (ConfigException e) {
            errors.add(e.getMessage());
        }
        unknown.forEach(e -> errors.add(e.getMessage()));

        int merchantCount = 0;
        Path scratch = null;
        try {
            Map<String, String> checkEnv = env;
            GatewaySettings checkSettings = settings;
            Path dataDir = GatewaySettings.dataDir(env, system);
            if (settings != null && settings.bool("gateway.sandbox.enabled")) {
                // The sandbox's own files (keys, certificates) go to a throw-away folder, not the data folder.
                scratch = Files.createTempDirectory("payment-gateway-check");
                Map<String, String> e = new HashMap<>(env);
                e.put("GATEWAY_DATA_DIR", scratch.toString());
                Properties s = new Properties();
                s.putAll(system);
                s.remove("gateway.data-dir");
                checkEnv = e;
                checkSettings = GatewaySettings.load(e, s, new ArrayList<>());
                dataDir = scratch;
            }
            MerchantDirectory merchants = null;
            SandboxRuntime sandbox = checkSettings != null ? SandboxRuntime.load(checkSettings) : null;
            try {
                if (sandbox != null) {
                    sandbox.beforeMerchants(checkSettings);
                }
                merchants = MerchantsFile.load(GatewaySettings.configDir(env, system), dataDir, checkEnv);
                merchantCount = merchants.all().size();
                if (sandbox != null) {
                    sandbox.filesForCheck(checkSettings, merchants);
                }
            } catch (ConfigException e) {
                errors.add(e.getMessage());
            } finally {
                if (sandbox != null) {
                    sandbox.close();
                }
            }
            if (merchants != null) {
                errors.addAll(providerChecks(GatewaySettings.configDir(env, system), merchants));
                if (checkSettings != null) {
                    try {
                        io.paygate.broker.Messaging.checkMerchantLogins(checkSettings, merchants);
                    } catch (ConfigException e) {
                        errors.add(e.getMessage());
                    }
                }
            }
        } catch (ConfigException e) {
            errors.add(e.getMessage());
        } catch (IOException e) {
            errors.add("cannot make a temporary folder for the check: " + e.getMessage());
        } finally {
            deleteQuietly(scratch);
        }
        if (scratch != null) {
            // Name the data folder the gateway will use, not the check's temporary one.
            String from = scratch.toString();
            String to = GatewaySettings.dataDir(env, system).toString();
            errors.replaceAll(e -> e.replace(from, to));
        }

        int[] routes = {0};
        errors.addAll(routeErrors(GatewaySettings.routesDir(env, system), settings, routes));
        return new Result(List.copyOf(errors), merchantCount, routes[0]);
    }

    /** Each provider module's start-up check of each merchant's section (client certificates that must open). */
    private static List<String> providerChecks(Path configDir, MerchantDirectory merchants) {
        String file = configDir.resolve(MerchantsFile.FILE).toString();
        List<String> errors = new ArrayList<>();
        for (MerchantProfile p : merchants.all()) {
            p.providers().forEach((name, section) -> ProviderModules.byName(name).ifPresent(m -> {
                try {
                    m.check(p, section.settings(), (key, reason) -> new ConfigException(file,
                            "merchants." + p.id() + "." + name + "." + key, reason));
                } catch (ConfigException e) {
                    errors.add(e.getMessage());
                }
            }));
        }
        return errors;
    }

    /**
     * Every route file is parsed as YAML (a bad file is named with its line), then all are loaded
     * into one Camel context that is never started, each file on its own so an error names it: an unknown EIP or option, a template instance without a
     * required parameter, a templated route naming no known template.
     */
    static List<String> routeErrors(Path routesDir, GatewaySettings settings, int[] routeCount) {
        List<String> errors = new ArrayList<>();
        if (!Files.isDirectory(routesDir)) {
            errors.add("GATEWAY_ROUTES_DIR " + routesDir + ": not a folder");
            return errors;
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(routesDir)) {
            files = s.filter(f -> f.getFileName().toString().endsWith(".yaml") && Files.isRegularFile(f))
                    .sorted().toList();
        } catch (IOException e) {
            errors.add(routesDir + ": cannot be listed: " + e.getMessage());
            return errors;
        }
        if (files.isEmpty()) {
            errors.add(routesDir + ": no route file (*.yaml)");
            return errors;
        }
        List<Path> parsed = new ArrayList<>();
        for (Path f : files) {
            try {
                parse(f);
                parsed.add(f);
            } catch (ConfigException e) {
                errors.add(e.getMessage());
            }
        }
        DefaultCamelContext context = new DefaultCamelContext();
        try {
            if (settings != null) {
                context.getPropertiesComponent().setInitialProperties(GatewayBeans.camelProperties(settings));
            }
            // Like Camel Main's routes loader: every file's templates and routes first, then the
            // templated routes (an instance may name a template of another file).
            Map<Path, List<RoutesBuilder>> loaded = new java.util.LinkedHashMap<>();
            for (Path f : parsed) {
                try {
                    Resource resource = ResourceHelper.resolveMandatoryResource(context, "file:" + f);
                    List<RoutesBuilder> builders = new ArrayList<>(PluginHelper.getRoutesLoader(context).findRoutesBuilders(resource));
                    for (RoutesBuilder b : builders) {
                        context.addRoutes(b);
                    }
                    loaded.put(f, builders);
                } catch (Exception e) {
                    errors.add(f + ": does not load: " + describe(e));
                }
            }
            loaded.forEach((f, builders) -> {
                try {
                    for (RoutesBuilder b : builders) {
                        if (b instanceof org.apache.camel.builder.RouteBuilder rb) {
                            rb.addTemplatedRoutesToCamelContext(context);
                        }
                    }
                } catch (Exception e) {
                    errors.add(f + ": does not load: " + describe(e));
                }
            });
            routeCount[0] = ((ModelCamelContext) context).getRouteDefinitions().size();
        } finally {
            context.stop();
        }
        return errors;
    }

    /** Parses a route file as YAML: a malformed one is named with the line, never quoted. */
    private static void parse(Path f) {
        Object root;
        try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            root = new Load(LoadSettings.builder().setLabel(f.getFileName().toString()).build()).loadFromReader(r);
        } catch (MarkedYamlEngineException e) {
            String where = e.getProblemMark().map(m -> " at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1))
                    .orElse("");
            throw new ConfigException(f + ": malformed YAML" + where + ": " + e.getProblem());
        } catch (YamlEngineException e) {
            throw new ConfigException(f + ": malformed YAML (check quoting and indentation)");
        } catch (IOException e) {
            throw new ConfigException(f + ": cannot be read: " + e.getMessage());
        }
        if (!(root instanceof List<?> items)) {
            throw new ConfigException(f + ": not a route file (expected a YAML list of route, routeTemplate, ... items)");
        }
    }

    /** The exception's messages down its causes, on one line. */
    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m != null && !m.isBlank() && sb.indexOf(m.strip()) < 0) {
                if (!sb.isEmpty()) {
                    sb.append(": ");
                }
                sb.append(m.strip());
            }
        }
        return sb.isEmpty() ? e.getClass().getSimpleName() : sb.toString().replaceAll("\\s*\\R\\s*", " ");
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a temporary folder: the OS cleans what is left
                }
            });
        } catch (IOException e) {
            // idem
        }
    }
}
