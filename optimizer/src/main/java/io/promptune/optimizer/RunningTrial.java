package io.promptune.optimizer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A trial being evaluated: what the objective sees, and what {@link Study#tell} finishes. */
public final class RunningTrial implements TrialContext {
    private final Study study;
    private Trial current;
    volatile boolean finished;

    RunningTrial(Study study, Trial trial) {
        this.study = study;
        this.current = trial;
    }

    @Override
    public int number() {
        return current.number();
    }

    @Override
    public Map<String, Object> params() {
        return current.params();
    }

    /** The trial's stored state as of now. */
    public synchronized Trial snapshot() {
        return current;
    }

    @Override
    public void reportIntermediate(int step, double value, List<Double> perExampleScores) {
        Trial t;
        synchronized (this) {
            Map<Integer, Double> inter = new TreeMap<>(current.intermediate());
            inter.put(step, value);
            current = current.toBuilder().intermediate(inter).heartbeat(java.time.Instant.now()) // progress proves liveness
                    .perExampleScores(perExampleScores == null ? current.perExampleScores() : new ArrayList<>(perExampleScores))
                    .build();
            t = current;
        }
        study.persistProgress(t);
    }

    @Override
    public synchronized void setPlannedSteps(int steps) {
        current = current.toBuilder().plannedSteps(steps).build();
    }

    @Override
    public boolean shouldPrune() {
        return study.pruneCheck(snapshot());
    }

    @Override
    public synchronized void setUserAttr(String key, Object value) {
        Map<String, Object> m = new LinkedHashMap<>(current.userAttrs());
        m.put(key, JsonValues.canonical(value));
        current = current.toBuilder().userAttrs(m).build();
    }

    @Override
    public synchronized void addModelCalls(long calls) {
        current = current.toBuilder().modelCalls(current.modelCalls() + calls).build();
    }
}
