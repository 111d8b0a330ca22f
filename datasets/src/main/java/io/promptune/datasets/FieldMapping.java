package io.promptune.datasets;

import java.util.List;
import java.util.Objects;

/**
 * Which fields of a row are the example's id, inputs and expected output(s).
 *
 * @param idField        field holding a unique id; null means "use the row number"
 * @param inputFields    fields the prompt template may use; empty means "every field that is not the id or expected"
 * @param expectedFields fields holding expected outputs (a field may hold a list of accepted answers);
 *                       empty means the examples have no reference (judge-only tasks)
 * @param requireExpected whether a row without any expected value is a problem
 * @param labelNames     names for integer class labels, as Hugging Face exports a ClassLabel column
 *                       (0 -> labelNames[0]); empty means integers stay numbers
 */
public record FieldMapping(String idField, List<String> inputFields, List<String> expectedFields, boolean requireExpected,
                           List<String> labelNames) {
    public FieldMapping {
        inputFields = List.copyOf(Objects.requireNonNullElse(inputFields, List.of()));
        expectedFields = List.copyOf(Objects.requireNonNullElse(expectedFields, List.of()));
        labelNames = List.copyOf(Objects.requireNonNullElse(labelNames, List.of()));
    }

    public FieldMapping(String idField, List<String> inputFields, List<String> expectedFields, boolean requireExpected) {
        this(idField, inputFields, expectedFields, requireExpected, List.of());
    }

    /** The common case: an "id" field if present, all other fields are inputs, "expected" is the reference. */
    public static FieldMapping defaults() {
        return new FieldMapping("id", List.of(), List.of("expected"), true);
    }

    public static FieldMapping of(String idField, List<String> inputs, List<String> expected) {
        return new FieldMapping(idField, inputs, expected, !expected.isEmpty());
    }

    public FieldMapping withId(String field) { return new FieldMapping(field, inputFields, expectedFields, requireExpected, labelNames); }
    public FieldMapping withInputs(String... fields) { return new FieldMapping(idField, List.of(fields), expectedFields, requireExpected, labelNames); }
    public FieldMapping withExpected(String... fields) { return new FieldMapping(idField, inputFields, List.of(fields), fields.length > 0, labelNames); }
    public FieldMapping withExpectedOptional() { return new FieldMapping(idField, inputFields, expectedFields, false, labelNames); }
    public FieldMapping withLabelNames(String... names) { return new FieldMapping(idField, inputFields, expectedFields, requireExpected, List.of(names)); }
}
