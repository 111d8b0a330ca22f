package io.promptune.datasets;

import java.util.Map;

/**
 * One row as read from a file, before fields are mapped: values are String, Number, Boolean, List,
 * Map or null. {@code line} is the 1-based line where the row starts (0 if the format has none).
 */
record RawRow(int line, Map<String, Object> fields) { }
