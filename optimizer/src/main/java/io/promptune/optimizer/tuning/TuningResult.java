package io.promptune.optimizer.tuning;

import java.util.Map;

/**
 * How a run ended: why it stopped, the best trial, and (when the run finished and a held-out split
 * exists) the best and the baseline re-scored on held-out examples with their paired comparison.
 */
public record TuningResult(String studyName, String stopReason, boolean interrupted, int trials, int pruned, int failed,
                           Integer bestTrial, Map<String, Object> bestParams, Estimate bestTuneScore,
                           Map<String, Object> baselineParams, Evaluation bestHeldOut, Evaluation baselineHeldOut,
                           HeldOutComparison comparison, long inputTokens, long outputTokens, double costUsd,
                           long modelCalls, long modelCallsSavedByPruning, long durationMs) {
}
