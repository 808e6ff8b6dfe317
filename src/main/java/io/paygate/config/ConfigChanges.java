package io.paygate.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * What a reload changes, by merchant: ids added and removed, and for each changed merchant the key
 * paths whose value changed (e.g. {@code wechat.apiKey}, {@code callbackHosts}) or whose named file's
 * content changed ({@code wechat.certificate (file)}). Only names: never a value, so the audit
 * trail (GET /admin/config/history, the log) can show it all.
 *
 * @param changed merchant id to its changed key paths, sorted
 */
public record ConfigChanges(List<String> added, List<String> removed, Map<String, List<String>> changed) {
    public static final ConfigChanges NONE = new ConfigChanges(List.of(), List.of(), Map.of());

    public ConfigChanges {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(changed));
    }

    public boolean isEmpty() {
        return added.isEmpty() && removed.isEmpty() && changed.isEmpty();
    }

    /**
     * One configuration as the diff sees it: each merchant's keys as written in merchants.yaml
     * (before {@code ${env:…}} references are resolved), and a digest of each file a section names.
     *
     * @param merchants merchant id to its flattened keys (key path to the raw value)
     * @param files section key naming a file (e.g. {@code merchants.shop.wechat.certificate}) to the file's digest
     */
    public record View(Map<String, Map<String, Object>> merchants, Map<String, String> files) {
    }

    /** The changes from {@code before} to {@code after}. */
    public static ConfigChanges between(View before, View after) {
        List<String> added = new ArrayList<>();
        List<String> removed = new ArrayList<>();
        Map<String, List<String>> changed = new LinkedHashMap<>();
        for (String id : new TreeSet<>(after.merchants().keySet())) {
            if (!before.merchants().containsKey(id)) {
                added.add(id);
            }
        }
        for (String id : new TreeSet<>(before.merchants().keySet())) {
            Map<String, Object> old = before.merchants().get(id);
            Map<String, Object> now = after.merchants().get(id);
            if (now == null) {
                removed.add(id);
                continue;
            }
            TreeSet<String> keys = new TreeSet<>();
            TreeSet<String> all = new TreeSet<>(old.keySet());
            all.addAll(now.keySet());
            for (String k : all) {
                if (!Objects.equals(old.get(k), now.get(k))) {
                    keys.add(k);
                }
            }
            String prefix = "merchants." + id + ".";
            TreeSet<String> sections = new TreeSet<>(before.files().keySet());
            sections.addAll(after.files().keySet());
            for (String section : sections) {
                if (section.startsWith(prefix) && before.files().containsKey(section) && after.files().containsKey(section)
                        && !before.files().get(section).equals(after.files().get(section))) {
                    keys.add(section.substring(prefix.length()) + " (file)");
                }
            }
            if (!keys.isEmpty()) {
                changed.put(id, List.copyOf(keys));
            }
        }
        return new ConfigChanges(added, removed, changed);
    }

    /**
     * The view of a merchants.yaml document (its parsed top-level mapping) and the digests of the
     * files its sections name.
     */
    public static View view(Object root, Map<Path, String> namedFiles, Map<Path, String> fileDigests) {
        Map<String, Map<String, Object>> merchants = new LinkedHashMap<>();
        if (root instanceof Map<?, ?> top && top.get("merchants") instanceof Map<?, ?> ms) {
            for (Map.Entry<?, ?> e : ms.entrySet()) {
                Map<String, Object> flat = new LinkedHashMap<>();
                flatten("", e.getValue(), flat);
                merchants.put(String.valueOf(e.getKey()), flat);
            }
        }
        Map<String, String> files = new LinkedHashMap<>();
        namedFiles.forEach((path, section) -> files.merge(section, fileDigests.getOrDefault(path, "missing"),
                (a, b) -> a + "," + b));
        return new View(merchants, files);
    }

    private static void flatten(String prefix, Object value, Map<String, Object> out) {
        if (value instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                flatten(prefix.isEmpty() ? String.valueOf(e.getKey()) : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else {
            // Lists (callbackHosts, retrySchedule) are compared as a whole.
            out.put(prefix.isEmpty() ? "(value)" : prefix, value);
        }
    }
}
