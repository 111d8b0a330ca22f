package io.promptune.optimizer.promptsearch;

import io.promptune.datasets.Example;

import java.util.List;

/** Chooses k demonstrations for one query from the tune split (never the query itself). */
public interface ShotStrategy {
    List<Example> select(Example query, int k);

    String name();
}
