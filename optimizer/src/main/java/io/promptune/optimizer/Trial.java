package io.promptune.optimizer;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One evaluated (or waiting, or running) configuration: an immutable snapshot as stored.
 *
 * @param values            one value per objective of the study (empty unless COMPLETE or PRUNED)
 * @param mean              mean of the per-example scores of the first objective, when known
 * @param standardError     standard error of that mean, when known
 * @param perExampleScores  the first objective's score on each example, in the fixed example order
 * @param intermediate      step (examples seen) to running value, as reported while racing
 * @param constraints       constraint values; a constraint is satisfied when its value is <= 0
 * @param modelCalls        model calls this trial used
 * @param plannedSteps      examples (or steps) a full evaluation would use, when known; lets pruned
 *                          trials count what they saved
 */
public record Trial(int number, TrialState state, Map<String, Object> params, List<Double> values, Double mean,
                   Double standardError, List<Double> perExampleScores, Map<Integer, Double> intermediate,
                   List<Double> constraints, Map<String, Object> userAttrs, String error, Instant startedAt,
                   Instant finishedAt, long modelCalls, Integer plannedSteps, String worker, Instant heartbeat) {

    public Trial {
        params = params == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(params));
        values = values == null ? List.of() : List.copyOf(values);
        perExampleScores = perExampleScores == null ? List.of() : List.copyOf(perExampleScores);
        intermediate = intermediate == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(intermediate));
        constraints = constraints == null ? List.of() : List.copyOf(constraints);
        userAttrs = userAttrs == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(userAttrs));
    }

    public static Trial waiting(int number, Map<String, Object> params, Map<String, Object> userAttrs) {
        return new Trial(number, TrialState.WAITING, params, null, null, null, null, null, null, userAttrs, null, null, null, 0, null, null, null);
    }

    /** The first objective's value, or NaN when there is none. */
    public double value() {
        return values.isEmpty() ? Double.NaN : values.getFirst();
    }

    public boolean isComplete() {
        return state == TrialState.COMPLETE;
    }

    /** True when every constraint is satisfied (or there are none). */
    public boolean isFeasible() {
        for (double c : constraints) if (!(c <= 0)) return false;
        return true;
    }

    /** Total amount by which constraints are violated (0 when feasible). */
    public double violation() {
        double v = 0;
        for (double c : constraints) v += Double.isNaN(c) ? 1e9 : Math.max(0, c);
        return v;
    }

    public Duration duration() {
        return startedAt == null || finishedAt == null ? null : Duration.between(startedAt, finishedAt);
    }

    /** Last step reported while racing, or null. */
    public Integer lastStep() {
        return intermediate.isEmpty() ? null : ((TreeMap<Integer, Double>) new TreeMap<>(intermediate)).lastKey();
    }

    public Object param(String name) {
        return params.get(name);
    }

    public double doubleParam(String name) {
        return ((Number) params.get(name)).doubleValue();
    }

    public long longParam(String name) {
        return ((Number) params.get(name)).longValue();
    }

    public int intParam(String name) {
        return ((Number) params.get(name)).intValue();
    }

    public String stringParam(String name) {
        Object v = params.get(name);
        return v == null ? null : v.toString();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** Copy-and-change helper; used by the study and storages to move a trial through its states. */
    public static final class Builder {
        private int number;
        private TrialState state;
        private Map<String, Object> params;
        private List<Double> values;
        private Double mean, standardError;
        private List<Double> perExampleScores;
        private Map<Integer, Double> intermediate;
        private List<Double> constraints;
        private Map<String, Object> userAttrs;
        private String error;
        private Instant startedAt, finishedAt, heartbeat;
        private long modelCalls;
        private Integer plannedSteps;
        private String worker;

        private Builder(Trial t) {
            number = t.number; state = t.state; params = t.params; values = t.values; mean = t.mean;
            standardError = t.standardError; perExampleScores = t.perExampleScores; intermediate = t.intermediate;
            constraints = t.constraints; userAttrs = t.userAttrs; error = t.error; startedAt = t.startedAt;
            finishedAt = t.finishedAt; modelCalls = t.modelCalls; plannedSteps = t.plannedSteps; worker = t.worker;
            heartbeat = t.heartbeat;
        }

        public Builder number(int v) { number = v; return this; }
        public Builder state(TrialState v) { state = v; return this; }
        public Builder params(Map<String, Object> v) { params = v; return this; }
        public Builder values(List<Double> v) { values = v; return this; }
        public Builder mean(Double v) { mean = v; return this; }
        public Builder standardError(Double v) { standardError = v; return this; }
        public Builder perExampleScores(List<Double> v) { perExampleScores = v; return this; }
        public Builder intermediate(Map<Integer, Double> v) { intermediate = v; return this; }
        public Builder constraints(List<Double> v) { constraints = v; return this; }
        public Builder userAttrs(Map<String, Object> v) { userAttrs = v; return this; }
        public Builder error(String v) { error = v; return this; }
        public Builder startedAt(Instant v) { startedAt = v; return this; }
        public Builder finishedAt(Instant v) { finishedAt = v; return this; }
        public Builder modelCalls(long v) { modelCalls = v; return this; }
        public Builder plannedSteps(Integer v) { plannedSteps = v; return this; }
        public Builder worker(String v) { worker = v; return this; }
        public Builder heartbeat(Instant v) { heartbeat = v; return this; }

        public Trial build() {
            return new Trial(number, state, params, values, mean, standardError, perExampleScores, intermediate,
                    constraints, userAttrs, error, startedAt, finishedAt, modelCalls, plannedSteps, worker, heartbeat);
        }
    }
}
