package io.promptune.datasets;

/**
 * One bad row in a dataset file: where it is (file, 1-based line, field or null) and what is wrong.
 * Printed as "file:line: field 'x': message" so editors and terminals can jump to it.
 */
public record DatasetProblem(String file, int line, String field, String message) {
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(file);
        if (line > 0) sb.append(':').append(line);
        sb.append(": ");
        if (field != null) sb.append("field '").append(field).append("': ");
        return sb.append(message).toString();
    }
}
