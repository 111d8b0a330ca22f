package io.promptune.datasets;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * Demonstrations for few-shot prompts, drawn from a split's tune side only. It can only be made by
 * {@link Split#fewShotPool()}, so a held-out test example can never leak into a prompt; asking for
 * shots for a test example is fine (they still come from tune), and an example is never its own shot.
 */
public final class FewShotPool {
    private final List<Example> pool;
    private final Set<String> testIds;
    private final long seed;

    FewShotPool(List<Example> tune, Set<String> testIds, long seed) {
        for (Example e : tune) {
            if (testIds.contains(e.id())) throw new IllegalStateException("example '" + e.id() + "' is in both tune and test");
        }
        this.pool = List.copyOf(tune);
        this.testIds = Set.copyOf(testIds);
        this.seed = seed;
    }

    public int size() { return pool.size(); }

    /** Whether an id belongs to the held-out test split (and so may never be a demonstration). */
    public boolean isHeldOut(String id) { return testIds.contains(id); }

    /**
     * {@code k} demonstrations for {@code query}, chosen by a seeded hash of (shotSeed, query id, candidate id):
     * the same query and seed always get the same shots, different queries get different ones.
     */
    public List<Example> draw(int k, Example query, long shotSeed) {
        if (k < 0) throw new IllegalArgumentException("k must be >= 0");
        String qid = query == null ? "" : query.id();
        List<Example> candidates = new ArrayList<>();
        for (Example e : pool) if (!e.id().equals(qid)) candidates.add(e);
        if (k > candidates.size()) throw new IllegalArgumentException("asked for " + k + " shots but the tune split has only " + candidates.size() + " other examples");
        long mixed = seed * 31 + shotSeed;
        candidates.sort(Comparator.comparingLong((Example e) -> Split.rank(qid + "\u0000" + e.id(), mixed)).thenComparing(Example::id));
        return List.copyOf(candidates.subList(0, k));
    }

    /** The same {@code k} demonstrations for every query (a fixed prompt prefix, friendly to KV caches). */
    public List<Example> fixed(int k, long shotSeed) {
        return draw(k, null, shotSeed);
    }
}
