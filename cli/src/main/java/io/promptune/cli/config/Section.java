package io.promptune.cli.config;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One mapping of a config file, with typed getters whose errors say where (file:line), which key
 * (its full path) and what was expected.
 */
final class Section {
    private final LocatedTree tree;
    private final String path;
    private final JsonNode node;

    Section(LocatedTree tree, String path, JsonNode node) {
        this.tree = tree;
        this.path = path;
        this.node = node;
        if (!node.isObject()) {
            throw new ConfigException(tree.where(path) + ": " + (path.isEmpty() ? "the config" : path)
                    + ": expected a mapping of keys to values, got " + describe(node));
        }
    }

    static Section root(LocatedTree tree) {
        return new Section(tree, "", tree.root());
    }

    String key(String k) {
        return path.isEmpty() ? k : path + "." + k;
    }

    ConfigException error(String k, String message) {
        String full = k == null ? path : key(k);
        return new ConfigException(tree.where(full) + ": " + (full.isEmpty() ? "" : full + ": ") + message);
    }

    /** Refuses keys this section does not know, suggesting the closest known one. */
    void allow(String... known) {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String k = names.next();
            if (Arrays.asList(known).contains(k)) continue;
            String close = Arrays.stream(known).min(Comparator.comparingInt(c -> distance(c, k))).orElse(null);
            String hint = close != null && distance(close, k) <= 2 ? " (did you mean '" + close + "'?)" : "";
            throw error(k, "unknown key" + hint + "; expected one of: " + String.join(", ", known));
        }
    }

    boolean has(String k) {
        return node.has(k) && !node.get(k).isNull();
    }

    JsonNode raw(String k) {
        return node.get(k);
    }

    Optional<Section> section(String k) {
        return has(k) ? Optional.of(new Section(tree, key(k), node.get(k))) : Optional.empty();
    }

    Section requiredSection(String k, String example) {
        if (!has(k)) throw error(null, "missing '" + k + "'; expected for example:\n  " + example);
        return new Section(tree, key(k), node.get(k));
    }

    String string(String k, String fallback) {
        if (!has(k)) return fallback;
        JsonNode v = node.get(k);
        if (!v.isValueNode() || v.isBoolean()) throw error(k, "expected text, got " + describe(v));
        return v.asText();
    }

    String requiredString(String k, String what) {
        String s = string(k, null);
        if (s == null || s.isBlank()) throw error(has(k) ? k : null, "missing '" + k + "': " + what);
        return s;
    }

    Long whole(String k, long min, Long fallback) {
        if (!has(k)) return fallback;
        JsonNode v = node.get(k);
        if (!v.isIntegralNumber() || v.asLong() < min) {
            throw error(k, "expected a whole number of at least " + min + ", got " + describe(v));
        }
        return v.asLong();
    }

    Double number(String k, double min, double max, Double fallback) {
        if (!has(k)) return fallback;
        JsonNode v = node.get(k);
        if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max || !Double.isFinite(v.asDouble())) {
            throw error(k, "expected a number from " + fmt(min) + " to " + fmt(max) + ", got " + describe(v));
        }
        return v.asDouble();
    }

    boolean bool(String k, boolean fallback) {
        if (!has(k)) return fallback;
        JsonNode v = node.get(k);
        if (!v.isBoolean()) throw error(k, "expected true or false, got " + describe(v));
        return v.asBoolean();
    }

    /** A list of texts; a single text counts as a list of one. */
    List<String> strings(String k) {
        if (!has(k)) return List.of();
        JsonNode v = node.get(k);
        if (v.isTextual()) return List.of(v.asText());
        if (!v.isArray()) throw error(k, "expected a list of texts, got " + describe(v));
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isValueNode()) throw error(k, "expected a list of texts, but an item is " + describe(e));
            out.add(e.asText());
        }
        return out;
    }

    /** A mapping of names to plain values (numbers, texts, booleans, lists of those). */
    Map<String, Object> values(String k) {
        Map<String, Object> out = new LinkedHashMap<>();
        Optional<Section> s = section(k);
        if (s.isEmpty()) return out;
        Iterator<Map.Entry<String, JsonNode>> it = s.get().node.fields();
        while (it.hasNext()) {
            var e = it.next();
            out.put(e.getKey(), plain(s.get(), e.getKey(), e.getValue()));
        }
        return out;
    }

    private static Object plain(Section s, String k, JsonNode v) {
        if (v.isIntegralNumber()) return v.asLong();
        if (v.isNumber()) return v.asDouble();
        if (v.isBoolean()) return v.asBoolean();
        if (v.isTextual()) return v.asText();
        if (v.isNull()) return null;
        if (v.isArray()) {
            List<Object> l = new ArrayList<>();
            for (JsonNode e : v) l.add(plain(s, k, e));
            return l;
        }
        throw s.error(k, "expected a number, text, true/false or a list, got " + describe(v));
    }

    Iterable<String> keys() {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }

    String where(String k) {
        return tree.where(key(k));
    }

    LocatedTree tree() {
        return tree;
    }

    static String describe(JsonNode v) {
        if (v == null || v.isNull()) return "nothing";
        if (v.isTextual()) return "\"" + v.asText() + "\"";
        if (v.isObject()) return "a mapping";
        if (v.isArray()) return "a list";
        return v.toString();
    }

    private static String fmt(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1], cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) prev[j] = j;
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev; prev = cur; cur = t;
        }
        return prev[b.length()];
    }
}
