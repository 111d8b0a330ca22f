package io.promptune.optimizer.tuning;

import java.util.List;
import java.util.Map;

/**
 * A configuration scored on a list of examples: per-example results, each metric's estimate, and
 * what the calls cost. {@code complete} is false when racing stopped it early.
 */
public record Evaluation(Configuration configuration, List<ExampleResult> examples, Map<String, Estimate> metrics,
                         String objectiveMetric, long inputTokens, long outputTokens, double costUsd, long modelCalls,
                         long errors, boolean complete) {
    public Estimate objective() {
        return metrics.get(objectiveMetric);
    }

    public double[] objectiveScores() {
        return examples.stream().mapToDouble(e -> e.score(objectiveMetric)).toArray();
    }
}
