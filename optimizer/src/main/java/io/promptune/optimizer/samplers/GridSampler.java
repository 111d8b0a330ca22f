package io.promptune.optimizer.samplers;

import io.promptune.optimizer.JsonValues;
import io.promptune.optimizer.ParamSpec;
import io.promptune.optimizer.ParamSpec.CategoricalParam;
import io.promptune.optimizer.ParamSpec.FloatParam;
import io.promptune.optimizer.ParamSpec.IntParam;
import io.promptune.optimizer.SamplingContext;
import io.promptune.optimizer.Sampler;
import io.promptune.optimizer.SearchSpace;
import io.promptune.optimizer.Trial;
import io.promptune.optimizer.TrialState;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Walks the full grid in a seeded random order, skipping configurations already tried. Floats get
 * {@code pointsPerFloat} evenly spaced values (in log space when log-scaled); integers all their
 * values up to that many, else evenly spaced ones; categoricals every choice. Once the grid is
 * exhausted it starts over.
 */
public final class GridSampler implements Sampler {
    private final long seed;
    private final int pointsPerFloat;

    public GridSampler(long seed) {
        this(seed, 5);
    }

    public GridSampler(long seed, int pointsPerFloat) {
        if (pointsPerFloat < 1) throw new IllegalArgumentException("pointsPerFloat must be >= 1");
        this.seed = seed;
        this.pointsPerFloat = pointsPerFloat;
    }

    List<List<Object>> axes(SearchSpace space) {
        List<List<Object>> axes = new ArrayList<>();
        for (ParamSpec p : space.searchable()) {
            List<Object> vals = new ArrayList<>();
            switch (p) {
                case CategoricalParam c -> vals.addAll(c.choices());
                case IntParam ip -> {
                    if (ip.count() <= pointsPerFloat) for (long v = ip.low(); v <= ip.top(); v += ip.step()) vals.add(v);
                    else for (int k = 0; k < pointsPerFloat; k++) {
                        Long v = ip.fromUnit(pointsPerFloat == 1 ? 0.5 : (k + 0.5) / pointsPerFloat);
                        if (!vals.contains(v)) vals.add(v);
                    }
                }
                case FloatParam f -> {
                    for (int k = 0; k < pointsPerFloat; k++) {
                        double u = pointsPerFloat == 1 ? 0.5 : k / (double) (pointsPerFloat - 1);
                        Double v = f.fromUnit(u);
                        if (!vals.contains(v)) vals.add(v);
                    }
                }
                default -> { }
            }
            axes.add(vals);
        }
        return axes;
    }

    @Override
    public Map<String, Object> sample(SearchSpace space, List<Trial> history, SamplingContext context) {
        List<ParamSpec> dims = space.searchable();
        List<List<Object>> axes = axes(space);
        double total = 1;
        for (List<Object> a : axes) total *= a.size();
        Set<String> seen = new HashSet<>();
        for (Trial t : history) if (t.state() != TrialState.FAILED) seen.add(key(t.params()));
        SplittableRandom r = RandomSampler.rng(seed, 0, 5);
        if (total <= 200_000) {
            int n = (int) total;
            int[] order = new int[n];
            for (int i = 0; i < n; i++) order[i] = i;
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int tmp = order[i]; order[i] = order[j]; order[j] = tmp;
            }
            // Only the first 'seen + 1' unseen entries matter; conditional duplicates are skipped too.
            for (int idx : order) {
                Map<String, Object> cand = space.assemble(point(dims, axes, idx));
                if (!seen.contains(key(cand))) return cand;
            }
        }
        // Exhausted (or too large to enumerate): a random grid point.
        SplittableRandom rr = RandomSampler.rng(seed, context.trialNumber(), 6);
        Map<String, Object> p = new LinkedHashMap<>();
        for (int i = 0; i < dims.size(); i++) p.put(dims.get(i).name(), axes.get(i).get(rr.nextInt(axes.get(i).size())));
        return p;
    }

    private static Map<String, Object> point(List<ParamSpec> dims, List<List<Object>> axes, long index) {
        Map<String, Object> p = new LinkedHashMap<>();
        for (int i = dims.size() - 1; i >= 0; i--) {
            int k = axes.get(i).size();
            p.put(dims.get(i).name(), axes.get(i).get((int) (index % k)));
            index /= k;
        }
        return p;
    }

    private static String key(Map<String, Object> params) {
        Map<String, Object> sorted = new java.util.TreeMap<>();
        params.forEach((k, v) -> sorted.put(k, v instanceof Number n ? (Object) n.doubleValue() : JsonValues.canonical(v)));
        return sorted.toString();
    }

    @Override
    public String name() {
        return "grid";
    }
}
