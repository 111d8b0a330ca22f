package io.promptune.optimizer;

import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The function a study optimises. It reads the trial's parameters from the context, may report
 * intermediate results and stop early when {@link TrialContext#shouldPrune()} says so (by throwing
 * {@link TrialPrunedException}), and returns an {@link Evaluation}. Any other exception, or a
 * non-finite value, marks the trial FAILED; the study goes on.
 */
@FunctionalInterface
public interface Objective {
    Evaluation evaluate(TrialContext trial) throws Exception;

    /** A plain single-objective function of the parameters. */
    static Objective of(ToDoubleFunction<Map<String, Object>> f) {
        return t -> Evaluation.of(f.applyAsDouble(t.params()));
    }
}
