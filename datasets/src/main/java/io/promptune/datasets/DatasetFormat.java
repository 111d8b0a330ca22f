package io.promptune.datasets;

import java.nio.file.Path;
import java.util.Locale;

/** The file formats a dataset can be loaded from. */
public enum DatasetFormat {
    JSONL, CSV, JSON;

    /** Picks the format from the file name (.jsonl/.ndjson, .csv, .json). */
    public static DatasetFormat of(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".jsonl") || n.endsWith(".ndjson") || n.endsWith(".jsonlines")) return JSONL;
        if (n.endsWith(".csv")) return CSV;
        if (n.endsWith(".json")) return JSON;
        throw new DatasetException(file.toString(), "unknown dataset format: expected a .jsonl, .csv or .json file");
    }
}
