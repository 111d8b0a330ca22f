package io.promptune.optimizer;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Canonical forms of JSON-able values, so that a value read back from storage (Integer vs Long,
 * Float vs Double) compares equal to the one that was written.
 */
public final class JsonValues {
    private JsonValues() {
    }

    public static Object canonical(Object v) {
        if (v == null || v instanceof String || v instanceof Boolean) return v;
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) return ((Number) v).longValue();
        if (v instanceof BigInteger b) return b.longValue();
        if (v instanceof Float || v instanceof Double || v instanceof BigDecimal) return ((Number) v).doubleValue();
        if (v instanceof Number n) return n.doubleValue();
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object o : l) out.add(canonical(o));
            return out;
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (var e : m.entrySet()) out.put(String.valueOf(e.getKey()), canonical(e.getValue()));
            return out;
        }
        if (v instanceof Enum<?> e) return e.name();
        return v.toString();
    }

    /** JSON equality: numbers compare by value (1 equals 1.0), lists and maps element-wise. */
    public static boolean same(Object a, Object b) {
        a = canonical(a);
        b = canonical(b);
        if (a instanceof Number x && b instanceof Number y) return x.doubleValue() == y.doubleValue();
        if (a instanceof List<?> x && b instanceof List<?> y) {
            if (x.size() != y.size()) return false;
            for (int i = 0; i < x.size(); i++) if (!same(x.get(i), y.get(i))) return false;
            return true;
        }
        if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
            if (!x.keySet().equals(y.keySet())) return false;
            for (var k : x.keySet()) if (!same(x.get(k), y.get(k))) return false;
            return true;
        }
        return java.util.Objects.equals(a, b);
    }
}
