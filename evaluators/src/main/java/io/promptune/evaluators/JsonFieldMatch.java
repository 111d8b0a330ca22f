package io.promptune.evaluators;

import com.fasterxml.jackson.databind.JsonNode;
import io.promptune.datasets.Example;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The share of the expected JSON object's fields that the output's JSON gets right (all fields, or
 * only those named). Lenient by default: strings compare trimmed and case-insensitively, and "34"
 * equals 34; with {@code strict} values must be equal JSON. Output without a JSON object scores 0.
 */
public final class JsonFieldMatch implements Metric {
    private final List<String> fields;
    private final boolean strict;

    public JsonFieldMatch(List<String> fields, boolean strict) {
        this.fields = List.copyOf(fields);
        this.strict = strict;
    }

    @Override
    public String name() {
        return "json_field_match";
    }

    @Override
    public Score score(String output, Example example) {
        String ref = References.of(example, name()).get(0);
        JsonNode expected = JsonExtractor.parse(ref.strip()).filter(JsonNode::isObject).orElseThrow(() ->
                new IllegalArgumentException("metric 'json_field_match' needs a JSON object as the expected output; example '" + example.id() + "' has: " + abbreviate(ref)));
        Optional<JsonExtractor.Found> found = JsonExtractor.extract(output);
        if (found.isEmpty() || !found.get().json().isObject()) return new Score(0, Map.of("error", "no JSON object found"));
        JsonNode actual = found.get().json();
        List<String> names = new ArrayList<>(fields);
        if (names.isEmpty()) for (Iterator<String> it = expected.fieldNames(); it.hasNext(); ) names.add(it.next());
        if (names.isEmpty()) return Score.of(1);
        Map<String, Object> perField = new LinkedHashMap<>();
        int right = 0;
        for (String f : names) {
            boolean ok = actual.has(f) && same(expected.get(f), actual.get(f));
            perField.put(f, ok);
            if (ok) right++;
        }
        return new Score((double) right / names.size(), Map.of("fields", perField));
    }

    private boolean same(JsonNode want, JsonNode got) {
        if (want == null) return got == null || got.isNull();
        if (strict) return want.equals(got);
        if (want.isNumber() || got.isNumber()) {
            Double a = number(want), b = number(got);
            return a != null && b != null && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a));
        }
        if (want.isTextual() || want.isBoolean()) return text(want).equals(text(got));
        if (want.isArray() && got.isArray() && want.size() == got.size()) {
            for (int i = 0; i < want.size(); i++) if (!same(want.get(i), got.get(i))) return false;
            return true;
        }
        if (want.isObject() && got.isObject() && want.size() == got.size()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = want.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!got.has(e.getKey()) || !same(e.getValue(), got.get(e.getKey()))) return false;
            }
            return true;
        }
        return want.equals(got);
    }

    private static String text(JsonNode n) {
        return n.isValueNode() ? n.asText().strip().toLowerCase(Locale.ROOT) : n.toString();
    }

    private static Double number(JsonNode n) {
        if (n.isNumber()) return n.doubleValue();
        if (n.isTextual()) {
            try {
                return Double.parseDouble(n.asText().strip());
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return null;
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }
}
