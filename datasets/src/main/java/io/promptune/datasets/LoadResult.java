package io.promptune.datasets;

import java.util.List;

/** A loaded dataset and the bad rows that were skipped to get it (empty unless skipping was asked for). */
public record LoadResult(Dataset dataset, List<DatasetProblem> skipped) {
    public LoadResult {
        skipped = List.copyOf(skipped);
    }

    /** One line for logs: "loaded 98 examples from x.jsonl, skipped 2 bad rows". */
    public String summary() {
        String s = "loaded " + dataset.size() + " examples from " + dataset.name();
        return skipped.isEmpty() ? s : s + ", skipped " + skipped.size() + " bad row" + (skipped.size() == 1 ? "" : "s");
    }
}
