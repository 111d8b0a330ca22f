package io.promptune.evaluators;

import io.promptune.datasets.Example;

import java.util.List;

/** The expected outputs of an example, or a clear error when a metric needs them and there are none. */
final class References {
    private References() { }

    static List<String> of(Example example, String metric) {
        if (example.expected().isEmpty()) {
            throw new IllegalArgumentException("metric '" + metric + "' needs an expected output, and example '" + example.id() + "' has none");
        }
        return example.expected();
    }
}
