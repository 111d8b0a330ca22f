package io.promptune.datasets;

import com.fasterxml.jackson.core.JsonProcessingException;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns raw rows into examples by a {@link FieldMapping}, checking every row: missing fields, values
 * of the wrong type, duplicate ids. Problems are collected, not thrown, so all of them can be shown.
 */
final class ExampleMapper {
    private final String file;
    private final FieldMapping mapping;
    private final Map<String, Integer> idLines = new HashMap<>();

    ExampleMapper(String file, FieldMapping mapping) {
        this.file = file;
        this.mapping = mapping;
    }

    /** Returns the example, or null after adding the row's problems to {@code problems}. */
    Example map(RawRow row, List<DatasetProblem> problems) {
        int before = problems.size();
        Map<String, Object> f = row.fields();

        Map<String, Object> inputs = new LinkedHashMap<>();
        if (mapping.inputFields().isEmpty()) {
            for (Map.Entry<String, Object> e : f.entrySet()) {
                if (e.getKey().equals(mapping.idField()) || mapping.expectedFields().contains(e.getKey())) continue;
                if (e.getValue() != null) inputs.put(e.getKey(), e.getValue());
            }
            if (inputs.isEmpty()) problems.add(problem(row, null, "row has no input fields"));
        } else {
            for (String name : mapping.inputFields()) {
                Object v = f.get(name);
                if (v == null) problems.add(problem(row, name, f.containsKey(name) ? "is null" : "missing" + known(f)));
                else inputs.put(name, v);
            }
        }

        List<String> expected = new ArrayList<>();
        for (String name : mapping.expectedFields()) {
            Object v = f.get(name);
            if (v == null) {
                if (mapping.requireExpected() && mapping.expectedFields().size() == 1) {
                    problems.add(problem(row, name, f.containsKey(name) ? "is null" : "missing" + known(f)));
                }
                continue;
            }
            addExpected(row, name, v, expected, problems);
        }
        if (mapping.requireExpected() && mapping.expectedFields().size() > 1 && expected.isEmpty()) {
            problems.add(problem(row, null, "none of the expected fields " + mapping.expectedFields() + " has a value"));
        }

        String id = null;
        Object idValue = mapping.idField() == null ? null : f.get(mapping.idField());
        if (idValue instanceof String s && !s.isBlank()) id = s;
        else if (idValue instanceof Integer || idValue instanceof Long || idValue instanceof java.math.BigInteger) id = idValue.toString();
        else if (idValue != null) problems.add(problem(row, mapping.idField(), "an id must be a non-empty string or an integer, got " + describe(idValue)));

        if (problems.size() > before) return null;
        if (id == null) id = contentId(inputs, expected);
        Integer firstLine = idLines.putIfAbsent(id, row.line());
        if (firstLine != null) {
            if (idValue != null) {
                problems.add(problem(row, mapping.idField(), "duplicate id '" + id + "'" + (firstLine > 0 ? " (first on line " + firstLine + ")" : "")));
                return null;
            }
            int k = 2;
            while (idLines.putIfAbsent(id + "#" + k, row.line()) != null) k++;
            id = id + "#" + k; // identical content without ids: keep both, apart
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("source", file);
        if (row.line() > 0) meta.put("line", row.line());
        return new Example(id, inputs, expected, meta);
    }

    private void addExpected(RawRow row, String name, Object v, List<String> out, List<DatasetProblem> problems) {
        if (v instanceof List<?> list) {
            if (list.isEmpty()) problems.add(problem(row, name, "the list of expected outputs is empty"));
            for (Object item : list) {
                if (item == null || item instanceof List<?>) {
                    problems.add(problem(row, name, "each expected output must be a string, number, boolean or object, got " + describe(item)));
                } else {
                    out.add(asText(item));
                }
            }
        } else if (!mapping.labelNames().isEmpty() && (v instanceof Integer || v instanceof Long)) {
            long i = ((Number) v).longValue();
            if (i < 0 || i >= mapping.labelNames().size()) {
                problems.add(problem(row, name, "label " + i + " is out of range for the " + mapping.labelNames().size() + " label names " + mapping.labelNames()));
            } else {
                out.add(mapping.labelNames().get((int) i));
            }
        } else {
            out.add(asText(v));
        }
    }

    /** Strings stay as they are; numbers and booleans print plainly; objects become compact JSON. */
    static String asText(Object v) {
        if (v instanceof String s) return s;
        if (v instanceof Map<?, ?> || v instanceof List<?>) {
            try {
                return JsonRowReader.MAPPER.writeValueAsString(v);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException(e);
            }
        }
        if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15) return Long.toString(d.longValue());
        return String.valueOf(v);
    }

    /** Without an id field, an example is named by its content, so splits stay the same when rows are reordered. */
    private static String contentId(Map<String, Object> inputs, List<String> expected) {
        try {
            String canonical = JsonRowReader.MAPPER.writeValueAsString(List.of(new java.util.TreeMap<>(inputs), expected));
            byte[] h = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            return "h" + HexFormat.of().formatHex(h, 0, 6);
        } catch (JsonProcessingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private DatasetProblem problem(RawRow row, String field, String message) {
        return new DatasetProblem(file, row.line(), field, message);
    }

    private static String known(Map<String, Object> f) {
        return f.isEmpty() ? "" : " (the row has " + String.join(", ", f.keySet()) + ")";
    }

    private static String describe(Object v) {
        if (v == null) return "null";
        if (v instanceof List<?>) return "a list";
        if (v instanceof Map<?, ?>) return "an object";
        if (v instanceof Boolean) return "a boolean";
        if (v instanceof Number) return "a number";
        return "a string";
    }
}
