package io.promptune.optimizer.tuning;

import java.util.List;
import java.util.Map;

/**
 * One example scored under one configuration: what went in, what came out, and each metric's
 * verdict with its details (kept for the report's per-example view).
 */
public record ExampleResult(String exampleId, Map<String, Object> inputs, List<String> expected, String prompt,
                            String output, String finishReason, String error, Map<String, Double> scores,
                            Map<String, Map<String, Object>> details, long inputTokens, long outputTokens,
                            long latencyMs, double costUsd) {
    public double score(String metric) {
        Double v = scores.get(metric);
        return v == null ? 0 : v;
    }
}
