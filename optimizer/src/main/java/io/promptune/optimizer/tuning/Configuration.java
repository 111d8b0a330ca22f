package io.promptune.optimizer.tuning;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One point of the search: every parameter a trial chose, including "template" (a template name)
 * and "few_shot" (how many demonstrations), plus the decoding parameters.
 */
public record Configuration(Map<String, Object> params) {
    public static final String TEMPLATE = "template";
    public static final String FEW_SHOT = "few_shot";

    public Configuration {
        params = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    public String template(String fallback) {
        Object t = params.get(TEMPLATE);
        return t == null ? fallback : String.valueOf(t);
    }

    public int fewShot() {
        Object k = params.get(FEW_SHOT);
        return k instanceof Number n ? n.intValue() : 0;
    }

    /** These params overlaid by {@code overrides}. */
    public Configuration with(Map<String, Object> overrides) {
        Map<String, Object> m = new LinkedHashMap<>(params);
        m.putAll(overrides);
        return new Configuration(m);
    }

    /** A stable, sorted rendering for logs and equality in tests. */
    @Override
    public String toString() {
        return new TreeMap<>(params).toString();
    }
}
