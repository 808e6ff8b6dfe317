package io.paygate.tools;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options and positional arguments of the command-line tools. */
final class ToolOptions {
    private final Map<String, String> values = new HashMap<>();
    private final List<String> positional = new ArrayList<>();

    ToolOptions(String[] args, Set<String> names) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                String name = args[i].substring(2);
                if (!names.contains(name) || i + 1 >= args.length) {
                    throw new IllegalArgumentException("unknown option or missing value: " + args[i]);
                }
                values.put(name, args[++i]);
            } else {
                positional.add(args[i]);
            }
        }
    }

    String get(String name, String dflt) {
        return values.getOrDefault(name, dflt);
    }

    int intValue(String name, int dflt) {
        return values.containsKey(name) ? Integer.parseInt(values.get(name)) : dflt;
    }

    List<String> positional() {
        return positional;
    }
}
