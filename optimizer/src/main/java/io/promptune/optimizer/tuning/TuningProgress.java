package io.promptune.optimizer.tuning;

import java.time.Duration;

/**
 * A snapshot of a run for progress displays: trials finished out of the budget, the trial in
 * flight and how far it got, the best so far with its interval, and what the calls have cost.
 * {@code eta} is null until one trial has finished in this process.
 */
public record TuningProgress(int trialsDone, Integer maxTrials, int currentTrial, int examplesDone, int examplesTotal,
                             Integer bestTrial, Estimate best, long inputTokens, long outputTokens, double costUsd,
                             long modelCalls, int pruned, Duration elapsed, Duration eta) {
}
