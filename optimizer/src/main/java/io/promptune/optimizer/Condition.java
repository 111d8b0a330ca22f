package io.promptune.optimizer;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Makes a parameter active only when an earlier parameter takes one of the given values
 * (e.g. top_k only when do_sample is true). Values are compared as JSON values.
 */
public record Condition(String parent, List<Object> anyOf) {
    public Condition {
        Objects.requireNonNull(parent, "parent");
        anyOf = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(anyOf.stream().map(JsonValues::canonical).toList()));
    }

    public static Condition equals(String parent, Object value) {
        return new Condition(parent, java.util.Collections.singletonList(value));
    }

    public static Condition in(String parent, List<?> values) {
        return new Condition(parent, new java.util.ArrayList<Object>(values));
    }

    /** True when the parent is present in the (partial) assignment and takes one of the values. */
    public boolean holds(Map<String, Object> assigned) {
        if (!assigned.containsKey(parent)) return false;
        Object v = JsonValues.canonical(assigned.get(parent));
        for (Object a : anyOf) if (JsonValues.same(a, v)) return true;
        return false;
    }
}
