package io.promptune.optimizer.tuning;

import java.time.Duration;

/**
 * When a tuning run stops: after this many trials, model calls, dollars or wall-clock time,
 * whichever comes first. A null or non-positive limit means "no limit" for that resource.
 */
public record Budget(Integer maxTrials, Long maxModelCalls, Double maxCostUsd, Duration maxDuration) {
    public static Budget trials(int n) {
        return new Budget(n, null, null, null);
    }

    public Budget withModelCalls(long calls) { return new Budget(maxTrials, calls, maxCostUsd, maxDuration); }
    public Budget withCost(double usd) { return new Budget(maxTrials, maxModelCalls, usd, maxDuration); }
    public Budget withDuration(Duration d) { return new Budget(maxTrials, maxModelCalls, maxCostUsd, d); }

    /** The first limit reached, or null while there is budget left. */
    public String exhausted(int trialsDone, long modelCalls, double costUsd, Duration elapsed) {
        if (maxTrials != null && maxTrials > 0 && trialsDone >= maxTrials) return "trial budget (" + maxTrials + ") reached";
        if (maxModelCalls != null && maxModelCalls > 0 && modelCalls >= maxModelCalls) return "model-call budget (" + maxModelCalls + ") reached";
        if (maxCostUsd != null && maxCostUsd > 0 && costUsd >= maxCostUsd) return String.format("cost budget ($%.4f) reached", maxCostUsd);
        if (maxDuration != null && !maxDuration.isZero() && elapsed.compareTo(maxDuration) >= 0) return "time budget (" + maxDuration + ") reached";
        return null;
    }

    /**
     * Null when a trial of up to {@code trialCalls} calls still fits the model-call budget after
     * {@code modelCalls}; otherwise why not (the budget is a limit, not a target to overshoot).
     */
    public String noRoomFor(long modelCalls, int trialCalls) {
        if (maxModelCalls == null || maxModelCalls <= 0 || modelCalls + trialCalls <= maxModelCalls) return null;
        return "model-call budget (" + maxModelCalls + ") reached: " + modelCalls + " calls made, a trial needs up to " + trialCalls;
    }
}
