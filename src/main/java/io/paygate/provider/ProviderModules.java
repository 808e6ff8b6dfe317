package io.paygate.provider;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The provider modules on the class path, found once with {@link ServiceLoader}. */
public final class ProviderModules {
    private static volatile Map<String, ProviderModule> installed;

    private ProviderModules() {
    }

    /** Every installed module by name, sorted by name. */
    public static Map<String, ProviderModule> installed() {
        Map<String, ProviderModule> m = installed;
        if (m == null) {
            Map<String, ProviderModule> found = new TreeMap<>();
            for (ProviderModule module : ServiceLoader.load(ProviderModule.class, ProviderModules.class.getClassLoader())) {
                ProviderModule before = found.putIfAbsent(module.name(), module);
                if (before != null && before.getClass() != module.getClass()) {
                    throw new IllegalStateException("two provider modules are named " + module.name() + ": "
                            + before.getClass().getName() + " and " + module.getClass().getName());
                }
            }
            m = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(found));
            installed = m;
        }
        return m;
    }

    public static Optional<ProviderModule> byName(String name) {
        return Optional.ofNullable(installed().get(name));
    }

    public static Collection<String> names() {
        return installed().keySet();
    }
}
