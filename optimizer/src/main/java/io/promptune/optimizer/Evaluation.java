package io.promptune.optimizer;

import java.util.List;
import java.util.Map;

/**
 * What an objective returns for one trial.
 *
 * @param values           one value per objective, in the study's order
 * @param perExampleScores optional scores of the first objective per example (fixed order); when
 *                         given, the mean and standard error are derived from them
 * @param standardError    optional standard error of the first value (ignored when per-example scores are given)
 * @param constraints      optional constraint values, each satisfied when <= 0 (e.g. 0.8 - accuracy)
 * @param modelCalls       model calls used (for reporting and racing savings)
 * @param userAttrs        free-form extra data to store with the trial
 */
public record Evaluation(List<Double> values, List<Double> perExampleScores, Double standardError,
                         List<Double> constraints, long modelCalls, Map<String, Object> userAttrs) {
    public Evaluation {
        values = values == null ? List.of() : List.copyOf(values);
        perExampleScores = perExampleScores == null ? List.of() : List.copyOf(perExampleScores);
        constraints = constraints == null ? List.of() : List.copyOf(constraints);
        userAttrs = userAttrs == null ? Map.of() : Map.copyOf(userAttrs);
    }

    public static Evaluation of(double... values) {
        return new Evaluation(java.util.Arrays.stream(values).boxed().toList(), null, null, null, 0, null);
    }

    /** A single objective given by per-example scores: its value is their mean. */
    public static Evaluation ofScores(List<Double> perExampleScores) {
        return new Evaluation(List.of(Stats.mean(perExampleScores)), perExampleScores, null, null, 0, null);
    }

    public Evaluation withConstraints(double... c) {
        return new Evaluation(values, perExampleScores, standardError, java.util.Arrays.stream(c).boxed().toList(), modelCalls, userAttrs);
    }

    public Evaluation withModelCalls(long calls) {
        return new Evaluation(values, perExampleScores, standardError, constraints, calls, userAttrs);
    }

    public Evaluation withStandardError(double se) {
        return new Evaluation(values, perExampleScores, se, constraints, modelCalls, userAttrs);
    }

    public Evaluation withUserAttrs(Map<String, Object> attrs) {
        return new Evaluation(values, perExampleScores, standardError, constraints, modelCalls, attrs);
    }
}
