package io.promptune.optimizer.promptsearch;

import io.promptune.datasets.Example;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded random subset of the tune split, the same for every query (so the prompt prefix is
 * shared and the engine's prefix cache helps); the query itself is skipped when it is in the subset.
 */
public final class RandomShots implements ShotStrategy {
    private final List<Example> order;

    public RandomShots(TuneSplitPool pool, long seed) {
        List<Example> shuffled = new ArrayList<>(pool.examples().stream().filter(e -> e.reference() != null).toList());
        shuffled.sort(Comparator.comparing(Example::id)); // independent of file order
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = shuffled.size() - 1; i > 0; i--) java.util.Collections.swap(shuffled, i, r.nextInt(i + 1));
        this.order = List.copyOf(shuffled);
    }

    @Override
    public List<Example> select(Example query, int k) {
        List<Example> out = new ArrayList<>(k);
        for (Example e : order) {
            if (out.size() == k) break;
            if (!e.id().equals(query.id())) out.add(e);
        }
        return out;
    }

    @Override
    public String name() { return PromptParams.RANDOM; }
}
