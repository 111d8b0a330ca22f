package io.promptune.datasets;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One eval example: input fields that templates refer to by name, the expected output(s), and
 * free-form metadata (source file and line, tags) kept for reports.
 */
public record Example(String id, Map<String, Object> inputs, List<String> expected, Map<String, Object> metadata) {
    public Example {
        Objects.requireNonNull(id, "id");
        inputs = Map.copyOf(inputs);
        expected = expected == null ? List.of() : List.copyOf(expected);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** The first expected output, or null when the example has none (metric-only tasks). */
    public String reference() {
        return expected.isEmpty() ? null : expected.get(0);
    }
}
