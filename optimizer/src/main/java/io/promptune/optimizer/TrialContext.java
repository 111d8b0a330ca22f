package io.promptune.optimizer;

import java.util.List;
import java.util.Map;

/** A running trial as its objective sees it. */
public interface TrialContext {
    int number();

    Map<String, Object> params();

    default Object param(String name) {
        return params().get(name);
    }

    /**
     * Reports progress while evaluating on a growing prefix of the examples (always the same order
     * for every trial, so comparisons are paired).
     *
     * @param step             number of examples evaluated so far
     * @param value            the running value of the first objective (e.g. mean score so far)
     * @param perExampleScores scores of examples 0..step-1 (may be empty when unknown)
     */
    void reportIntermediate(int step, double value, List<Double> perExampleScores);

    /** Tells the racing logic how many steps a full evaluation takes (to count what pruning saves). */
    void setPlannedSteps(int steps);

    /** True when the pruner judges that this trial cannot beat the incumbent. */
    boolean shouldPrune();

    void setUserAttr(String key, Object value);

    /** Adds to the number of model calls this trial used. */
    void addModelCalls(long calls);
}
