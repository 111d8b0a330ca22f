package io.promptune.evaluators;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * key=value options for a metric, from a config or the command line. Reading an option marks it
 * used; {@link #checkAllUsed} then rejects typos ("ignore_cse") with the list of known options.
 */
public final class MetricOptions {
    private final String metric;
    private final Map<String, String> values;
    private final Set<String> asked = new HashSet<>();

    public MetricOptions(String metric, Map<String, String> values) {
        this.metric = metric;
        this.values = new LinkedHashMap<>(values);
    }

    public static MetricOptions none(String metric) {
        return new MetricOptions(metric, Map.of());
    }

    /** Parses "key=value" strings. */
    public static Map<String, String> parse(List<String> pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String p : pairs) {
            int eq = p.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("an option must look like key=value, got '" + p + "'");
            m.put(p.substring(0, eq).strip(), p.substring(eq + 1));
        }
        return m;
    }

    public Map<String, String> values() {
        return Map.copyOf(values);
    }

    public String string(String key, String def) {
        asked.add(key);
        return values.getOrDefault(key, def);
    }

    public String required(String key) {
        asked.add(key);
        String v = values.get(key);
        if (v == null) throw new IllegalArgumentException("metric '" + metric + "' needs option " + key + "=...");
        return v;
    }

    public boolean has(String key) {
        asked.add(key);
        return values.containsKey(key);
    }

    public boolean bool(String key, boolean def) {
        String v = string(key, null);
        if (v == null) return def;
        return switch (v.strip().toLowerCase()) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new IllegalArgumentException("option " + key + " of metric '" + metric + "' should be true or false, got '" + v + "'");
        };
    }

    public double number(String key, double def) {
        String v = string(key, null);
        if (v == null) return def;
        try {
            return Double.parseDouble(v.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("option " + key + " of metric '" + metric + "' should be a number, got '" + v + "'");
        }
    }

    public int integer(String key, int def) {
        double d = number(key, def);
        if (d != Math.rint(d)) throw new IllegalArgumentException("option " + key + " of metric '" + metric + "' should be a whole number, got " + d);
        return (int) d;
    }

    /** A comma-separated list (empty entries dropped). */
    public List<String> list(String key) {
        String v = string(key, null);
        List<String> out = new ArrayList<>();
        if (v == null) return out;
        for (String s : v.split(",")) if (!s.isBlank()) out.add(s.strip());
        return out;
    }

    void checkAllUsed() {
        List<String> unknown = values.keySet().stream().filter(k -> !asked.contains(k)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("metric '" + metric + "' has no option " + String.join(", ", unknown)
                    + (asked.isEmpty() ? " (it takes none)" : "; its options: " + String.join(", ", asked.stream().sorted().toList())));
        }
    }
}
