package io.promptune.optimizer.promptsearch;

import io.promptune.datasets.Example;
import io.promptune.optimizer.tuning.Evaluation;
import io.promptune.optimizer.tuning.ExampleResult;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Demonstrations the model itself got right, as DSPy's BootstrapFewShot makes them: the teacher
 * (the model under the baseline configuration, zero-shot) answers tune-split examples; those its
 * answer scores at least {@code threshold} on the objective become demonstrations, with the model's
 * own output as the answer. When fewer than k were kept, labelled tune examples fill the rest (as
 * DSPy's max_labeled_demos does). The teacher runs once, on first use; its calls are counted.
 */
public final class BootstrappedShots implements ShotStrategy {
    private final TuneSplitPool pool;
    private final Function<List<Example>, Evaluation> teacher;
    private final double threshold;
    private final int maxTries;
    private final RandomShots fill;
    private List<Example> demos;
    private long teacherCalls;

    /**
     * @param teacher   runs the baseline configuration on examples (tune split only) and scores them;
     *                  null when it may not (then only labelled examples are used)
     * @param threshold an objective score at or above this counts as right
     * @param maxTries  how many tune examples the teacher answers at most
     */
    public BootstrappedShots(TuneSplitPool pool, Function<List<Example>, Evaluation> teacher, double threshold, int maxTries, long seed) {
        this.pool = pool;
        this.teacher = teacher;
        this.threshold = threshold;
        this.maxTries = maxTries;
        this.fill = new RandomShots(pool, seed);
    }

    @Override
    public List<Example> select(Example query, int k) {
        List<Example> out = new ArrayList<>(k);
        for (Example d : demos()) {
            if (out.size() == k) break;
            if (!d.id().equals(query.id())) out.add(d);
        }
        if (out.size() < k) {
            for (Example e : fill.select(query, k + out.size())) {
                if (out.size() == k) break;
                if (out.stream().noneMatch(d -> d.id().equals(e.id()))) out.add(e);
            }
        }
        return out;
    }

    /** The bootstrapped demonstrations (running the teacher on first call). */
    public synchronized List<Example> demos() {
        if (demos == null) {
            List<Example> tries = fill.select(new Example("\u0000none", Map.of(), List.of(), Map.of()), Math.min(maxTries, pool.size()));
            Evaluation ev = teacher.apply(tries);
            if (ev == null) { // the teacher declined (no budget left): labelled demonstrations only
                demos = List.of();
                return demos;
            }
            teacherCalls = ev.modelCalls();
            Map<String, Example> byId = new HashMap<>();
            for (Example e : tries) byId.put(e.id(), e);
            List<Example> kept = new ArrayList<>();
            for (ExampleResult r : ev.examples()) {
                Example src = byId.get(r.exampleId());
                if (src == null || pool.isHeldOut(src.id())) continue;
                if (r.error() == null && !r.output().isBlank() && r.score(ev.objectiveMetric()) >= threshold) {
                    Map<String, Object> meta = new LinkedHashMap<>(src.metadata());
                    meta.put("bootstrapped", true);
                    kept.add(new Example(src.id(), src.inputs(), List.of(r.output().strip()), meta));
                }
            }
            demos = List.copyOf(kept);
        }
        return demos;
    }

    /** Model calls the teacher made (0 before first use). */
    public synchronized long teacherCalls() { return teacherCalls; }

    @Override
    public String name() { return PromptParams.BOOTSTRAPPED; }
}
