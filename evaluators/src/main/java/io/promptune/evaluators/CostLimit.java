package io.promptune.evaluators;

import io.promptune.datasets.Example;
import io.promptune.providers.Completion;

import java.util.Map;

/**
 * Pass (1) when a completion stayed within budget: money, output tokens, total tokens, latency.
 * It needs the whole completion, not just its text.
 */
public final class CostLimit implements Metric {
    private final double maxCostUsd;
    private final long maxOutputTokens, maxTotalTokens, maxLatencyMs;

    public CostLimit(double maxCostUsd, long maxOutputTokens, long maxTotalTokens, long maxLatencyMs) {
        this.maxCostUsd = maxCostUsd;
        this.maxOutputTokens = maxOutputTokens;
        this.maxTotalTokens = maxTotalTokens;
        this.maxLatencyMs = maxLatencyMs;
    }

    @Override
    public String name() {
        return "cost";
    }

    @Override
    public Score score(String output, Example example) {
        throw new IllegalArgumentException("metric 'cost' needs the completion's cost, tokens and latency, not only its text");
    }

    @Override
    public Score score(Completion c, Example example) {
        long latency = c.latency().toMillis();
        boolean ok = c.costUsd() <= maxCostUsd && c.usage().outputTokens() <= maxOutputTokens
                && c.usage().total() <= maxTotalTokens && latency <= maxLatencyMs;
        return new Score(ok ? 1 : 0, Map.of("cost_usd", c.costUsd(), "output_tokens", c.usage().outputTokens(),
                "total_tokens", c.usage().total(), "latency_ms", latency));
    }
}
