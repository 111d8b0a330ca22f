package io.promptune.evaluators;

import io.promptune.datasets.Example;

/** Scores one model output against an example (its expected outputs and fields). */
@FunctionalInterface
public interface Metric {
    Score score(String output, Example example);

    /** A short name for reports, e.g. "exact_match". */
    default String name() {
        return getClass().getSimpleName();
    }
}
