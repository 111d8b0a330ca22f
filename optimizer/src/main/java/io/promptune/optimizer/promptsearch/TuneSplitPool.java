package io.promptune.optimizer.promptsearch;

import io.promptune.datasets.Example;
import io.promptune.datasets.FewShotPool;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The examples demonstrations may come from: the tune split, never the held-out test split. Every
 * strategy draws from here and every chosen shot passes {@link #check}, so a test example can never
 * reach a prompt as a demonstration even through a bug in one strategy.
 */
public final class TuneSplitPool {
    private final List<Example> examples;
    private final Set<String> heldOutIds;

    private TuneSplitPool(List<Example> tune, Set<String> heldOutIds) {
        for (Example e : tune) {
            if (heldOutIds.contains(e.id())) {
                throw new IllegalArgumentException("example '" + e.id() + "' is in both the tune and the held-out test split");
            }
        }
        this.examples = List.copyOf(tune);
        this.heldOutIds = Set.copyOf(heldOutIds);
    }

    /** From the two sides of a split; refuses an example that is on both. */
    public static TuneSplitPool of(List<Example> tune, List<Example> test) {
        return new TuneSplitPool(tune, test.stream().map(Example::id).collect(Collectors.toSet()));
    }

    /** From the datasets module's pool (which a {@code Split} makes from its tune side only). */
    public static TuneSplitPool of(FewShotPool pool, List<Example> test) {
        List<Example> all = pool.fixed(pool.size(), 0);
        Set<String> held = new HashSet<>();
        for (Example e : test) held.add(e.id());
        for (Example e : all) if (pool.isHeldOut(e.id())) held.add(e.id());
        return new TuneSplitPool(all, held);
    }

    public List<Example> examples() { return examples; }

    public int size() { return examples.size(); }

    public boolean isHeldOut(String id) { return heldOutIds.contains(id); }

    /** Throws when a demonstration would leak a held-out example or show the query its own answer. */
    public List<Example> check(List<Example> shots, Example query) {
        for (Example s : shots) {
            if (heldOutIds.contains(s.id())) {
                throw new IllegalStateException("demonstration '" + s.id() + "' belongs to the held-out test split");
            }
            if (s.id().equals(query.id())) throw new IllegalStateException("example '" + s.id() + "' would be its own demonstration");
        }
        return shots;
    }

    /** The text of an example's inputs (for similarity and for meta-prompts): its input values in order. */
    static String inputText(Example e) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, Object> f : new java.util.TreeMap<>(e.inputs()).entrySet()) {
            if (!sb.isEmpty()) sb.append('\n');
            if (e.inputs().size() > 1) sb.append(f.getKey()).append(": ");
            sb.append(f.getValue());
        }
        return sb.toString();
    }
}
