package io.promptune.datasets;

import java.util.List;

/** A named, ordered list of examples. */
public record Dataset(String name, List<Example> examples) {
    public Dataset {
        examples = List.copyOf(examples);
    }

    public int size() {
        return examples.size();
    }
}
